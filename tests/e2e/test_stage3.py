"""Stage 3 end to end: two participants volunteer from their phones with their competences, the
facilitator accepts them and assigns letters in the Voila RACI grid, and the checks and the
competence coverage update."""

import pytest

from kit.launch import start_server
from tests.e2e.conftest import PHONE, run_axe, shot

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = start_server(tmp_path_factory.mktemp("stage3-data"))
    yield s
    s.stop()


def test_volunteers_then_letters_then_checks(server, browser):
    fac = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fi")
    page = fac.new_page()
    page.goto(server.voila("03_roles.ipynb", workshop=server.code))
    page.wait_for_selector(".kit-task-add", timeout=90_000)
    page.fill(".kit-task-title input", "Retken suunnittelu")
    page.click(".kit-task-add")
    page.wait_for_function("() => document.querySelector('.kit-raci-checks').textContent.includes('Retken suunnittelu')",
                           timeout=15_000)
    page.click(".kit-tasks-open input")

    phones = []
    for n, (competence, level, button) in enumerate((("nature_methods", "2", ".offer-do"),
                                                     ("co_development", "1", ".offer-help"))):
        ctx = browser.new_context(viewport=PHONE, locale="fi")
        p = ctx.new_page()
        p.goto(server.participants)
        p.fill("#nickname", f"Vapaaehtoinen {n + 1}")
        p.select_option("#group", "resident")
        p.click("#join-form button[type=submit]")
        p.wait_for_selector("#tasks-section:not([hidden]) #task-list li", timeout=15_000)
        if n == 0:
            assert run_axe(p) == [], "axe on the page with tasks"
        p.select_option(f"#comp-{competence}", level)
        p.click(f"#task-list li {button}")
        p.wait_for_function("() => document.getElementById('my-offers').textContent.includes('odottaa')", timeout=10_000)
        assert p.locator(f"#comp-{competence}").input_value() == level  # the choice stays after offering
        phones.append((ctx, p))
    shot(phones[0][1], "participant-phone-fi-tasks")

    # the facilitator accepts both offers
    for _ in range(2):
        page.wait_for_selector(".kit-offer-accept", timeout=15_000)
        page.locator(".kit-offer-accept").first.click()
        page.wait_for_timeout(300)
    page.wait_for_function("() => !document.querySelector('.kit-offer-accept')", timeout=15_000)
    store = server.store()
    ws = store.workshop_by_code(server.code)
    (task,) = store.tasks(ws["id"])
    h1, h2 = store.holders(ws["id"])
    assert store.assignments(ws["id"]) == {(task["id"], h1["id"]): "R", (task["id"], h2["id"]): "C"}
    page.wait_for_function("() => document.querySelector('.kit-raci-checks').textContent.includes('hyväksyjää')",
                           timeout=15_000)
    page.wait_for_function(
        "() => document.querySelector('.kit-coverage').textContent.includes('Luontolähtöiset menetelmät: vain yksi osaaja')",
        timeout=15_000)

    # letters in the grid: volunteer 1 becomes accountable too, and the A error goes away
    page.select_option(f".kit-cell-{task['id']}-{h1['id']} select", label="A+R")
    page.wait_for_function("() => !document.querySelector('.kit-raci-checks').textContent.includes('ei ole hyväksyjää')",
                           timeout=15_000)
    assert store.assignments(ws["id"])[(task["id"], h1["id"])] == "AR"
    checks = page.locator(".kit-raci-checks").inner_text()
    assert "varahenkilöä" in checks and "vastuuhenkilö" in checks  # what is still missing is said
    shot(page, "facilitator-roles")

    for ctx, p in phones:
        p.wait_for_function("() => document.getElementById('my-offers').textContent.includes('vahvistettu')",
                            timeout=15_000)
        ctx.close()
    fac.close()
