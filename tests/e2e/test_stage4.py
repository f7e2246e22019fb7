"""Stage 4 end to end: three phones answer a feedback form; the Voila page shows only how many have
answered until the threshold (3 here) is reached, then the mean; open answers only once approved."""

import pytest

from kit.launch import start_server
from tests.e2e.conftest import PHONE, run_axe, shot

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = start_server(tmp_path_factory.mktemp("stage4-data"))
    yield s
    s.stop()


def test_three_phones_answer_and_the_aggregate_waits_for_the_threshold(server, browser):
    fac = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fi")
    page = fac.new_page()
    page.goto(server.voila("04_evaluation.ipynb", workshop=server.code))
    page.wait_for_selector(".kit-form-open", timeout=90_000)
    page.fill(".kit-form-min input", "3")
    page.fill(".widget-textarea textarea >> nth=0", "Kuuluin ryhmään\ntext:Mitä haluat sanoa?")
    page.click(".kit-form-open")
    page.wait_for_selector(".kit-answers", timeout=15_000)

    phones = []
    for n, (score, said) in enumerate(((5, "Hyvä <script>alert(1)</script>"), (4, "Mukavaa"), (3, "Lisää tällaista"))):
        ctx = browser.new_context(viewport=PHONE, locale="fi")
        p = ctx.new_page()
        p.goto(server.participants)
        p.click("#join-form button[type=submit]")
        p.wait_for_selector("#form-section:not([hidden]) input[type=radio]", timeout=15_000)
        if n == 0:
            assert run_axe(p) == [], "axe on the feedback form"
        p.check(f"input[name='f-c0'][value='{score}']")
        if said:
            p.fill("#f-c1", said)
        p.click("#feedback-form button[type=submit]")
        p.wait_for_function("() => document.getElementById('status').textContent.includes('Kiitos')", timeout=10_000)
        phones.append(ctx)
        if n < 2:  # under the threshold: only the count, never the mean
            page.wait_for_function(f"() => document.querySelector('.kit-answers').textContent.trim() === '{n + 1}'",
                                   timeout=15_000)
            assert page.locator(".kit-mean").count() == 0
            assert page.locator(".kit-suppressed").count() == 1
    shot(p, "participant-phone-fi-feedback")
    page.wait_for_selector(".kit-mean", timeout=15_000)
    assert page.locator(".kit-mean").get_attribute("data-mean") == "4.00"
    # open answers wait for approval (and for the threshold too), then show as text
    assert "Hyvä <script>" not in page.locator(".kit-form-results").inner_text()
    # the approval rows arrive as their own widget update, maybe a moment after the mean
    page.wait_for_function("() => document.querySelectorAll('.kit-approve-answer').length === 3", timeout=15_000)
    for left in (2, 1, 0):
        page.locator(".kit-approve-answer").first.click()
        page.wait_for_function(f"() => document.querySelectorAll('.kit-approve-answer').length === {left}",
                               timeout=15_000)
    page.wait_for_function("() => document.querySelector('.kit-form-results').textContent.includes('Hyvä <script>alert(1)</script>')",
                           timeout=15_000)
    shot(page, "facilitator-feedback")
    for ctx in phones:
        ctx.close()
    fac.close()


def test_a_licensed_instrument_on_a_phone_needs_consent_and_is_scored(server, browser):
    import yaml

    from tests.unit.test_instruments import PACK

    folder = server.data / "instruments"
    folder.mkdir(exist_ok=True)
    (folder / "synthetic.yaml").write_text(yaml.safe_dump(PACK, allow_unicode=True))
    store = server.store()
    ws = store.workshop_by_code(server.code)
    form = store.create_form(ws["id"], "Hyvinvointi", [{"id": "instrument", "kind": "instrument",
                                                        "pack": "synthetic", "text": PACK["name"]}], 1)
    store.set_form_status(form["id"], "open")
    ctx = browser.new_context(viewport=PHONE, locale="fi")
    p = ctx.new_page()
    p.goto(server.participants)
    p.click("#join-form button[type=submit]")
    p.wait_for_selector("#f-instrument-consent", timeout=15_000)
    assert "Keksitty väite 2" in p.locator("#form-section").inner_text()
    assert PACK["copyright"] in p.locator("#form-section").inner_text()
    for item in ("i1", "i2", "i3"):
        p.check(f"input[name='f-instrument-{item}'][value='2']")
    p.click("#feedback-form button[type=submit]")  # no consent yet: nothing is sent
    p.wait_for_function("() => !document.getElementById('alert').hidden", timeout=10_000)
    assert store.responses(form["id"]) == []
    p.check("#f-instrument-consent")
    p.click("#feedback-form button[type=submit]")
    p.wait_for_function("() => document.getElementById('status').textContent.includes('Kiitos')", timeout=10_000)
    (resp,) = store.responses(form["id"])
    assert resp["answers"] == {"instrument": {"consent": True, "items": {"i1": 2, "i2": 2, "i3": 2}}}
    ctx.close()
