"""The whole live path in a real browser: five tablets and phones join a real `kit serve`, send
ideas and place dots; the facilitator opens and closes the round in Voila; the projector shows
the right totals; nothing is asked from outside the server; the pages pass axe-core."""

import pytest

from kit.launch import start_server
from tests.e2e.conftest import PHONE, TABLET, run_axe, shot

pytestmark = pytest.mark.e2e

IDEAS = ["Kesäkeidas lähimetsässä", "<img src=x onerror=alert(1)>", "'; DROP TABLE ideas; --",
         "Valokuvanäyttely kirjastossa", "Community choir"]
# (viewport, language, stakeholder group, dots as (idea index, clicks: + or -))
PEOPLE = [
    (TABLET, "fi", "sote_professional", [(0, 2), (1, 1)]),
    (TABLET, "sv", "culture_practitioner", [(0, 1), (2, 2)]),
    (TABLET, "en", "resident", [(3, 3)]),
    (PHONE, "fi", "expert_by_experience", [(0, 1), (3, 1)]),
    (PHONE, "en", "", [(4, 1), (4, -1), (1, 2)]),
]
EXPECTED = {0: 4, 1: 3, 2: 2, 3: 4, 4: 0}
SAVED = {"fi": "Tallennettu", "sv": "Sparat", "en": "Saved"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = start_server(tmp_path_factory.mktemp("flow-data"))
    yield s
    s.stop()


def test_live_workshop_from_tablets_to_projector(server, browser):
    requests, dialogs = [], []

    def context(viewport, lang="fi"):
        ctx = browser.new_context(viewport=viewport, locale=lang)
        ctx.on("request", lambda r: requests.append(r.url))
        ctx.on("page", lambda p: p.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss())))
        return ctx

    fac = context({"width": 1280, "height": 900})
    start = fac.new_page()
    start.goto(server.voila("00_start.ipynb"))
    start.wait_for_selector(".kit-start-round", timeout=90_000)
    projector = fac.new_page()
    projector.goto(server.voila("02_ideas_and_voting.ipynb", workshop=server.code))
    projector.wait_for_selector(".kit-results-box", timeout=90_000)
    assert server.code in projector.locator(".kit-join .code").inner_text()

    # participants join and send ideas
    pages = []
    for i, (viewport, lang, group, _) in enumerate(PEOPLE):
        page = context(viewport, lang).new_page()
        page.goto(server.participants + f"?lang={lang}")
        assert page.locator("html").get_attribute("lang") == lang
        if i == 0:
            assert run_axe(page) == []
        page.fill("#nickname", f"Laite {i}")
        if group:
            page.select_option("#group", group)
        page.click("#join-form button[type=submit]")
        page.wait_for_selector("#idea-section:not([hidden])")
        page.fill("#idea-text", IDEAS[i])
        page.click("#idea-form button[type=submit]")
        page.wait_for_function("t => [...document.querySelectorAll('#my-ideas li')].some(li => li.textContent === t)",
                               arg=IDEAS[i])
        pages.append(page)

    # the projector shows every idea literally, within a second or two, and runs no script from it
    projector.wait_for_function(
        "n => document.querySelectorAll('.kit-idea').length >= n", arg=len(IDEAS), timeout=10_000)
    shown = projector.locator(".kit-idea").all_inner_texts()
    assert all(text in shown for text in IDEAS)
    assert projector.locator(".kit-participants").inner_text() == "5"

    # the facilitator opens a dot round with 5 dots each
    start.select_option(".kit-preset select", label="5 pistettä kullekin")
    start.click(".kit-start-round")
    ids = {}
    for i, (viewport, lang, _, plan) in enumerate(PEOPLE):
        page = pages[i]
        page.wait_for_selector("#vote-section:not([hidden]) #vote-items li", timeout=15_000)
        if not ids:
            for li in page.locator("#vote-items p.idea").all():
                ids[IDEAS.index(li.inner_text())] = int(li.get_attribute("id").split("-")[1])
        for idea, clicks in plan:
            button = f"#vote-items li:has(#idea-{ids[idea]}) button.{'plus' if clicks > 0 else 'minus'}"
            for _ in range(abs(clicks)):
                page.click(button)
        left = 5 - sum(c for _, c in plan)
        page.wait_for_function(
            "([saved, left]) => document.getElementById('status').textContent.includes(saved)"
            " && document.getElementById('dots-left').textContent.includes(String(left))",
            arg=[SAVED[lang], left], timeout=10_000)
        if i < 3:
            assert run_axe(page) == [], f"axe on the {lang} voting page"
    shot(pages[0], "participant-tablet-fi-voting")
    shot(pages[4], "participant-phone-en-voting")

    # the store holds exactly one ballot per person with the right dots
    store = server.store()
    rnd = store.current_round(store.workshop_by_code(server.code)["id"])
    ballots = store.round_ballots(rnd["id"])
    assert len(ballots) == 5
    totals = {i: sum(b["marks"].get(ids[i], 0) for b in ballots) for i in ids}
    assert totals == EXPECTED

    # the projector reveals the right totals
    assert projector.locator(".kit-results-hidden").count() == 1
    projector.click(".kit-reveal")
    for i, score in EXPECTED.items():
        projector.wait_for_selector(f".kit-results li[data-idea='{ids[i]}'][data-score='{score}']", timeout=10_000)
    assert projector.locator(".kit-ballots").inner_text() == "5 / 5"
    shot(projector, "projector-results")

    # a reloaded participant page still has its dots
    pages[0].reload()
    pages[0].wait_for_selector(f"#count-{ids[0]}")
    assert pages[0].locator(f"#count-{ids[0]}").inner_text() == "2 pistettä"
    assert pages[0].locator(f"#count-{ids[1]}").inner_text() == "1 piste"  # one dot, in the singular

    # after the round closes, pages say so and a late vote is refused without changing anything
    projector.click(".kit-close-round")
    pages[1].wait_for_selector("#vote-closed:not([hidden])", timeout=10_000)
    assert pages[1].locator(f"#vote-items li:has(#idea-{ids[1]}) button.plus").is_disabled()
    late = pages[1].evaluate(
        """async ([code, rid, idea]) => {
             const token = localStorage.getItem('kit-token:' + code);
             const r = await fetch(`/kit/api/workshops/${code}/rounds/${rid}/ballot?lang=sv`, {method: 'PUT',
               headers: {'Authorization': 'Bearer ' + token, 'Content-Type': 'application/json'},
               body: JSON.stringify({dots: {[idea]: 5}})});
             return [r.status, await r.json()];
           }""", [server.code, rnd["id"], ids[1]])
    assert late[0] == 409 and "avslutats" in late[1]["message"]
    assert [b["marks"] for b in store.round_ballots(rnd["id"])] == [b["marks"] for b in ballots]

    # nothing was asked from outside this server, and no participant text ran as script
    local = (f"http://127.0.0.1:{server.port}/", f"http://localhost:{server.port}/", f"ws://localhost:{server.port}/",
             "data:", "blob:")
    outside = sorted({u for u in requests if not u.startswith(local)})
    assert outside == []
    assert dialogs == []
    for ctx in browser.contexts:
        ctx.close()


def test_enter_code_page_in_every_language_passes_axe(server, browser):
    ctx = browser.new_context(viewport=PHONE)
    page = ctx.new_page()
    for lang in ("fi", "sv", "en"):
        page.goto(f"{server.base}/kit/join?lang={lang}")
        assert run_axe(page) == []
        page.goto(f"{server.base}/kit/join/WRONG1?lang={lang}")
        assert page.locator("[role=alert]").count() == 1
        assert run_axe(page) == []
    page.fill("#code", server.code.lower())
    page.click("button[type=submit]")
    page.wait_for_selector("#join-form")
    shot(page, "participant-phone-en-join")
    ctx.close()
