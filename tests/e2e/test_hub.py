"""Issue 19 end to end, hosted: `kit hub` on loopback with JupyterHub (PyPI), configurable-http-proxy (npm)
terminating HTTPS with a self-signed certificate, the test authenticator, the local-process spawner
(each facilitator's server as their own system user) and PostgreSQL with row-level security.

Two facilitators log in and each gets a network of their own; facilitator B's kernel queries A's network
and gets nothing; B cannot open A's server. Without a login, participants reach the participant pages: a
phone in the room and a remote phone join A's meeting; a vote opens at a set time and closes on its own;
voting codes are printed by `kit codes` and one used twice is refused; the results are published and the
public page shows them; the public tray takes feedback. Without a login nothing else answers: the hub's
admin page, the Jupyter API of a facilitator's server or of the participant service."""

import datetime as dt
import json
import os
import secrets
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from kit.hub import Hub
from kit.launch import free_port
from kit.store import Store
from tests import pg
from tests.e2e.conftest import PHONE, run_axe, shot

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = secrets.token_urlsafe(12)
NO_VERIFY = ssl.create_default_context()
NO_VERIFY.check_hostname, NO_VERIFY.verify_mode = False, ssl.CERT_NONE  # the hub's own self-signed certificate


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url: str, method: str = "GET", body: dict | None = None, headers: dict | None = None):
    """(status, headers, body text) without following redirects."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json", **(headers or {})})
    opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=NO_VERIFY))
    try:
        with opener.open(req, timeout=60) as r:
            return r.status, r.headers, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode()


@pytest.fixture(scope="module")
def system_users():
    """Two facilitators with system accounts (the local-process spawner starts each server as its user)."""
    if os.geteuid() != 0:
        pytest.skip("the local-process spawner starts servers as other system users: needs root")
    names = [f"kf{secrets.token_hex(3)}{x}" for x in "abz"]  # two facilitators and an administrator
    for n in names:
        subprocess.run(["useradd", "--create-home", "--shell", "/usr/sbin/nologin", n], check=True)
    yield names
    for n in names:
        subprocess.run(["pkill", "-u", n], check=False)
        subprocess.run(["userdel", "--remove", n], check=False, capture_output=True)


@pytest.fixture(scope="module")
def hub(system_users):
    import shutil
    import tempfile

    url = pg.fresh_database(empty=True)
    os.environ["PATH"] = f"{ROOT / 'tests' / 'e2e' / 'node_modules' / '.bin'}{os.pathsep}{os.environ['PATH']}"
    data = Path(tempfile.mkdtemp(prefix="kit-hub-"))  # the facilitators' users read its hub-shared/
    data.chmod(0o755)
    h = Hub(data, url, free_port(), "127.0.0.1", None, admins=system_users[2:], test_users=system_users[:2],
            test_password=PASSWORD)
    try:
        h.start()
        yield h
    finally:
        h.stop()
        pg.drop_database(url)
        shutil.rmtree(data, ignore_errors=True)


def log_in(browser, hub, user, password=PASSWORD):
    """A facilitator's browser: logged in, their server started, on the kit's start page."""
    ctx = browser.new_context(ignore_https_errors=True, viewport={"width": 1920, "height": 1080})
    page = ctx.new_page()
    page.goto(f"{hub.base}/hub/login")
    page.fill("#username_input", user)
    page.fill("#password_input", password)
    page.click("#login_submit")
    page.wait_for_url("**/voila/render/notebooks/00_start.ipynb**", timeout=180_000)
    page.wait_for_selector(".kit-join .code", timeout=180_000)
    return ctx, page


KERNEL_JS = """async ({user, code}) => {
  // as the facilitator's own browser does: their session, their server's XSRF cookie, a kernel, its channels
  const xsrf = decodeURIComponent(document.cookie.split("; ").find(c => c.startsWith("_xsrf=")).slice(6));
  const r = await fetch(`/user/${user}/api/kernels`, {method: "POST", body: "{}",
                        headers: {"X-XSRFToken": xsrf, "Content-Type": "application/json"}});
  const kernel = await r.json();
  return await new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://${location.host}/user/${user}/api/kernels/${kernel.id}/channels`);
    const id = crypto.randomUUID();
    let out = "";
    ws.onopen = () => ws.send(JSON.stringify({header: {msg_id: id, username: user, session: crypto.randomUUID(),
      msg_type: "execute_request", version: "5.3", date: new Date().toISOString()}, parent_header: {}, metadata: {},
      channel: "shell", buffers: [], content: {code, silent: false, store_history: false, user_expressions: {},
      allow_stdin: false, stop_on_error: true}}));
    ws.onmessage = (ev) => {
      const m = JSON.parse(ev.data);
      if (!m.parent_header || m.parent_header.msg_id !== id) return;
      if (m.msg_type === "stream") out += m.content.text;
      if (m.msg_type === "error") out += "ERROR " + m.content.ename + ": " + m.content.evalue;
      if (m.msg_type === "status" && m.content.execution_state === "idle") { ws.close(); resolve(out); }
    };
    ws.onerror = () => reject(new Error("the kernel's channels did not open"));
  });
}"""


def run_in_kernel(page, user: str, code: str) -> str:
    """Run `code` in a new kernel of `user`'s own server, from their logged-in browser; what it printed."""
    return page.evaluate(KERNEL_JS, {"user": user, "code": code})


def test_an_organisation_hosts_the_kit_for_two_facilitators_and_participants_join_without_a_login(hub, browser,
                                                                                                   system_users, tmp_path):
    a, b, boss = system_users
    # without a login: the hub's admin page sends to the login, no Jupyter API answers
    status, headers, _ = fetch(f"{hub.base}/hub/admin")
    assert status == 302 and "/hub/login" in headers["Location"]
    assert fetch(f"{hub.base}/user/{a}/api/contents")[0] in (302, 403)
    assert fetch(f"{hub.base}/services/kit/api/contents")[0] == 403
    assert fetch(f"{hub.base}/services/kit/api/kernels", "POST", {})[0] == 403

    ctx_a, page_a = log_in(browser, hub, a)
    code_a = page_a.inner_text(".kit-join .code").strip()
    shot(page_a, "hub-facilitator-a-start")
    ctx_b, page_b = log_in(browser, hub, b)
    code_b = page_b.inner_text(".kit-join .code").strip()
    assert code_a != code_b and code_a not in page_b.content()  # B's pages know nothing of A's meeting
    assert f"{hub.base}/services/kit/kit/join/{code_a}" in page_a.inner_text(".kit-join")

    # B cannot open A's server, and B's kernel gets nothing of A's network whatever it asks
    other = ctx_b.new_page()
    assert other.goto(f"{hub.base}/user/{a}/voila/render/notebooks/00_start.ipynb").status == 403
    other.close()
    printed = run_in_kernel(page_b, b, f"""
import json
from sqlalchemy import text
from kit.store import configured
s = configured()
with s.engine.connect() as c:
    q = lambda sql: c.execute(text(sql), {{"c": "{code_a}"}}).scalar()
    found = {{"workshop": q("SELECT COUNT(*) FROM workshops WHERE code = :c"),
             "ideas": q("SELECT COUNT(*) FROM ideas WHERE workshop_id IN (SELECT id FROM workshops WHERE code = :c)"),
             "networks": c.execute(text("SELECT COUNT(*) FROM networks")).scalar(),
             "ballots": c.execute(text("SELECT COUNT(*) FROM ballots")).scalar(),
             "who": c.execute(text("SELECT current_user")).scalar()}}
found["mine"] = [w["code"] for w in s.workshops()]
print(json.dumps(found))
""")
    found = json.loads(printed.strip().splitlines()[-1])
    assert found["workshop"] == 0 and found["ideas"] == 0 and found["networks"] == 1
    assert code_b in found["mine"] and code_a not in found["mine"] and found["who"].startswith("kit_u_")

    # a facilitator is no administrator: the hub's admin page refuses B
    assert page_b.goto(f"{hub.base}/hub/admin").status == 403
    # the administrator's start page lists every network of the organisation
    ctx_boss, page_boss = log_in(browser, hub, boss, hub.admin_password)
    options = page_boss.locator("select option").all_inner_texts()
    assert any(code_a in o for o in options) and any(code_b in o for o in options)
    assert page_boss.goto(f"{hub.base}/hub/admin").status == 200
    ctx_boss.close()

    # the organisation's view (the tables' owner): both networks, each of its facilitator
    admin = Store.connect(hub.store)
    with admin.engine.connect() as conn:  # B saw its own ballots only, of all there are
        everyone = conn.exec_driver_sql("SELECT COUNT(*) FROM ballots").scalar()
    own = sum(admin.ballot_count(r["id"]) for r in admin.rounds(admin.workshop_by_code(code_b)["id"]))
    assert found["ballots"] == own and everyone == 2 * own > 0
    owners = {m["code"]: n["owner"] for n in admin.networks() for m in n["meetings"]}
    assert owners[code_a] != owners[code_b] and all(o.startswith("kit_u_") for o in owners.values())
    ws = admin.workshop_by_code(code_a)
    admin.set_setting(ws["id"], "hybrid", True)

    # participants: one in the room (a phone), one remote (by the remote link), no login anywhere
    room = browser.new_context(viewport=PHONE, ignore_https_errors=True).new_page()
    room.goto(f"{hub.base}/services/kit/kit/join/{code_a}?lang=fi")
    room.check("#where-room")
    room.click("#join-form button[type=submit]")
    room.wait_for_selector("#activities", timeout=30_000)
    status, _, body = fetch(f"{hub.base}/services/kit/kit/api/workshops/{code_a}/participants?lang=en", "POST",
                            {"where": "remote"})
    assert status == 201
    remote_token = json.loads(body)["token"]
    deadline = time.monotonic() + 30
    while admin.presence_counts(ws["id"])["room"] < 1 and time.monotonic() < deadline:
        time.sleep(0.5)
    counts = admin.presence_counts(ws["id"])  # (the demo's own devices said nothing)
    assert (counts["room"], counts["remote"]) == (1, 1)

    # a vote opens at a set time and closes on its own; voting codes printed by `kit codes`
    ids = [i["id"] for i in admin.ideas(ws["id"]) if i["status"] == "visible"][:3]
    rnd = admin.create_round(ws["id"], "Verkossa kaikille", method="approval", idea_ids=ids)
    sheet = tmp_path / "codes.csv"
    out = subprocess.run([sys.executable, "-m", "kit", "codes", "--store", hub.store, "--workshop", code_a,
                          "--round", str(rnd["id"]), "--count", "3", "--out", str(sheet),
                          "--public-url", f"{hub.base}/services/kit"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    codes = [line.split(",")[0] for line in sheet.read_text().splitlines()[1:]]
    assert all(line.endswith(f"/services/kit/kit/join/{code_a}") for line in sheet.read_text().splitlines()[1:])
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=5)
    end = start + dt.timedelta(seconds=12)
    admin.open_round(rnd["id"], opens_at=start.isoformat(timespec="seconds"), closes_at=end.isoformat(timespec="seconds"))
    room.wait_for_selector("#vote-code-form:not([hidden])", timeout=60_000)  # it opened on its own
    room.fill("#vote-code", codes[0])
    room.click("#vote-code-use")
    room.wait_for_selector("#vote-code-form", state="hidden", timeout=30_000)
    room.locator("#vote-items input.choice").first.check()
    room.wait_for_function("() => document.getElementById('status').textContent.includes('Tallennettu')", timeout=30_000)
    assert run_axe(room) == []
    shot(room, "hub-phone-voted")
    ballot = f"{hub.base}/services/kit/kit/api/workshops/{code_a}/rounds/{rnd['id']}/ballot?lang=en"
    auth = {"Authorization": f"Bearer {remote_token}"}
    status, _, body = fetch(ballot, "PUT", {"choices": [ids[1]], "code": codes[0]}, auth)
    assert status == 409 and json.loads(body)["error"] == "voting_code_used"  # the same code, a second device
    assert fetch(ballot, "PUT", {"choices": [ids[1]], "code": codes[1]}, auth)[0] == 200
    time.sleep(max(0.0, (end - dt.datetime.now(dt.UTC)).total_seconds()) + 1)
    status, _, body = fetch(ballot, "PUT", {"choices": [ids[2]]}, auth)
    assert status == 409 and json.loads(body)["error"] == "round_closed"  # closed on its own
    assert admin.round(rnd["id"])["status"] == "closed" and admin.ballot_count(rnd["id"]) == 2
    admin.set_results_visible(rnd["id"], True)  # published
    status, _, page = fetch(f"{hub.base}/services/kit/kit/public/{code_a}/results?lang=en")
    assert status == 200 and "Verkossa kaikille" in page and "2 people voted." in page

    # the public tray and an activity's feedback
    admin.add_activity(ws["id"], {"name": "Luontokävely", "step_level": 1, "place": "Kirjasto"})
    admin.publish_tray(ws["id"], True)
    nid = admin.network_of(ws["id"])["id"]
    tray = browser.new_context(viewport=PHONE, ignore_https_errors=True).new_page()
    tray.goto(f"{hub.base}/services/kit/kit/public/tray/{nid}?lang=en")
    tray.click("article.activity details.feedback summary")
    tray.check("article.activity input[value=good]")
    tray.click("article.activity form button[type=submit]")
    tray.wait_for_selector("article.activity p.ok", timeout=30_000)
    assert run_axe(tray) == []
    activity = admin.activities(ws["id"])[0]["id"]
    assert admin.tray_feedback(ws["id"])[activity]["n"] == 1
    admin.close()
    for ctx in (ctx_a, ctx_b):
        ctx.close()
