"""Stage 1 end to end: the facilitator builds a map in Voila, a participant suggests an actor and a
link from a phone, the facilitator accepts them, and the map, its table and the flags update; the
map page (with its interactive map) asks nothing from outside the server."""

import pytest

from kit.launch import start_server
from tests.e2e.conftest import PHONE, run_axe, shot

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = start_server(tmp_path_factory.mktemp("stage1-data"))
    yield s
    s.stop()


def test_suggest_accept_and_see_the_map_update(server, browser):
    requests, dialogs = [], []
    fac = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fi")
    fac.on("request", lambda r: requests.append(r.url))
    page = fac.new_page()
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(server.voila("01_stakeholders.ipynb", workshop=server.code))
    page.wait_for_selector(".kit-actor-add", timeout=90_000)
    assert "Kartalla ei ole vielä toimijoita" in page.locator(".kit-map").inner_text()

    # the facilitator adds three actors and a link
    for name, sector in (("Kaupunginkirjasto", "Taide- tai kulttuuritoimija"), ("Seurakunta", "Seurakunta"),
                         ("Asukasyhdistys", "Asukas")):
        page.fill(".kit-actor-name input", name)
        page.select_option(".kit-actor-sector select", label=sector)
        page.click(".kit-actor-add")
        page.wait_for_function("n => document.querySelector('.kit-map-table')?.textContent.includes(n)",
                               arg=name, timeout=15_000)
    page.select_option(".kit-link-source select", label="Kaupunginkirjasto")
    page.select_option(".kit-link-target select", label="Seurakunta")
    page.select_option(".kit-link-type select", label="Yhteistyö")
    page.click(".kit-link-add")
    page.wait_for_function("() => document.querySelector('.kit-flags').textContent.includes('Asukasyhdistys')",
                           timeout=15_000)  # the residents' association is isolated
    page.click(".kit-map-open input")

    # a participant suggests an actor and a link from a phone
    phone = browser.new_context(viewport=PHONE, locale="fi")
    phone.on("request", lambda r: requests.append(r.url))
    p = phone.new_page()
    p.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    p.goto(server.participants)
    p.click("#join-form button[type=submit]")
    p.wait_for_selector("#map-section:not([hidden]) #link-form:not([hidden])", timeout=15_000)
    assert run_axe(p) == [], "axe on the page with the map suggestions"
    p.fill("#actor-name", "Nuorisotila <script>alert(1)</script>")
    p.select_option("#actor-sector", label="Järjestö")
    p.click("#actor-form button[type=submit]")
    p.wait_for_function("() => document.getElementById('my-suggestions').textContent.includes('odottaa ohjaajaa')")
    p.select_option("#link-source", label="Asukasyhdistys")
    p.select_option("#link-target", label="Kaupunginkirjasto")
    p.select_option("#link-type", label="Tiedonkulku")
    p.click("#link-form button[type=submit]")
    p.wait_for_function("() => document.querySelectorAll('#my-suggestions li').length === 2")
    shot(p, "participant-phone-fi-map-suggestions")

    # the facilitator sees both in the queue and accepts them
    page.wait_for_selector(".kit-suggestion[data-kind='link']", timeout=15_000)
    page.click(".widget-hbox:has(.kit-suggestion[data-kind='actor']) .kit-accept")
    page.wait_for_function(
        "() => document.querySelector('.kit-map-table').textContent.includes('Nuorisotila <script>')", timeout=15_000)
    page.click(".widget-hbox:has(.kit-suggestion[data-kind='link']) .kit-accept")
    page.wait_for_function(
        "() => !document.querySelector('.kit-suggestion')"
        " && !document.querySelector('.kit-flags').textContent.includes('Asukasyhdistys (Asukas) ei ole')",
        timeout=15_000)
    # the association is no longer isolated; the new youth club is, and the flags say so
    flags = page.locator(".kit-flags").inner_text()
    assert "Asukasyhdistys (Asukas) ei ole yhteydessä" not in flags
    assert "Nuorisotila <script>alert(1)</script> (Järjestö) ei ole yhteydessä" in flags
    srcdoc = page.locator(".kit-map-frame").get_attribute("srcdoc")
    assert "Nuorisotila" in srcdoc and "vis.DataSet" in srcdoc
    frame = page.frame_locator(".kit-map-frame")
    frame.locator("canvas").first.wait_for(timeout=15_000)  # vis-network drew the map, offline
    shot(page, "facilitator-stakeholder-map")

    # the participant sees their suggestions are on the map
    p.wait_for_function("() => (document.getElementById('my-suggestions').textContent.match(/kartalla/g) || []).length === 2",
                        timeout=15_000)
    store = server.store()
    ws = store.workshop_by_code(server.code)
    actors, links = store.map_data(ws["id"])
    assert len(actors) == 4 and len(links) == 2

    local = (f"http://127.0.0.1:{server.port}/", f"http://localhost:{server.port}/", f"ws://localhost:{server.port}/",
             "data:", "blob:", "about:")
    assert sorted({u for u in requests if not u.startswith(local)}) == []
    assert dialogs == []
    phone.close()
    fac.close()
