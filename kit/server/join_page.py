"""The participant pages (/kit/join/...): Jinja2 with autoescape, the page's strings for its script."""

from __future__ import annotations

import json
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from kit import workshop as wsmod
from kit.config import LANGUAGES, LIMITS
from kit.errors import KitError
from kit.i18n import page_catalog, t
from kit.server.base import KitHandler

HERE = Path(__file__).parent
PAGES = Environment(loader=FileSystemLoader(HERE / "pages"), autoescape=select_autoescape(["html"]))

JS_PREFIXES = ("js.", "vote.", "idea.", "error.", "kiosk.", "map.", "tasks.", "offer.", "form.", "tray.", "withdraw.",
               "now.", "words.", "questions.", "remote.", "named.", "pair.")


class PageHandler(KitHandler):
    def render_page(self, name: str, status: int = 200, **ctx):
        lang = ctx.setdefault("lang", self.lang())
        plain = self.plain
        ctx.setdefault("title", t("app.name", lang, plain=plain))
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        translate = lambda key, **kw: t(key, lang, plain=plain, **kw)  # noqa: E731
        # the strings the page's script needs, in the page's language (and plain wording when asked)
        js_keys = {k: v for k, v in page_catalog(lang, plain).items() if k.startswith(JS_PREFIXES)}
        keep = ctx.pop("keep_query", "")  # what the language links and the plain toggle carry along
        self.finish(PAGES.get_template(name).render(
            t=translate, base=self.base, languages=LANGUAGES, plain=plain, js_strings=json.dumps(js_keys, ensure_ascii=False),
            extra_query=keep + ("&plain=1" if plain else ""), plain_query=keep + ("" if plain else "&plain=1"),
            **ctx))

    async def workshop_or_code_page(self, code: str) -> dict | None:
        """The workshop of a join code; an unknown one answers the enter-the-code page (404) and None."""
        try:
            return await self.run(self.store.workshop_by_code, code)
        except KitError as err:
            lang = self.lang()
            self.render_page("enter_code.html", status=404, error=err.message(lang, self.plain), code=code[:16])
            return None


class JoinPage(PageHandler):
    async def get(self, code=None):
        code = (code or self.get_query_argument("code", "") or "").strip().upper()
        if not code:
            self.render_page("enter_code.html")
            return
        ws = await self.workshop_or_code_page(code)
        if ws is None:
            return
        lang = self.lang(ws["language"])
        kiosk = self.get_query_argument("kiosk", "") == "1"
        # a hybrid meeting asks where each one takes part; the link shared on a video call says it already
        hybrid = bool((ws.get("settings") or {}).get("hybrid"))
        where = "remote" if self.get_query_argument("where", "") == "remote" and not kiosk else ""
        self.render_page(
            "join.html", lang=lang, ws=ws, title=wsmod.title(ws, lang), kiosk=kiosk, hybrid=hybrid, where=where,
            keep_query=("&kiosk=1" if kiosk else "") + ("&where=remote" if where else ""),
            groups=wsmod.groups(ws["template"], lang),
            welcome=wsmod.welcome(ws, lang),
            idea_prompt=wsmod.prompt(ws["template"], "idea", lang),
            limits=LIMITS,
        )


class RemotePage(PageHandler):
    """/kit/remote/<code>: the facilitator's phone as a presenter remote (paired by a short code)."""

    async def get(self, code):
        ws = await self.workshop_or_code_page(code)
        if ws is None:
            return
        lang = self.lang(ws["language"])
        self.render_page("remote.html", lang=lang, ws=ws, title=wsmod.title(ws, lang))


class PublicResultsPage(PageHandler):
    """/kit/public/<code>/results: the results the facilitator has published, for anyone (no login):
    each round's title, how many voted and the count, and for a budgeting vote what its one rule funds.
    Nothing about any person: no nicknames, no groups, no ballots."""

    async def get(self, code):
        ws = await self.workshop_or_code_page(code.strip().upper())
        if ws is None:
            return
        lang = self.lang(ws["language"])
        rounds = await self.run(public_results, self.store, ws, lang)
        from kit.numbers import money

        self.render_page("public_results.html", lang=lang, ws=ws, title=wsmod.title(ws, lang), rounds=rounds,
                         money=lambda x: money(x, lang) if x not in (None, "") else "")


def public_results(store, ws: dict, lang: str) -> list[dict]:
    """Each published round of a meeting, as the public page shows it (the same count the phones see)."""
    from kit.server.api.voting import round_view

    out = []
    for rnd in store.rounds(ws["id"]):
        if rnd["status"] == "draft" or not rnd["results_visible"]:
            continue
        view = round_view(store, rnd, None, lang)
        text = {i["id"]: i["text"] for i in view["items"]}
        funded = set(view.get("funded") or [])
        key = {"dots": "js.result_row", "ranking": "js.result_points"}.get(rnd["method"], "js.result_votes")
        rows = [{"text": text[r["id"]], "line": t(key, lang, text=text[r["id"]], score=r["score"]),
                 "funded": r["id"] in funded, "rank": r["rank"]} for r in view["results"] or [] if r["id"] in text]
        out.append({"title": view["title"], "open": rnd["status"] == "open", "rows": rows,
                    "ballots": store.ballot_count(rnd["id"]), "rule_name": view.get("rule_name"),
                    "budget": view.get("budget"), "method": rnd["method"]})
    return out
