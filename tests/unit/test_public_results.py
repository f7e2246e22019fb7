"""Issue 19, item 3 (part): /kit/public/{code}/results shows what the facilitator published, to anyone
without a login, and nothing about any person; an unpublished vote is not there; in fi, sv, en and
plain language; typed text escaped."""

import re

HOSTILE = "<script>alert(1)</script>Penkit"


def page(server, code: str, query: str = "") -> tuple[int, str]:
    status, _, body = server.request("GET", f"/kit/public/{code}/results{query}")
    return status, body.decode()


def test_the_public_page_shows_only_published_results_and_no_person(kit_server):
    store = kit_server.store()
    ws = store.workshop_by_code(kit_server.code)
    status, html = page(kit_server, kit_server.code, "?lang=fi")
    assert status == 200 and "Tuloksia ei ole vielä julkaistu." in html
    ideas = [store.add_idea(ws["id"], text, cost=cost)["id"] for text, cost in
             (("Valot", "6000"), (HOSTILE, "9000"), ("Polku", "12000"))]
    pb = store.create_round(ws["id"], "Budjetointi", method="pb", options={"budget": "15000", "rule": "mes"},
                            idea_ids=ideas)
    store.open_round(pb["id"])
    hidden = store.create_round(ws["id"], "Salainen", method="approval", idea_ids=ideas)
    store.open_round(hidden["id"])
    people = []
    for n, choice in enumerate(([0, 1], [0], [1, 0], [2])):
        p, _ = store.add_participant(ws["id"], f"Nimimerkki{n}", "resident")
        people.append(p)
        store.save_ballot(pb["id"], p["id"], {"choices": [ideas[k] for k in choice]})
        store.save_ballot(hidden["id"], p["id"], {"choices": [ideas[0]]})
    status, html = page(kit_server, kit_server.code)
    assert "Budjetointi" not in html  # nothing published yet
    store.close_round(pb["id"])
    store.set_results_visible(pb["id"], True)  # the facilitator publishes
    status, html = page(kit_server, kit_server.code, "?lang=fi")
    assert status == 200 and "<h2 id=\"round-1\">Budjetointi</h2>" in html and "Salainen" not in html
    assert "4 äänesti." in html and "Tasaosuusmenetelmä" in html
    assert re.search(r"Budjetti 15\s000\s€", html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;Penkit" in html and "<script>alert" not in html
    assert "<li>Valot: 3 ääntä <strong>– rahoitetaan</strong></li>" in html  # what its one rule funds
    for p in people:  # no person: no nickname, no group
        assert p["nickname"] not in html
    assert "Asukas" not in html and "resident" not in html
    status, html = page(kit_server, kit_server.code, "?lang=sv")
    assert status == 200 and "4 röstade." in html and 'lang="sv"' in html
    status, html = page(kit_server, kit_server.code, "?lang=en&plain=1")
    assert "Here are the results of the votes. No names are shown." in html and "4 people voted." in html
    status, html = page(kit_server, "ZZZZZZ", "?lang=en")
    assert status == 404 and "ZZZZZZ" in html  # the enter-the-code page, in words
    store.close()
