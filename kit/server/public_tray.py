"""/kit/public/tray/<network>: a network's service tray as a public, read-only page for outreach
(issue 19, item 5). No login, no script needed: the filters are a GET form, the feedback on an activity
a POST form that comes back to the page. Its address stays the same across meetings (the network's
number), so printed QR codes keep working. Only what the facilitator published is shown; feedback is
anonymous, limited per network address like joining, and counted per activity for the organisers (the
tray page, with the small counts held back)."""

from __future__ import annotations

from urllib.parse import urlencode

from markupsafe import Markup

from kit import tray
from kit import workshop as wsmod
from kit.config import LIMITS
from kit.errors import KitError
from kit.i18n import label, t
from kit.server.base import RateLimiter
from kit.server.join_page import PageHandler

FILTERS = ("level", "day", "place", "language", "free")


def public_tray(store, network, lang: str, filters: dict) -> dict:
    """The published tray as the page shows it: the activities the filters leave, with what the
    filters can offer. unknown_tray (404) when the network has not published its tray."""
    net, acts = store.public_tray(network)
    ws = store.workshop(net["home_id"])
    tpl = wsmod.template(ws["template"])
    lv, gr = tray.levels(tpl), tray.groups(tpl)
    try:
        shown = tray.filter_activities(acts, level=filters.get("level") or None, day=filters.get("day") or None,
                                       place=filters.get("place") or None, language=filters.get("language") or None,
                                       free=filters.get("free") == "1")
    except ValueError:
        raise KitError("bad_field", field="level") from None

    def view(a):
        return {"id": a["id"], "name": a["name"], "level": tray.level_label(lv, a["step_level"], lang),
                "fields": tray.activity_fields(a, gr, lang)}

    return {
        "network": net, "language": ws["language"], "total": len(acts),
        "levels": [{"id": str(x["id"]), "label": f"{x['id']}. {label(x['label'], lang)}"} for x in lv],
        "days": [{"id": d, "label": tray.day_label(d, lang)} for d in tray.DAYS],
        "places": sorted({a["place"] for a in acts if a["place"]}, key=str.casefold),
        "languages": [{"id": c, "label": tray.language_label(c, lang)}
                      for c in sorted({c for a in acts for c in a["languages"]})],
        "activities": [view(a) for a in shown],
    }


class PublicTrayPage(PageHandler):
    """GET: the page; POST …/feedback: an activity's feedback, then back to the page (303)."""

    # per network address, as joining: one client cannot flood an activity's feedback
    limiter = RateLimiter(LIMITS.joins_per_minute, "tray_feedback")

    def filters(self) -> dict:
        return {k: self.get_query_argument(k, "")[:80] for k in FILTERS}

    def page_url(self, network: str) -> str:
        """The page's own address as the browser reached it (behind a proxy, its host and scheme)."""
        return f"{self.request.protocol}://{self.request.host}{self.base}kit/public/tray/{network}"

    async def get(self, network):
        await self.show(network)

    async def show(self, network: str, status: int = 200, error: str | None = None, failed: dict | None = None):
        from kit.qr import qr_svg

        filters = self.filters()
        try:
            view = await self.run(public_tray, self.store, network, self.get_query_argument("lang", None) or "fi",
                                  filters)
        except KitError as err:
            lang = self.lang()
            self.render_page("public_tray.html", status=err.status, lang=lang, missing=err.message(lang, self.plain))
            return
        lang = self.lang(view["language"])
        if self.get_query_argument("lang", None) is None and lang != "fi":  # the page's language decides the labels
            view = await self.run(public_tray, self.store, network, lang, filters)
        url = self.page_url(network)
        kept = {k: v for k, v in filters.items() if v}
        thanks = self.get_query_argument("thanks", "")
        self.render_page(
            "public_tray.html", status=status, lang=lang, view=view, title=t("public.tray_title", lang, plain=self.plain,
                                                                              name=view["network"]["name"]),
            network=network, url=url, filters=filters,
            qr=Markup(qr_svg(url, scale=4, title=t("public.tray_qr", lang, plain=self.plain), fit=True)),
            keep_query=("&" + urlencode(kept)) if kept else "", thanks=thanks, error=error, failed=failed or {},
            action=f"{self.base}kit/public/tray/{network}/feedback?" + urlencode(
                {"lang": lang, **kept, **({"plain": "1"} if self.plain else {})}))

    async def post(self, network):
        if len(self.request.body or b"") > LIMITS.body_bytes:
            await self.show(network, 413, KitError("too_large_request").message(self.lang(), self.plain))
            return
        activity = self.get_body_argument("activity", "")[:20]
        rating = self.get_body_argument("rating", "")
        comment = self.get_body_argument("comment", "")
        lang = self.lang()
        if not await self.allowed(self.limiter, self.source_key()):
            err = KitError("feedback_slow_down", status=429, n=self.limiter.per_minute)
            await self.show(network, 429, err.message(lang, self.plain), {"activity": activity, "comment": comment})
            return
        try:
            await self.commit(self.store.add_tray_feedback, network, activity, rating or None, comment, lang)
        except KitError as err:
            if err.code == "unknown_tray":
                await self.show(network)
                return
            await self.show(network, err.status, err.message(lang, self.plain),
                            {"activity": activity, "comment": comment})
            return
        query = {"lang": lang, **{k: v for k, v in self.filters().items() if v}, "thanks": activity,
                 **({"plain": "1"} if self.plain else {})}
        self.redirect(f"{self.base}kit/public/tray/{network}?{urlencode(query)}#activity-{activity}", status=303)
