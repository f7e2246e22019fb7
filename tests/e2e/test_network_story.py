"""Issue 17 as its own test says it: two meetings of one network in the browser. Meeting 1: phones send
ideas, vote in a budgeting round whose rule was fixed when it opened (the phones read the rule and see
only that rule's "funded"), and answer a baseline form that offers a pairing code (three take one: two
keep it on the phone, one writes it down; one declines); the meeting agrees its action items. Meeting 2:
the same phones join, the follow-up form asks for the code (two use the kept one, one types it, one
answers without); then the minutes of both meetings as PDFs, the summary, the paired change in the
report and the comparison of the two maps. A real `kit serve`, chromium, the SQLite file; the
facilitator's moves go through the store, as the Run view makes them (its buttons have their own tests)."""

import json
import subprocess

import pytest

from kit.launch import start_server
from tests.e2e.conftest import PHONE, run_axe, shot

pytestmark = pytest.mark.e2e

CURRENT = "() => { const s = document.querySelector('#activities > [aria-current=step]'); return s ? s.id : null; }"
SCALE = [{"kind": "scale", "text": "Koen kuuluvani joukkoon", "thl": "communities_influence"}]


@pytest.fixture(scope="module")
def story(tmp_path_factory):
    from kit.store import Store

    folder = tmp_path_factory.mktemp("story")
    store = Store.open(folder)
    ws = store.create_workshop("PORE-verkosto", "pore", "fi")
    store.set_network_info(ws["id"], {"name": "Kajaanin PORE", "organisation": "Kajaanin kaupunki",
                                      "municipality": "Kainuun hyvinvointialue", "funder": "STEA"})
    store.set_minutes_info(ws["id"], {"date": "2027-01-15", "place": "Nuorisotalo", "start": "17:00", "end": "19:00",
                                      "chair": "Nuorisotyön edustaja", "secretary": "Kulttuurituottaja"})
    store.set_min_group(ws["id"], 3)  # a small working group agreed to see itself (recorded in the minutes)
    a = store.add_actor(ws["id"], "Nuorisopalvelut", "municipality")
    b = store.add_actor(ws["id"], "Kirjasto", "municipality")
    store.add_actor(ws["id"], "Nuorisovaltuusto", "young_person")
    store.add_link(ws["id"], a["id"], b["id"], "cooperation")
    for text, cost in (("Skeittiparkin valot", "6000"), ("Kirjaston pelihuone", "9000"), ("Lampipolku", "12000")):
        store.add_idea(ws["id"], text, cost=cost)
    rnd = store.create_round(ws["id"], "Budjetointi", method="pb", options={"budget": "15000", "rule": "mes"})
    base = store.create_form(ws["id"], "Alkukysely", SCALE, 3, pairing=True)
    store.save_agenda(ws["id"], [{"type": "join"}, {"type": "vote", "config": {"round_id": rnd["id"]}},
                                 {"type": "form", "config": {"form_id": base["id"]}}, {"type": "tasks"}])
    store.close()
    server = start_server(folder)
    yield server, folder
    server.stop()


def room(store, ws_id: int, kind: str) -> None:
    """Move the room to the meeting's activity of `kind`, as the Run view's Next does."""
    pos = next(n for n, a in enumerate(store.agenda(ws_id), 1) if a["type"] == kind)
    store.move_room(ws_id, position=pos)


def join(page, url: str, name: str) -> None:
    page.goto(url)
    page.fill("#nickname", name)
    page.click("#join-form button[type=submit]")
    page.wait_for_selector("#menu:not([hidden])", timeout=20_000)


def on(page, section: str) -> None:
    page.wait_for_function(f"() => ({CURRENT})() === {json.dumps(section)}", timeout=20_000)


def answer(page, value: int) -> None:
    page.wait_for_selector("#form-questions fieldset", timeout=20_000)
    page.locator(f"#form-questions input[value='{value}']").first.check()
    page.click("#feedback-form button[type=submit]")
    page.wait_for_function("() => document.getElementById('status').textContent.includes('Kiitos')", timeout=20_000)


def test_two_meetings_of_a_budgeting_network_from_phones_to_the_filed_minutes(story, browser, tmp_path):
    from kit import report
    from kit.i18n import t
    from kit.store import Store

    server, folder = story
    store = Store.open(folder)
    first = store.workshop_by_code(server.code)
    phones = []
    for n in range(4):
        ctx = browser.new_context(viewport=PHONE, locale="fi")
        phones.append(ctx.new_page())
        join(phones[-1], server.participants, f"Nuori {n + 1}")

    # meeting 1: the budgeting vote, its rule fixed when it opened and told on the ballot
    room(store, first["id"], "vote")
    store.open_round(store.rounds(first["id"])[0]["id"])  # the Run view's "Start the vote": the rule is fixed now
    for n, page in enumerate(phones):
        on(page, "vote-section")
        assert t("pb.rule_name.mes", "fi") in page.inner_text("#vote-rules") or "tasaosuus" in page.inner_text("#vote-rules").lower()
        boxes = page.locator("#vote-items input.choice")
        boxes.nth(0).check()  # everyone wants the lights; half also the game room
        if n % 2:
            boxes.nth(1).check()
        page.wait_for_function("() => document.getElementById('status').textContent.includes('tallennettu') || "
                               "document.getElementById('status').textContent.includes('Tallennettu')", timeout=20_000)
    rnd = store.rounds(first["id"])[0]
    assert store.ballot_count(rnd["id"]) == 4 and rnd["rules"]["rule"] == "mes"
    room(store, first["id"], "form")  # leaving the vote closes it
    store.set_results_visible(rnd["id"], True)

    # the baseline: a code offered; two keep it on the phone, one writes it down, one declines
    codes = {}
    for n, page in enumerate(phones):
        on(page, "form-section")
        page.wait_for_selector("#pair-box:not([hidden])", timeout=20_000)
        if n < 3:
            page.click("#pair-get")
            page.wait_for_selector("#pair-shown:not([hidden])", timeout=20_000)
            codes[n] = page.inner_text("#pair-shown")
            page.wait_for_function("c => document.getElementById('status').textContent.includes(c)", arg=codes[n],
                                   timeout=10_000)
            assert page.is_checked("#pair-keep")
            if n == 2:
                page.uncheck("#pair-keep")  # written down instead
            assert page.is_visible("#pair-paired")
        if n == 0:
            assert run_axe(page) == []
            shot(page, "network-baseline-pairing-code")
        answer(page, 2)
    assert len(set(codes.values())) == 3
    assert phones[0].evaluate("() => localStorage.getItem('kit-pair-code')") == codes[0]
    assert phones[2].evaluate("() => localStorage.getItem('kit-pair-code')") is None
    # the meeting agrees its action items (stage 3, shared by the network)
    h = store.add_holder(first["id"], "Nuorisotyön edustaja", "person")
    for title, due in (("Pyydä tarjous valoista", "2027-02-01"), ("Varaa pelihuoneen tila", "2027-02-15")):
        store.set_letter(store.add_task(first["id"], title, due=due)["id"], h["id"], "AR")
    room(store, first["id"], "tasks")

    # meeting 2: made from meeting 1, opens on "since last time"; the follow-up asks for the code
    second, made = store.next_meeting(first["id"], date="2027-03-01", place="Kirjasto")
    assert made and second["meeting_no"] == 2
    store.set_min_group(second["id"], 3)
    store.add_link(second["id"], *[x["id"] for x in store.actors(second["id"])
                                   if x["name"] in ("Kirjasto", "Nuorisovaltuusto")], "cooperation")
    follow = store.repeat_form(store.forms(first["id"])[0]["id"], "Alkukysely (seuranta)", second["id"])
    store.save_agenda(second["id"], [{"type": "join"}, {"type": "since"},
                                     {"type": "form", "config": {"form_id": follow["id"]}}])
    later = server.participants.replace(server.code, second["code"])
    for n, page in enumerate(phones):
        join(page, later, f"Nuori {n + 1}")
    since = store.since_last_time(second["id"])
    task_ids = {r.title: r.id for r in since["items"]}
    store.review_action(second["id"], task_ids["Pyydä tarjous valoista"], "done")
    room(store, second["id"], "form")
    for n, page in enumerate(phones):
        on(page, "form-section")
        page.wait_for_selector("#pair-box:not([hidden])", timeout=20_000)
        assert page.is_hidden("#pair-get")  # a follow-up asks for the code from before
        if n < 2:
            assert codes[n] in page.inner_text("#pair-use-kept")
            page.click("#pair-use-kept")
        elif n == 2:
            assert page.is_hidden("#pair-use-kept")
            page.fill("#pair-code", "ABCD-EFGH")  # mistyped: refused in words, nothing kept
            page.click("#pair-form button[type=submit]")
            page.wait_for_function("() => document.getElementById('alert').textContent.includes('Tarkista')",
                                   timeout=20_000)
            page.fill("#pair-code", codes[2].lower().replace("-", " "))
            page.click("#pair-form button[type=submit]")
        if n < 3:
            page.wait_for_selector("#pair-paired:not([hidden])", timeout=20_000)
        if n == 2:
            assert run_axe(page) == []
            shot(page, "network-followup-code-typed")
        answer(page, 4)
    assert len(store.pair_keys([second["id"]])) == 3

    # what the meetings recorded, as a municipality files it
    rep2 = report.Report(store, second["id"], "fi")
    ev_html = rep2.evaluation_section()
    assert "Muutos: Alkukysely → Alkukysely (seuranta)" in ev_html
    assert "+2,0 (vastaajia 3)" in ev_html and "vastauksia ilman paria: 2" in ev_html
    assert "Muutos edellisen kokouksen (nro 1) kartasta" in rep2.map_section()
    text1 = report.Report(store, first["id"], "fi").minutes_text()
    assert "Budjetointi" in text1 and "rahoitetaan Skeittiparkin valot" in text1
    assert "Pyydä tarjous valoista: Nuorisotyön edustaja, 2027-02-01 mennessä" in text1
    text2 = rep2.minutes_text()
    assert "Kokous 1, 15.1.2027" in text2 and "Pyydä tarjous valoista (Nuorisotyön edustaja): Tehty" in text2
    for ws, name in ((first, "minutes-1"), (second, "minutes-2")):
        pdf, _ = report.export(store, ws["id"], "minutes_pdf", "fi")
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(path), str(tmp_path / name)],
                       check=True, timeout=120)
        words = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        assert "PÖYTÄKIRJA" in words.upper() and "§" in words
    # the published budgeting result, for anyone (issue 19): no login, no person, accessible
    public = phones[3].context.new_page()
    public.goto(f"{server.base}/kit/public/{server.code}/results?lang=fi")
    assert "Budjetointi" in public.inner_text("main") and "rahoitetaan" in public.inner_text("main")
    assert "Nuori" not in public.inner_text("body")  # nobody's nickname
    assert run_axe(public) == []
    shot(public, "network-public-results")
    summary, _ = report.export(store, second["id"], "summary", "fi")
    assert "Kajaanin PORE" in summary.decode() and "STEA" in summary.decode()
    for page in phones:
        page.context.close()
    store.close()
