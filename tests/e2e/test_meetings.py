"""Issue 17 as a network meets it twice: meeting 1 (a map, action items with who and by when) is
followed from its start page by "Next meeting"; meeting 2 opens on "since last time" on the projector
(1920x1080) and on a phone; the facilitator ticks an item done and moves another from the Run view; the
projector shows it; the minutes of meeting 2 record both words and refer to meeting 1's minutes; the
report compares the two meetings' maps. A real `kit serve`, chromium, the SQLite file."""

import pytest

from kit.launch import start_server
from tests.e2e.conftest import PHONE, run_axe, shot

pytestmark = pytest.mark.e2e

CURRENT = "() => { const s = document.querySelector('#activities > [aria-current=step]'); return s ? s.id : null; }"


@pytest.fixture(scope="module")
def network(tmp_path_factory):
    from kit.store import Store

    folder = tmp_path_factory.mktemp("network")
    store = Store.open(folder)
    ws = store.create_workshop("Kulttuurifoorumi", "kulttuurifoorumi")
    store.set_minutes_info(ws["id"], {"date": "2027-01-15", "place": "Kirjasto"})
    h = store.add_holder(ws["id"], "Hoitotyön edustaja", "person")
    for title, due in (("Varaa sali", "2027-02-01"), ("Kysy Kelalta", "2027-02-10")):
        store.set_letter(store.add_task(ws["id"], title, due=due)["id"], h["id"], "AR")
    a = store.add_actor(ws["id"], "Kirjasto", "culture_practitioner")
    b = store.add_actor(ws["id"], "Osasto 3", "sote_professional")
    store.add_actor(ws["id"], "Kokemusasiantuntijat", "expert_by_experience")
    store.add_link(ws["id"], a["id"], b["id"], "cooperation")
    store.close()
    server = start_server(folder)
    yield server, folder
    server.stop()


def test_two_meetings_of_one_network_from_the_start_page_to_the_minutes(network, browser):
    from kit import report
    from kit.store import Store

    server, folder = network
    desk_ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fi")
    desk = desk_ctx.new_page()
    desk.goto(server.voila("00_start.ipynb", workshop=server.code))
    desk.wait_for_selector(".kit-next-meeting", timeout=90_000)
    desk.fill(".kit-next-date input", "2027-03-01")
    desk.fill(".kit-next-place input", "Kulttuuritalo")
    desk.click(".kit-next-meeting")
    desk.wait_for_function("() => document.body.innerText.includes('Kokous 2 on tehty')", timeout=30_000)
    shot(desk, "meetings-start-page")
    store = Store.open(folder)
    meetings = store.networks()[0]["meetings"]
    assert [(m["number"], m["date"], m["place"]) for m in meetings] == [(1, "2027-01-15", "Kirjasto"),
                                                                      (2, "2027-03-01", "Kulttuuritalo")]
    second = meetings[1]
    assert second["code"] in desk.inner_text(".kit-meetings")

    # the room of meeting 2: the Run view on the desk and on the projector, one phone
    run = desk_ctx.new_page()
    run.goto(server.voila("00_run.ipynb", workshop=second["code"]))
    run.wait_for_selector(".kit-stage[data-activity='join']", timeout=90_000)
    proj_ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="fi")
    projector = proj_ctx.new_page()
    projector.goto(server.voila("00_run.ipynb", workshop=second["code"], screen="dark"))
    projector.wait_for_function("() => document.documentElement.dataset.activity === 'join'", timeout=90_000)
    phone_ctx = browser.new_context(viewport=PHONE, locale="fi")
    phone = phone_ctx.new_page()
    phone.goto(server.participants.replace(server.code, second["code"]))
    phone.fill("#nickname", "Osallistuja")
    phone.click("#join-form button[type=submit]")
    phone.wait_for_function(f"() => ({CURRENT})() === 'welcome-section'", timeout=20_000)

    run.click(".kit-run-next")  # "since last time" is the meeting's second activity
    projector.wait_for_function("() => document.documentElement.dataset.activity === 'since'", timeout=30_000)
    projector.wait_for_selector(".kit-since tbody tr", timeout=30_000)
    assert projector.locator(".kit-since tbody tr").count() == 2
    assert "Varaa sali" in projector.inner_text(".kit-since") and "Hoitotyön edustaja" in projector.inner_text(".kit-since")
    phone.wait_for_function(f"() => ({CURRENT})() === 'slide-section'", timeout=20_000)
    assert "viime kerralla sovittiin" in phone.inner_text("#slide-section")
    assert run_axe(phone) == []

    run.wait_for_selector(".kit-since-row", timeout=30_000)
    run.locator(".kit-since-row", has_text="Varaa sali").locator(".kit-since-done").click()
    run.wait_for_function("() => document.body.innerText.includes('Kirjattu')", timeout=30_000)
    run.fill(".kit-since-due input", "2027-04-01")
    run.locator(".kit-since-row", has_text="Kysy Kelalta").locator(".kit-since-move").click()
    projector.wait_for_function("() => document.querySelector('.kit-since').innerText.includes('Siirretty: 2027-04-01')",
                                timeout=30_000)
    assert "Tehty" in projector.locator(".kit-since tr", has_text="Varaa sali").inner_text()
    shot(projector, "meetings-since-projector")
    shot(phone, "meetings-since-phone")

    # what the meeting recorded: the minutes of meeting 2, the report's comparison of the two maps
    text = report.Report(store, second["id"], "fi").minutes_text()
    assert "Kokous 1, 15.1.2027" in text and "Paikka: Kulttuuritalo" in text
    assert "Varaa sali (Hoitotyön edustaja): Tehty" in text and "Kysy Kelalta (Hoitotyön edustaja): Siirretty: 2027-04-01" in text
    first_text = report.Report(store, meetings[0]["id"], "fi").minutes_text()
    assert "Kysy Kelalta: Hoitotyön edustaja, 2027-02-10 mennessä" in first_text
    html = report.Report(store, second["id"], "fi").map_section()
    assert "Muutos edellisen kokouksen (nro 1) kartasta" in html
    store.close()
    for ctx in (desk_ctx, proj_ctx, phone_ctx):
        ctx.close()
