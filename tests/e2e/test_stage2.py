"""Stage 2 end to end, in a real browser against a real `kit serve`:

* 30 participant pages cast budgeting ballots at the same moment; exactly 30 are stored and the
  Voila projector shows 30 / 30 and both rules;
* a shared tablet in kiosk mode gives three people three ballots, each confirmed by the PIN the
  facilitator's Voila page shows;
* a paper ballot entered twice differently in the Voila projector is caught, and counts once the
  entries agree.
"""

import time

import pytest

from kit import budgeting
from kit.launch import start_server
from tests.e2e.conftest import PHONE, TABLET, run_axe, shot

pytestmark = pytest.mark.e2e

PROJECTS = {"Lähipuiston penkit": "12000", "Yhteisöpuutarha": "8000", "Esteetön sisäänkäynti": "15000",
            "Luontopolun opasteet": "3000", "<b>Bänditila</b>": "6000"}
VOTERS = 30


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = start_server(tmp_path_factory.mktemp("stage2-data"))
    yield s
    s.stop()


def choices_of(n: int, names: list[str]) -> list[str]:
    """A spread of ballots: everyone picks 1-3 projects, by a fixed pattern."""
    return [names[(n + k * 2) % len(names)] for k in range(1 + n % 3)]


def test_thirty_phones_vote_in_a_budgeting_round_at_once(server, browser):
    store = server.store()
    ws = store.workshop_by_code(server.code)
    for name, cost in PROJECTS.items():
        store.add_idea(ws["id"], name, cost=cost)
    fac = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fi")
    start = fac.new_page()
    start.goto(server.voila("00_start.ipynb", workshop=server.code))
    start.wait_for_selector(".kit-start-round", timeout=90_000)
    start.select_option(".kit-method select", label="Osallistuva budjetointi")
    start.fill(".kit-budget input", "25000")
    start.click(".kit-start-round")
    start.wait_for_selector(".kit-ok", timeout=15_000)
    rnd = store.current_round(ws["id"])
    assert rnd["method"] == "pb" and rnd["status"] == "open"

    contexts, pages = [], []
    for i in range(VOTERS):  # one browser context per phone: each has its own storage and token
        contexts.append(browser.new_context(viewport=PHONE, locale="fi"))
        page = contexts[-1].new_page()
        page.goto(server.participants)
        page.click("#join-form button[type=submit]")
        pages.append(page)
    for page in pages:
        page.wait_for_selector("#vote-items input.choice", timeout=30_000)
    assert run_axe(pages[0]) == [], "axe on the budgeting ballot"
    assert "Bänditila" in pages[0].locator("#vote-items").inner_text()  # typed markup shown as text
    shot(pages[0], "participant-phone-fi-budgeting")

    # every page ticks its choices at the same moment
    names = list(PROJECTS)
    at = int(time.time() * 1000) + 1500
    for n, page in enumerate(pages):
        page.evaluate("""([at, wanted]) => setTimeout(() => {
              for (const label of document.querySelectorAll('#vote-items label.choice-label')) {
                if (wanted.some(w => label.textContent.startsWith(w))) label.click();
              }
            }, Math.max(0, at - Date.now()))""", [at, choices_of(n, names)])
    for n, page in enumerate(pages):
        want = len(choices_of(n, names))
        page.wait_for_function(
            "n => document.querySelectorAll('#vote-items input:checked').length === n"
            " && document.getElementById('status').textContent.includes('Tallennettu')", arg=want, timeout=30_000)

    # exactly one ballot per phone, with what each phone ticked (the last change counts)
    ballots = store.round_ballots(rnd["id"])
    assert len(ballots) == VOTERS
    ids = {i["text"]: i["id"] for i in store.round_items(rnd["id"])}
    got = sorted(sorted(b["marks"]) for b in ballots)
    want = sorted(sorted(ids[x] for x in choices_of(n, names)) for n in range(VOTERS))
    assert got == want

    # the projector shows them, and both rules once revealed
    projector = fac.new_page()
    projector.goto(server.voila("02_ideas_and_voting.ipynb", workshop=server.code))
    projector.wait_for_selector(".kit-results-box", timeout=90_000)
    projector.wait_for_function("() => document.querySelector('.kit-ballots').textContent.trim() === '30 / 30'",
                                timeout=15_000)
    projector.click(".kit-reveal")
    projector.wait_for_selector(".kit-pb-mes [data-funded]", timeout=15_000)
    e = store.election(rnd["id"])
    for rule, outcome in (("greedy", budgeting.greedy(e)), ("mes", budgeting.mes(e))):
        shown = projector.locator(f".kit-pb-{rule} [data-funded]").evaluate_all(
            "els => els.map(e => e.dataset.funded)")
        assert shown == outcome.funded
    shot(projector, "projector-budgeting")
    # the participants see the result too, with what is funded
    pages[0].wait_for_selector("#results:not([hidden]) li", timeout=15_000)
    for ctx in contexts:
        ctx.close()
    fac.close()


def test_shared_tablet_gives_three_people_three_ballots(server, browser):
    store = server.store()
    ws = store.workshop_by_code(server.code)
    fac = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en")
    start = fac.new_page()
    start.goto(server.voila("00_start.ipynb", workshop=server.code, lang="en"))
    start.wait_for_selector(".kit-start-round", timeout=90_000)
    start.select_option(".kit-method select", index=2)  # ranking
    start.click(".kit-start-round")
    start.wait_for_selector(".kit-ok", timeout=15_000)
    rnd = store.current_round(ws["id"])
    assert rnd["method"] == "ranking"
    start.click(".kit-kiosk-start")
    start.wait_for_selector(".kit-kiosk-pin", timeout=15_000)
    pin = start.locator(".kit-kiosk-pin").inner_text().strip()
    link = start.locator(".kit-kiosk-link").get_attribute("href")
    assert f"/kit/join/{server.code}?kiosk=1#tablet=" in link

    tablet = browser.new_context(viewport=TABLET, locale="fi").new_page()
    tablet.goto(link.replace("?kiosk=1", "?kiosk=1&lang=fi"))
    assert tablet.locator("#join-section").is_hidden()
    assert run_axe(tablet) == [], "axe on the kiosk page"
    tablet.fill("#kiosk-pin", "000000" if pin != "000000" else "111111")
    tablet.click("#kiosk-form button[type=submit]")
    tablet.wait_for_selector("#alert:not([hidden])")
    assert "PIN" in tablet.locator("#alert").inner_text()

    plans = [("resident", [0, 1]), ("expert_by_experience", [2]), ("", [1, 0, 3])]
    for group, ranks in plans:
        tablet.fill("#kiosk-pin", pin)
        if group:
            tablet.select_option("#kiosk-group", group)
        tablet.click("#kiosk-form button[type=submit]")
        tablet.wait_for_selector("#vote-section:not([hidden]) .rank-add", timeout=15_000)
        for pos in ranks:
            # the pos-th option of the round, added to the ranking in the order of the plan
            item = store.round_items(rnd["id"])[pos]["id"]
            tablet.click(f"#vote-items li:has(#idea-{item}) button.rank-add")
            tablet.wait_for_function("() => document.getElementById('status').textContent.includes('Tallennettu')",
                                     timeout=10_000)
        if group == "resident":
            assert run_axe(tablet) == [], "axe on the ranking ballot"
            shot(tablet, "participant-tablet-fi-kiosk-ranking")
        tablet.click("#kiosk-done-button")
        tablet.wait_for_selector("#kiosk-section:not([hidden])")
        assert tablet.locator("#vote-section").is_hidden()

    ballots = store.round_ballots(rnd["id"])
    assert len(ballots) == 3
    assert {b["source"] for b in ballots} == {"kiosk"}
    items = [i["id"] for i in store.round_items(rnd["id"])]
    assert sorted((b["group"] or "", [i for i, _ in sorted(b["marks"].items(), key=lambda kv: kv[1])])
                  for b in ballots) == sorted((g, [items[p] for p in r]) for g, r in plans)
    tablet.context.close()
    fac.close()


def test_paper_ballot_entered_twice_differently_is_caught(server, browser):
    store = server.store()
    ws = store.workshop_by_code(server.code)
    rnd = store.current_round(ws["id"])  # the ranking round of the test above, still open
    before = store.ballot_count(rnd["id"])
    fac = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en")
    projector = fac.new_page()
    projector.goto(server.voila("02_ideas_and_voting.ipynb", workshop=server.code))
    projector.wait_for_selector(".kit-results-box", timeout=90_000)
    projector.get_by_text("Paperiliput", exact=True).click()
    projector.wait_for_selector(".kit-paper-serial input", state="visible", timeout=10_000)
    assert projector.locator(".kit-paper-print").get_attribute("href").startswith("data:text/html")

    def enter(serial, marks):
        projector.fill(".kit-paper-serial input", serial)
        projector.fill(".kit-paper-marks input", marks)
        projector.click(".kit-paper-enter")

    enter("41", "2, 1")
    projector.wait_for_selector(".kit-ok", timeout=10_000)
    enter("41", "1, 2")
    projector.wait_for_selector(".kit-msg", timeout=10_000)
    assert "poikkeaa" in projector.locator(".kit-msg").inner_text()
    assert store.ballot_count(rnd["id"]) == before
    enter("41", "2, 1")
    projector.wait_for_function(
        "() => (document.querySelector('.kit-ok') || {}).textContent?.includes('41')", timeout=10_000)
    assert store.ballot_count(rnd["id"]) == before + 1
    paper = [b for b in store.round_ballots(rnd["id"]) if b["source"] == "paper"]
    items = [i["id"] for i in store.round_items(rnd["id"])]
    assert len(paper) == 1 and paper[0]["marks"] == {items[1]: 1, items[0]: 2}
    fac.close()
