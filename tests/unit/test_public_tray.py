"""Issue 19, item 5: the network's service tray as a public page, /kit/public/tray/{network}: only when the
facilitator publishes it, the same address in every meeting, filters, a QR code, fi/sv/en and plain
language, everything escaped; anonymous feedback per activity (a form, no script), limited per address
like joining, refused with a message that changes nothing, and counted for the organisers with the small
counts held back."""

import urllib.error
import urllib.parse
import urllib.request

import pytest

from kit.errors import KitError
from kit.server.public_tray import PublicTrayPage
from kit.ui.tray import TrayApp

HOSTILE = "<script>alert(1)</script>"


@pytest.fixture
def tray_ws(store):
    ws = store.create_workshop("Tarjotin", "osallisuusverkosto", "fi")
    store.add_activity(ws["id"], {"name": "Metsäkävely " + HOSTILE, "step_level": 1, "place": "Kirjasto",
                                  "days": ["tue"], "languages": ["fi", "sv"], "cost": "0"})
    store.add_activity(ws["id"], {"name": "Kuoro", "step_level": 3, "place": "Seurakuntatalo", "days": ["thu"],
                                  "languages": ["fi"], "cost": "5"})
    return ws


def test_the_tray_is_public_only_when_published_and_feedback_is_counted_with_small_counts_held_back(store, tray_ws):
    nid = store.network_of(tray_ws["id"])["id"]
    with pytest.raises(KitError) as err:
        store.public_tray(nid)
    assert err.value.code == "unknown_tray" and err.value.status == 404
    store.publish_tray(tray_ws["id"], True)
    net, acts = store.public_tray(str(nid))
    assert net["id"] == nid and len(acts) == 2
    # the network's own form keeps the switch (it edits other fields)
    store.set_network_info(tray_ws["id"], {"name": "Verkosto", "municipality": "Kajaani"})
    assert store.public_tray(nid)[0]["name"] == "Verkosto"
    walk = acts[0]["id"] if acts[0]["name"].startswith("Metsä") else acts[1]["id"]
    for rating in ("good", "good", "ok", "bad"):
        store.add_tray_feedback(nid, walk, rating, HOSTILE)
    few = store.tray_feedback(tray_ws["id"])[walk]
    assert few == {"n": 4, "good": None, "ok": None, "bad": None, "comments": [], "suppressed": True}
    store.add_tray_feedback(nid, walk, "good", None, "sv")
    five = store.tray_feedback(tray_ws["id"])[walk]
    assert (five["n"], five["good"], five["ok"], five["bad"]) == (5, 3, 1, 1) and five["comments"] == [HOSTILE] * 4
    for bad in [(nid, walk, "great", None), (nid, 999999, "good", None), (nid, "x", "good", None),
                (nid, walk, "good", "x" * 501)]:
        with pytest.raises(KitError):
            store.add_tray_feedback(*bad)
    assert store.tray_feedback(tray_ws["id"])[walk]["n"] == 5  # refusals stored nothing
    # a later meeting of the network: the same tray at the same address
    later, _ = store.next_meeting(tray_ws["id"])
    assert store.network_of(later["id"])["id"] == nid and len(store.public_tray(nid)[1]) == 2
    store.publish_tray(later["id"], False)
    with pytest.raises(KitError):
        store.public_tray(nid)


def published(kit_server) -> tuple[int, list[dict]]:
    store = kit_server.store()
    ws = store.workshop_by_code(kit_server.code)
    if not store.activities(ws["id"]):
        store.add_activity(ws["id"], {"name": "Puutarha " + HOSTILE, "step_level": 1, "place": "Kylätalo",
                                      "days": ["mon"], "languages": ["fi"], "cost": "0"})
        store.add_activity(ws["id"], {"name": "Linturetki", "step_level": 2, "place": "Suo", "days": ["sat"],
                                      "languages": ["sv"], "cost": "10"})
    store.publish_tray(ws["id"], True)
    nid = store.network_of(ws["id"])["id"]
    acts = store.activities(ws["id"])
    store.close()
    return nid, acts


def post(kit_server, nid, fields: dict, query: str = "lang=en"):
    return kit_server.request("POST", f"/kit/public/tray/{nid}/feedback?{query}",
                              urllib.parse.urlencode(fields).encode(),
                              {"Content-Type": "application/x-www-form-urlencoded"})


@pytest.mark.parametrize("lang,words", [("fi", "palvelutarjotin"), ("sv", "servicebricka"), ("en", "service tray")])
def test_the_public_page_shows_the_tray_escaped_with_filters_and_a_qr_code(kit_server, lang, words):
    nid, acts = published(kit_server)
    status, headers, body = kit_server.request("GET", f"/kit/public/tray/{nid}?lang={lang}")
    page = body.decode()
    assert status == 200 and words in page and f'lang="{lang}"' in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and HOSTILE not in page
    assert "<svg" in page and f"/kit/public/tray/{nid}" in page  # the QR code of its own address
    assert page.count('<article class="card activity"') == 2 and 'name="rating"' in page
    assert headers["Content-Security-Policy"] and "<script" not in page.split("</head>")[1]  # no script needed
    status, _, body = kit_server.request("GET", f"/kit/public/tray/{nid}?lang={lang}&language=sv")
    assert body.decode().count('<article class="card activity"') == 1 and "Linturetki" in body.decode()
    plain = kit_server.request("GET", f"/kit/public/tray/{nid}?lang=fi&plain=1")[2].decode()
    assert "Tässä on toimintoja kaikille" in plain


def test_an_unpublished_or_unknown_tray_is_a_404_page_in_the_readers_language(kit_server):
    status, _, body = kit_server.request("GET", "/kit/public/tray/987654?lang=sv")
    assert status == 404 and "Servicebrickan hittades inte" in body.decode()
    assert kit_server.request("GET", "/kit/public/tray/abc")[0] == 404


def test_feedback_from_the_public_page_comes_back_with_thanks_and_a_refusal_keeps_what_was_typed(kit_server):
    nid, acts = published(kit_server)
    aid = acts[0]["id"]
    store = kit_server.store()
    before = store.tray_feedback(acts[0]["workshop_id"]).get(aid, {"n": 0})["n"]
    req = urllib.request.Request(f"{kit_server.base}/kit/public/tray/{nid}/feedback?lang=en&language=fi",
                                 data=urllib.parse.urlencode({"activity": aid, "rating": "good",
                                                              "comment": HOSTILE}).encode(), method="POST")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        urllib.request.build_opener(NoRedirect).open(req, timeout=30)
        raise AssertionError("a redirect was expected")
    except urllib.error.HTTPError as e:
        assert e.code == 303
        where = e.headers["Location"]
    assert f"/kit/public/tray/{nid}?" in where and f"thanks={aid}" in where and "language=fi" in where
    assert where.endswith(f"#activity-{aid}")
    page = kit_server.request("GET", where.split("#")[0].replace(kit_server.base, ""))[2].decode()
    assert "Thank you for your feedback!" in page
    status, _, body = post(kit_server, nid, {"activity": aid, "comment": "Hyvä " + HOSTILE}, "lang=sv")
    page = body.decode()
    assert status == 400 and "Välj en" in page and "Hyvä &lt;script&gt;" in page  # what was typed stays, escaped
    assert post(kit_server, nid, {"activity": 999999, "rating": "good"})[0] == 404
    assert store.tray_feedback(acts[0]["workshop_id"])[aid]["n"] == before + 1
    store.close()


def test_feedback_is_limited_per_address_like_joining(kit_server):
    nid, acts = published(kit_server)
    lim = PublicTrayPage.limiter
    saved, lim.per_minute = lim.per_minute, 2
    lim.hits.clear()
    store = kit_server.store()
    if store.postgres:
        with store._tx(write=True) as conn:
            conn.exec_driver_sql("DELETE FROM rate_hits")
    try:
        before = store.tray_feedback(acts[1]["workshop_id"]).get(acts[1]["id"], {"n": 0})["n"]
        # two pass (followed to the page with its thanks), the third is held back and stores nothing
        answers = [post(kit_server, nid, {"activity": acts[1]["id"], "rating": "ok"}) for _ in range(3)]
        assert [a[0] for a in answers] == [200, 200, 429]
        assert "Thank you" in answers[0][2].decode() and "Too much feedback" in answers[2][2].decode()
        assert store.tray_feedback(acts[1]["workshop_id"])[acts[1]["id"]]["n"] == before + 2
    finally:
        lim.per_minute = saved
        lim.hits.clear()
        store.close()


def test_the_facilitator_publishes_the_tray_and_sees_feedback_per_activity(store, tray_ws):
    app = TrayApp(store, code=tray_ws["code"], lang="en", poll=False)
    assert "stays the same in every meeting" in app.public_link.value
    app.public_box.value = True
    nid = store.network_of(tray_ws["id"])["id"]
    assert app.public_url().endswith(f"/kit/public/tray/{nid}") and "<svg" in app.public_link.value
    aid = store.activities(tray_ws["id"])[0]["id"]
    store.add_tray_feedback(nid, aid, "good")
    app.refresh()
    assert "1 answer (counts shown from 5 answers)" in app.table.value
    for _ in range(4):
        store.add_tray_feedback(nid, aid, "bad")
    app.refresh()
    assert "5: good 1, OK 0, not good 4" in app.table.value
    from kit import report

    assert "5: good 1, OK 0, not good 4" in report.Report(store, tray_ws["id"], "en").tray_section()
