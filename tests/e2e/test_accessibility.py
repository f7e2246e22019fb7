"""Accessibility and inclusion end to end, against a real `kit serve` and Debian's chromium:

* axe-core on every participant page (code entry, join, the page with every activity open,
  the shared tablet) in fi, sv and en, in standard and plain language; and on the projector view
  (projector mode, light and dark) in all three languages: no WCAG 2.1 A/AA violation;
* a keyboard-only run: join, send an idea, vote, answer the form, withdraw;
* 200 % zoom on a 390 px wide phone: nothing cut off, no sideways scrolling;
* the shared tablet on every activity (idea, vote, form), and withdrawal from one's own page;
* screenshots of each participant page at phone size in test-artifacts/."""

import pytest

from kit import sample
from kit.launch import start_server
from kit.store import Store
from kit.ui.start import start_round
from tests.e2e.conftest import PHONE, run_axe, shot

pytestmark = pytest.mark.e2e

LANGS = ("fi", "sv", "en")
METHOD = {"fi": ("dots", None), "sv": ("approval", {"min": 1, "max": 2}), "en": ("ranking", {"k": 3})}


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    """The demo workshop with every participant activity open: ideas, map suggestions, tasks, the
    service tray, a feedback form and a vote; shared-tablet mode on."""
    data = tmp_path_factory.mktemp("a11y-data")
    store = Store.open(data)
    ws = sample.load_demo(store)
    for key in ("map_open", "tasks_open", "tray_open"):
        store.set_setting(ws["id"], key, True)
    form = store.create_form(ws["id"], "Palaute", [{"kind": "scale", "text": "Tunsin kuuluvani joukkoon"},
                                                    {"kind": "choice", "text": "Tuletko uudelleen?",
                                                     "choices": ["Kyllä", "Ehkä"]},
                                                    {"kind": "text", "text": "Mikä oli parasta?"}], 1)
    store.set_form_status(form["id"], "open")
    pin, tablet = store.start_kiosk(ws["id"])
    store.close()
    server = start_server(data)
    yield server, ws, (pin, tablet)
    server.stop()


def open_round(server, ws, lang):
    method, options = METHOD[lang]
    store = server.store()
    ideas = [i["id"] for i in store.ideas(ws["id"]) if i["status"] == "visible"][:4]
    return start_round(store, ws["id"], f"Äänestys {lang}", method, options=options, idea_ids=ideas)


def join_url(server, ws, lang, plain=False, kiosk=None):
    """The join link; with kiosk (the tablet key) the shared tablet's, as the start page gives it."""
    base = server.participants.replace(server.code, ws["code"])
    return f"{base}?lang={lang}" + ("&plain=1" if plain else "") + (f"&kiosk=1#tablet={kiosk}" if kiosk else "")


def no_violations(page, what):
    found = run_axe(page)
    assert found == [], f"axe on {what}: {found}"


@pytest.mark.parametrize("lang", LANGS)
def test_every_participant_page_passes_axe_standard_and_plain(env, browser, lang):
    server, ws, (_, tablet) = env
    open_round(server, ws, lang)
    for plain in (False, True):
        tag = f"{lang}{'-plain' if plain else ''}"
        ctx = browser.new_context(viewport=PHONE, locale=lang)
        p = ctx.new_page()
        p.goto(server.participants.split("/kit/join")[0] + f"/kit/join?lang={lang}" + ("&plain=1" if plain else ""))
        assert p.locator("html").get_attribute("lang") == lang
        no_violations(p, f"the code page ({tag})")
        p.goto(join_url(server, ws, lang, plain))
        assert p.locator("html").get_attribute("lang") == lang
        assert (p.locator("body.plain").count() == 1) is plain
        no_violations(p, f"the join page ({tag})")
        shot(p, f"participant-phone-{tag}-join")
        p.click("#join-form button[type=submit]")
        p.wait_for_selector("#menu:not([hidden])", timeout=15_000)
        p.evaluate("() => { document.getElementById('menu').open = true; }")  # privacy is behind the menu
        for section in ("idea", "map", "tasks", "tray", "form", "vote", "privacy"):
            p.wait_for_selector(f"#{section}-section:not([hidden])", timeout=15_000)
        p.wait_for_selector("#vote-items li", timeout=15_000)
        p.wait_for_selector(".tray-item", timeout=15_000)
        no_violations(p, f"the page with every activity ({tag})")
        shot(p, f"participant-phone-{tag}-all-activities")
        if plain:  # the plain wording and a pictogram are really there
            words = {"fi": "Kerro ideasi", "sv": "Berätta din idé", "en": "Tell us your idea"}[lang]
            assert p.locator("#idea-heading").inner_text() == words
            icon = p.evaluate("() => getComputedStyle(document.getElementById('idea-heading'), '::before')"
                              ".getPropertyValue('mask-image')")
            assert icon.startswith("url(")
        p.goto(join_url(server, ws, lang, plain, kiosk=tablet))
        no_violations(p, f"the shared tablet ({tag})")
        ctx.close()


@pytest.mark.parametrize("lang,mode", [("fi", "dark"), ("sv", "light"), ("en", "dark")])
def test_projector_view_passes_axe_and_keeps_the_join_code_on_screen(env, browser, lang, mode):
    server, ws, _ = env
    store = server.store()
    rnd = open_round(server, ws, "fi")  # a dot vote with some ballots, results revealed
    items = [i["id"] for i in store.round_items(rnd["id"])]
    for n, person in enumerate(store.participants(ws["id"])[:6]):
        store.save_ballot(rnd["id"], person["id"], {"dots": {items[n % 2]: 1}})
    store.set_results_visible(rnd["id"], True)
    ctx = browser.new_context(viewport={"width": 1280, "height": 720}, locale=lang)
    page = ctx.new_page()
    page.goto(server.voila("02_ideas_and_voting.ipynb", workshop=ws["code"], screen=mode, lang=lang))
    page.wait_for_selector(f".kit-app.kit-projector.kit-{mode} .kit-results", timeout=90_000)
    page.wait_for_timeout(500)
    assert page.locator("html").get_attribute("lang") == lang  # the view's language, for screen readers
    page.evaluate((__import__("pathlib").Path(__file__).parent / "node_modules/axe-core/axe.min.js").read_text())
    result = page.evaluate("() => axe.run(document.querySelector('.kit-app'), {runOnly: {type: 'tag', values: "
                           "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})")
    assert [v["id"] for v in result["violations"]] == [], [(v["id"], [n["target"] for n in v["nodes"]][:5]) for v in result["violations"]]
    # the room sees the code and the top of the list, not the forms
    assert page.locator(".kit-join .code").is_visible()
    assert not page.locator(".kit-pick-idea").is_visible()
    shown = page.locator(".kit-results li:visible").count()
    assert 1 <= shown <= 5
    page.mouse.wheel(0, 3000)
    page.wait_for_timeout(300)
    box = page.locator(".kit-join").bounding_box()
    assert box is not None and box["y"] < 720 and box["y"] + box["height"] > 0  # sticky: still on screen
    if mode == "dark":
        bg = page.evaluate("() => getComputedStyle(document.querySelector('.kit-app')).backgroundColor")
        assert bg == "rgb(0, 0, 0)"
    shot(page, f"projector-{mode}-{lang}")
    ctx.close()


def tab_to(page, selector, limit=80):
    """Press Tab until `selector` has the focus; check that the focus is visible on the way."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
            assert outline != "none", f"no visible focus on {selector}"
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_keyboard_only_join_idea_vote_form_and_withdraw(env, browser):
    server, ws, _ = env
    store = server.store()
    rnd = open_round(server, ws, "fi")  # dots
    ctx = browser.new_context(viewport=PHONE, locale="fi")
    p = ctx.new_page()
    p.goto(join_url(server, ws, "fi"))
    tab_to(p, "#nickname")
    p.keyboard.type("Näppis")
    tab_to(p, "#group")
    p.keyboard.press("ArrowDown")  # the first group
    tab_to(p, "#join-form button")
    p.keyboard.press("Enter")
    p.wait_for_function("() => document.activeElement.id === 'idea-text'", timeout=15_000)  # focus moves on
    p.keyboard.type("Näppäimistöllä lähetetty idea")
    tab_to(p, "#idea-form button")
    p.keyboard.press("Enter")
    p.wait_for_function("() => document.getElementById('my-ideas').textContent.includes('Näppäimistöllä')",
                        timeout=10_000)
    p.wait_for_selector("#vote-items li", timeout=15_000)
    tab_to(p, "#vote-items li:first-child button.plus")
    p.keyboard.press("Enter")
    p.wait_for_function("() => document.getElementById('status').textContent.includes('Tallennettu')", timeout=10_000)
    me = next(x for x in store.participants(ws["id"]) if x["nickname"] == "Näppis")
    ballot = store.ballot_of(rnd["id"], me["id"])
    assert ballot is not None and sum(ballot["dots"].values()) == 1
    # the form: a radio group by arrow keys, then send
    tab_to(p, "input[name='f-q1']")
    p.keyboard.press("ArrowRight")
    p.keyboard.press("ArrowRight")
    tab_to(p, "#feedback-form button")
    p.keyboard.press("Enter")
    p.wait_for_function("() => document.getElementById('status').textContent.includes('Kiitos')", timeout=10_000)
    form = store.open_form(ws["id"])
    assert any(r["participant_id"] == me["id"] for r in store.responses(form["id"]))
    # withdraw: two steps, no dialog, focus lands on the safe choice first
    dialogs = []
    p.on("dialog", lambda d: dialogs.append(d))
    tab_to(p, "#menu > summary")  # privacy and withdrawal wait behind the page's menu
    p.keyboard.press("Enter")
    tab_to(p, "#withdraw-button")
    p.keyboard.press("Enter")
    assert p.evaluate("() => document.activeElement.id") == "withdraw-no"
    tab_to(p, "#withdraw-yes")
    p.keyboard.press("Enter")
    p.wait_for_function("() => document.getElementById('status').textContent.includes('Poistettu')", timeout=10_000)
    assert dialogs == []
    assert p.locator("#join-section").is_visible() and not p.locator("#privacy-section").is_visible()
    assert "Näppäimistöllä lähetetty idea" not in [i["text"] for i in store.ideas(ws["id"])]
    assert store.ballot_of(rnd["id"], me["id"]) is None
    assert not any(r["participant_id"] == me["id"] for r in store.responses(form["id"]))
    ctx.close()


def test_200_percent_zoom_on_a_phone_cuts_nothing_off(env, browser):
    """A 390 px phone at 200 % zoom lays the page out in 195 CSS pixels."""
    server, ws, _ = env
    open_round(server, ws, "fi")
    ctx = browser.new_context(viewport={"width": 195, "height": 422}, device_scale_factor=2, locale="fi")
    p = ctx.new_page()
    for plain in (False, True):
        p.goto(join_url(server, ws, "fi", plain))
        p.click("#join-form button[type=submit]")
        p.wait_for_selector("#vote-items li", timeout=15_000)
        p.wait_for_selector(".tray-item", timeout=15_000)
        overflow = p.evaluate("""() => {
          const w = document.documentElement.clientWidth, bad = [];
          if (document.documentElement.scrollWidth > w + 1) bad.push('page scrolls sideways: ' + document.documentElement.scrollWidth);
          for (const el of document.querySelectorAll('body *')) {
            const r = el.getBoundingClientRect(), cs = getComputedStyle(el);
            if (!r.width || cs.visibility === 'hidden') continue;
            if (r.right > w + 1) bad.push((el.id || el.className || el.tagName) + ' ends at ' + Math.round(r.right));
            if (cs.overflowX !== 'visible' && el.scrollWidth > el.clientWidth + 1 && el.tagName !== 'TEXTAREA'
                && el.tagName !== 'SELECT') bad.push((el.id || el.tagName) + ' clips its content');
          }
          return bad.slice(0, 10);
        }""")
        assert overflow == [], overflow
        shot(p, "participant-phone-fi-zoom200" + ("-plain" if plain else ""))
        p.evaluate("() => localStorage.clear()")
    ctx.close()


def test_shared_tablet_on_every_activity(env, browser):
    """On the shared tablet a voter sends an idea, votes and answers the form; "I am done" hands
    the tablet on with nothing of theirs left on it."""
    server, ws, (pin, tablet) = env
    store = server.store()
    rnd = open_round(server, ws, "fi")
    ctx = browser.new_context(viewport={"width": 768, "height": 1024}, locale="fi")
    t = ctx.new_page()
    t.goto(join_url(server, ws, "fi", kiosk=tablet))
    t.fill("#kiosk-pin", pin)
    t.click("#kiosk-form button[type=submit]")
    t.wait_for_selector("#idea-section:not([hidden])", timeout=15_000)
    t.fill("#idea-text", "Tabletilta lähetetty idea")
    t.click("#idea-form button[type=submit]")
    t.wait_for_function("() => document.getElementById('my-ideas').textContent.includes('Tabletilta')", timeout=10_000)
    t.wait_for_selector("#vote-items li .controls button", timeout=15_000)
    t.locator("#vote-items li").first.locator("button.plus").click()
    t.wait_for_function("() => document.getElementById('status').textContent.includes('Tallennettu')", timeout=10_000)
    t.check("input[name='f-q1'][value='4']", force=True)
    t.click("#feedback-form button[type=submit]")
    t.wait_for_function("() => document.getElementById('status').textContent.includes('Kiitos')", timeout=10_000)
    voter = next(x for x in store.participants(ws["id"]) if x["kind"] == "kiosk"
                 and any(i["text"] == "Tabletilta lähetetty idea" for i in store.ideas_of(x["id"])))
    assert store.ballot_of(rnd["id"], voter["id"]) is not None
    assert any(r["participant_id"] == voter["id"] for r in store.responses(store.open_form(ws["id"])["id"]))
    t.click("#kiosk-done-button")
    t.wait_for_selector("#kiosk-section:not([hidden])", timeout=10_000)
    assert t.locator("#my-ideas").inner_text() == "" and t.evaluate("() => localStorage.length") == 0
    ctx.close()
