"""The service tray end to end against a real `kit serve`: a phone that filters the tray, marks
interest and suggests an activity, and the facilitator's Voila page that shows the count, accepts
the suggestion and turns a gap into an idea for stage 2. (The tray's API: tests/unit/test_tray_http.py.)"""

import pytest

from kit.launch import start_server
from tests.e2e.conftest import PHONE, run_axe, shot

pytestmark = pytest.mark.e2e

HOSTILE = '<img src=x onerror="document.title=\'pwned\'">Kerho'


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = start_server(tmp_path_factory.mktemp("tray-data"))
    yield s
    s.stop()


@pytest.fixture(scope="module")
def ws(server):
    """The demo workshop (8 activities on the tray), written into the server's own SQLite file."""
    from kit import sample

    return sample.load_demo(server.store())


def test_phone_filters_marks_and_suggests_then_facilitator_sees_and_acts(server, ws, browser):
    store = server.store()
    store.set_setting(ws["id"], "tray_open", True)
    ctx = browser.new_context(viewport=PHONE, locale="fi")
    p = ctx.new_page()
    p.goto(server.participants.replace(server.code, ws["code"]))
    p.click("#join-form button[type=submit]")
    p.wait_for_selector("#tray-section:not([hidden]) .tray-item", timeout=15_000)
    assert p.locator(".tray-item").count() == 8
    # filter: Swedish and free of charge leaves the open living room only
    p.select_option("#tray-language", label="ruotsi")
    p.check("#tray-free")
    p.wait_for_function("() => document.querySelectorAll('.tray-item').length === 1", timeout=10_000)
    assert p.locator(".tray-item h4").inner_text() == "Avoin olohuone"
    assert "1 / 8" in p.locator("#tray-count").inner_text()
    p.click(".tray-item .tray-interested")
    p.wait_for_function("() => document.querySelector('.tray-item .tray-interested').getAttribute('aria-pressed') === 'true'",
                        timeout=10_000)
    p.wait_for_function("() => document.getElementById('status').textContent.includes('Merkitty')", timeout=10_000)
    # nothing matches: the page says so kindly
    p.select_option("#tray-day", label="su")
    p.wait_for_function("() => document.getElementById('tray-count').textContent.includes('Mikään')", timeout=10_000)
    p.select_option("#tray-day", value="")
    p.uncheck("#tray-free")
    p.select_option("#tray-language", value="")
    # a suggestion with hostile text stays text
    p.fill("#tray-s-name", HOSTILE)
    p.select_option("#tray-s-level", "2")
    p.fill("#tray-s-place", "Nuorisotalo")
    p.click("#tray-suggest-form button[type=submit]")
    p.wait_for_function("() => document.getElementById('tray-mine').textContent.includes('odottaa')", timeout=10_000)
    assert HOSTILE in p.locator("#tray-mine").inner_text() and p.title() != "pwned"
    assert run_axe(p) == [], "axe on the tray"
    shot(p, "participant-phone-fi-tray")

    fac = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fi")
    page = fac.new_page()
    page.goto(server.voila("06_service_tray.ipynb", workshop=ws["code"]))
    page.wait_for_selector(".kit-tray-table", timeout=90_000)
    living = next(a for a in store.activities(ws["id"]) if a["name"] == "Avoin olohuone")
    n = store.interest_counts(ws["id"])[living["id"]]["interested"]
    assert n >= 1  # the phone's mark (and the API test's, when it ran first)
    page.wait_for_function(
        f"() => document.querySelector(\"tr[data-activity='{living['id']}'] .kit-interested\").textContent === '{n}'",
        timeout=15_000)
    # accept the participant's suggestion: it joins the tray, and the phone says so
    page.wait_for_selector(".kit-tray-accept", timeout=15_000)
    page.click(".kit-tray-accept")
    page.wait_for_function("() => document.querySelector('.kit-tray-table').textContent.includes('Nuorisotalo')",
                           timeout=15_000)
    assert page.title() != "pwned"
    p.wait_for_function("() => document.getElementById('tray-mine').textContent.includes('tarjottimella')", timeout=15_000)
    # a gap becomes an idea for stage 2 in one click
    gap_text = page.locator(".kit-tray-gaps p").first.inner_text()
    page.locator(".kit-gap-idea").first.click()
    page.wait_for_function("() => document.querySelector('.kit-tray-gaps').textContent.includes('Idea tehty')",
                           timeout=15_000)
    ideas = [i["text"] for i in store.ideas(ws["id"])]
    assert f"Tarjottimelta puuttuu: {gap_text}" in ideas
    shot(page, "facilitator-tray")
    fac.close()
    ctx.close()
