"""00_start: create or open a workshop from a template, show the join QR and link for the projector,
open idea collection and dot-voting rounds."""

from __future__ import annotations

import ipywidgets as w

from kit import voting
from kit import workshop as wsmod
from kit.config import LANGUAGE_NAMES, LANGUAGES
from kit.i18n import t
from kit.render import element, join_panel, render
from kit.store import Store
from kit.store.networks import NETWORK_FIELDS
from kit.ui.common import KitApp, Poller, participant_url, theme
from kit.ui.rounds import RoundSetup, require_items

# the stage pages the start page opens: (class, notebook, catalog key)
LINKS = [("kit-run-link", "00_run.ipynb", "ui.open_run"), ("kit-map-link", "01_stakeholders.ipynb", "ui.open_map"), ("kit-roles-link", "03_roles.ipynb", "ui.open_roles"),
         ("kit-evaluation-link", "04_evaluation.ipynb", "ui.open_evaluation"),
         ("kit-tray-link", "06_service_tray.ipynb", "ui.open_tray"),
         ("kit-projector-link", "02_ideas_and_voting.ipynb", "ui.open_projector"),
         ("kit-report-link", "05_report.ipynb", "ui.open_outputs")]


def join_panel_html(code: str, lang: str, scale: int = 8, small: bool = False) -> str:
    return join_panel(participant_url(code), code, lang, scale, small)


def start_round(store: Store, workshop_id: int, title: str, method: str = "dots", preset: str = "n3",
                dots: int | None = None, cap: int | None = None, options: dict | None = None,
                idea_ids=None, titles: dict | None = None, period: tuple[str, str] | None = None) -> dict:
    """Create and open a round over the visible ideas (or `idea_ids`). Its checks run first; only
    then is the previously open round closed, so a refused budget or cost leaves that vote alone.
    `period` (opens, closes): a vote open for a period instead, which opens and closes on its own
    (the room's open vote is left as it is)."""
    if method == "dots":
        rnd = store.create_round(workshop_id, title, preset, dots if preset == "custom" else None, cap,
                                 idea_ids=idea_ids, titles=titles)
    else:
        rnd = store.create_round(workshop_id, title, method=method, options=options, idea_ids=idea_ids,
                                 titles=titles)
    open_before = [r for r in store.rounds(workshop_id) if r["status"] == "open"]
    try:
        rnd = store.schedule_round(rnd["id"], *period) if period else store.open_round(rnd["id"])
    except Exception:
        store.delete_draft_round(rnd["id"])  # a refused round leaves no trace
        raise
    if period:
        return rnd
    for r in open_before:  # one open round at a time; the new one is already taking votes
        store.close_round(r["id"])
    return rnd


class StartApp(KitApp):
    """The facilitator's start page. Every action is a method; buttons only call them."""

    def __init__(self, store: Store | None = None, code: str | None = None, lang: str | None = None):
        super().__init__(store, code, lang)
        L = self.lang

        self.header = w.HTML()
        self.join = w.HTML()
        self.join.add_class("kit-join-box")  # stays on screen in projector mode
        self.links = w.HTML()
        self.message = w.HTML()

        # open another workshop / create a new one
        self.choose = w.Dropdown(description=t("ui.workshop", L), style={"description_width": "initial"})
        self.choose.observe(lambda ch: not self._drawing and ch["new"] and self.select_workshop(ch["new"]),
                            names="value")
        self.template = w.Dropdown(
            options=[(wsmod.template_name(tid, L), tid) for tid in wsmod.templates()],
            description=t("ui.template", L), style={"description_width": "initial"},
            layout=w.Layout(width="auto"))
        self.title = w.Text(description=t("ui.title", L), style={"description_width": "initial"})
        self.language = w.Dropdown(options=[(LANGUAGE_NAMES[c], c) for c in LANGUAGES], value=L, description=t("ui.language", L))
        self.create_btn = w.Button(description=t("ui.create", L), button_style="primary", layout=w.Layout(width="auto"))
        self.create_btn.add_class("kit-create-workshop")
        self.create_btn.on_click(lambda _: self._guard(self.create_workshop, self.template.value,
                                                       self.title.value, self.language.value))

        # the workshop's title in each language (a bilingual network types its own)
        self.titles = {lang: w.Text(description=LANGUAGE_NAMES[lang], style={"description_width": "initial"},
                                    layout=w.Layout(width="32em", max_width="100%")) for lang in LANGUAGES}
        self.titles_btn = w.Button(description=t("ui.save_titles", L), layout=w.Layout(width="auto"))
        self.titles_btn.add_class("kit-save-titles")
        self.titles_btn.on_click(lambda _: self._guard(self.save_titles, {k: v.value for k, v in self.titles.items()}))

        # the network this meeting belongs to, and its next meeting (kit/store/networks.py)
        sty = {"description_width": "initial"}
        wide = w.Layout(width="32em", max_width="100%")
        self.network_fields = {f: w.Text(description=t(f"network.{f}", L), style=sty, layout=wide)
                               for f in NETWORK_FIELDS}
        for f, box in self.network_fields.items():
            box.add_class(f"kit-network-{f}")
        self.network_btn = w.Button(description=t("network.save", L), layout=w.Layout(width="auto"))
        self.network_btn.add_class("kit-network-save")
        self.network_btn.on_click(lambda _: self._guard(self.save_network,
                                                        {k: v.value for k, v in self.network_fields.items()}))
        self.meetings = w.HTML()
        self.meetings.add_class("kit-meetings")
        self.next_date = w.Text(description=t("network.next_date", L), placeholder="2027-03-31", style=sty)
        self.next_date.add_class("kit-next-date")
        self.next_place = w.Text(description=t("network.next_place", L), style=sty)
        self.next_place.add_class("kit-next-place")
        self.next_btn = w.Button(description=t("network.next_meeting", L), button_style="primary",
                                 layout=w.Layout(width="auto"))
        self.next_btn.add_class("kit-next-meeting")
        self.next_btn.on_click(lambda _: self._guard(self.next_meeting, self.next_date.value, self.next_place.value))

        # ideas and rounds
        self.ideas_open = w.Checkbox(description=t("ui.ideas_open", L), indent=False, layout=w.Layout(width="auto"))
        self.ideas_open.add_class("kit-ideas-open")
        self.ideas_open.observe(lambda ch: not self._drawing and self._guard(self.set_ideas_open, ch["new"]),
                                names="value")
        # the vote's method, rules and items (kit/ui/rounds.py, shared with the Run view)
        self.setup = RoundSetup(self, self.start_round_from_form)
        for name in ("round_title", "method", "budget", "max_choices", "min_choices", "max_ranked", "preset",
                     "custom_dots", "cap", "items_note", "items_box", "items_tag", "items_quick"):
            setattr(self, name, getattr(self.setup, name))
        self.start_round_btn = self.setup.start_btn
        self.premoderate = w.Checkbox(description=t("ui.premoderate", L), indent=False, layout=w.Layout(width="auto"))
        self.premoderate.add_class("kit-premoderate")
        self.premoderate.observe(lambda ch: not self._drawing and self._guard(self.set_premoderate, ch["new"]),
                                 names="value")
        self.closed = w.Checkbox(description=t("ui.workshop_closed", L), indent=False, layout=w.Layout(width="auto"))
        self.closed.add_class("kit-workshop-closed")
        self.closed.observe(lambda ch: not self._drawing and self._guard(self.set_closed, ch["new"]), names="value")
        self.kiosk_btn = w.Button(description=t("ui.kiosk_start", L), layout=w.Layout(width="auto"))
        self.kiosk_btn.add_class("kit-kiosk-start")
        self.kiosk_btn.on_click(lambda _: self._guard(self.start_kiosk))
        self.kiosk = w.HTML()
        # a hybrid meeting: the join page asks "in the room or remote", the projector counts each, and the
        # remote variant of the link (for the video call's chat) says it already
        self.hybrid = w.Checkbox(description=t("ui.hybrid", L), indent=False, layout=w.Layout(width="auto"))
        self.hybrid.add_class("kit-hybrid")
        self.hybrid.observe(lambda ch: not self._drawing and self._guard(self.set_hybrid, ch["new"]), names="value")
        self.remote_link = w.HTML()
        self.rounds = w.HTML()
        self.close_btn = w.Button(description=t("ui.close_round", L), button_style="warning", layout=w.Layout(width="auto"))
        self.close_btn.add_class("kit-close-round")
        self.close_btn.on_click(lambda _: self._guard(self.close_current_round))

        self.children = [
            theme(), self.screen, self.header, self.join, self.links, self.message,
            w.HTML(element("heading", 2, t("ui.collect", L))), self.ideas_open, self.premoderate,
            w.HTML(element("heading", 2, t("ui.voting", L))), self.setup,
            w.HBox([self.start_round_btn, self.close_btn], layout=w.Layout(flex_flow="row wrap")),
            self.rounds,
            w.HTML(element("heading", 2, t("ui.kiosk", L))), self.kiosk_btn, self.kiosk,
            w.HTML(element("heading", 2, t("ui.hybrid_heading", L))), self.hybrid, self.remote_link,
            w.HTML(element("heading", 2, t("ui.closing", L)) + element("note", t("ui.closing_help", L))),
            self.closed,
            w.HTML(element("heading", 2, t("ui.titles", L)) + element("note", t("ui.titles_help", L))),
            w.VBox(list(self.titles.values()) + [self.titles_btn]),
            w.HTML(element("heading", 2, t("network.heading", L)) + element("note", t("network.help", L))),
            self.meetings,
            w.HBox([self.next_date, self.next_place, self.next_btn], layout=w.Layout(flex_flow="row wrap")),
            w.VBox(list(self.network_fields.values()) + [self.network_btn]),
            w.HTML(element("heading", 2, t("ui.workshops", L))), self.choose,
            w.HTML(element("heading", 3, t("ui.new_workshop", L))),
            w.VBox([self.template, self.title, self.language, self.create_btn]),
        ]
        self.refresh()
        self.poller = Poller(self.store, self.ws["id"], self.refresh).start()

    # -- what goes into the round (the setup widget holds it) ----------------------------------
    @property
    def chosen(self) -> set[int]:
        return self.setup.chosen

    @property
    def _item_boxes(self) -> dict:
        return self.setup.item_boxes

    def choose_items(self, rule: str) -> list[int]:
        return self.setup.choose_items(rule)

    def tick_item(self, idea_id: int, on: bool) -> None:
        self.setup.tick_item(idea_id, on)

    # -- actions ----------------------------------------------------------------------------
    def create_workshop(self, template: str, title: str, language: str) -> dict:
        """A new workshop. Without a typed title it takes the template's name, in every language."""
        wsmod.template(template)
        typed = (title or "").strip()
        ws = self.store.create_workshop(typed, template, language,
                                        titles=None if typed else wsmod.template_titles(template))
        self.select_workshop(ws["id"])
        return ws

    def select_workshop(self, workshop_id: int) -> None:
        if workshop_id == self.ws["id"]:
            return
        self.ws = self.store.workshop(workshop_id)
        self.setup.forget()
        self.poller.stop()
        self.poller = Poller(self.store, self.ws["id"], self.refresh).start()
        self.refresh()

    def next_meeting(self, date: str | None = None, place: str | None = None) -> dict:
        """The network's next meeting, made from this one (once: pressed again, the one made), opened
        here: its join code is new, its agenda opens with "since last time", its map is a copy."""
        ws, made = self.store.next_meeting(self.ws["id"], date=date or None, place=place or None)
        self.select_workshop(ws["id"])
        self._ok(t("network.meeting_made" if made else "network.meeting_exists", self.lang, number=ws["meeting_no"],
                   code=ws["code"]))
        return ws

    def save_network(self, info: dict) -> dict:
        net = self.store.set_network_info(self.ws["id"], info)
        self._ok(t("ui.saved", self.lang))
        return net

    def save_titles(self, titles: dict) -> dict:
        saved = self.store.set_titles(self.ws["id"], titles)
        self._ok(t("ui.saved", self.lang))
        return saved

    def set_closed(self, closed: bool) -> None:
        """Closing the workshop makes contributions final: participants can no longer withdraw them."""
        self.store.set_setting(self.ws["id"], "closed", True if closed else None)
        self.refresh()

    def set_ideas_open(self, is_open: bool) -> None:
        if bool(is_open) != bool(self.store.workshop(self.ws["id"])["ideas_open"]):
            self.store.set_ideas_open(self.ws["id"], is_open)
            self.refresh()

    def start_dot_round(self, title: str, preset: str = "n3", dots: int | None = None,
                        cap: int | None = None) -> dict:
        return self.start_round(title, "dots", preset, dots, cap)

    def start_round_from_form(self) -> dict:
        require_items(self.store, self.ws["id"], self.chosen)
        return self.start_round(self.round_title.value, self.method.value, self.preset.value, self.custom_dots.value,
                                self.cap.value or None, self.setup.options(), sorted(self.chosen), self.setup.period())

    def start_round(self, title: str, method: str = "dots", preset: str = "n3", dots: int | None = None,
                    cap: int | None = None, options: dict | None = None, idea_ids=None,
                    period: tuple[str, str] | None = None) -> dict:
        rnd = start_round(self.store, self.ws["id"], title, method, preset, dots, cap, options, idea_ids,
                          titles=self.setup.default_titles(title, method), period=period)
        self.setup.chosen_by_hand = False  # the next round starts again from the default
        self.setup.opens.value = self.setup.closes.value = ""
        self.refresh()
        if period:
            msg = t("ui.round_scheduled", self.lang, opens=period[0], closes=period[1])
        elif method == "dots":
            msg = t("ui.round_opened", self.lang, dots=rnd["rules"]["dots"])
        else:
            msg = t("ui.round_opened_method", self.lang, method=t("method." + method, self.lang))
        self.message.value = element("message", msg, "kit-ok", "status")
        return rnd

    def set_hybrid(self, on: bool) -> None:
        self.store.set_setting(self.ws["id"], "hybrid", True if on else None)
        self.refresh()

    def remote_url(self) -> str:
        return participant_url(self.ws["code"]) + "?where=remote"

    def set_premoderate(self, on: bool) -> None:
        self.store.set_setting(self.ws["id"], "premoderate", True if on else None)

    def start_kiosk(self) -> str:
        """Shared-tablet mode: a PIN for the facilitator and the tablet's link."""
        started = self.store.start_kiosk(self.ws["id"])
        # the key rides in the fragment: the browser keeps it, no server log or proxy sees it
        url = participant_url(self.ws["code"]) + "?kiosk=1#tablet=" + started.tablet
        self.kiosk.value = element("kiosk", t("ui.kiosk_help", self.lang), url, t("ui.kiosk_pin", self.lang),
                                   started.pin)
        return started.pin

    def close_current_round(self) -> dict | None:
        for r in self.store.rounds(self.ws["id"]):
            if r["status"] == "open":
                closed = self.store.close_round(r["id"])
                self.refresh()
                return closed
        self.message.value = element("message", t("ui.no_open_round", self.lang), "kit-msg")
        return None

    # -- drawing ----------------------------------------------------------------------------
    def _join_limit_note(self, ws: dict) -> str:
        """Joining refused for going too fast in the last ten minutes: say so, with what to do."""
        from datetime import UTC, datetime, timedelta

        from kit.config import LIMITS

        hit = (ws["settings"] or {}).get("join_limit_hit")
        if not hit or datetime.now(UTC) - datetime.fromisoformat(hit) > timedelta(minutes=10):
            return ""
        return element("message", t("ui.join_limit_hit", self.lang, time=hit[11:16] + " UTC",
                                    n=LIMITS.joins_per_minute), "kit-msg", "status")

    def _draw(self) -> None:
        L, ws = self.lang, self.store.workshop(self.ws["id"])
        self.ws = ws
        self.header.value = element("title", wsmod.title(ws, L), wsmod.template_name(ws["template"], L))
        for lang, box in self.titles.items():
            box.value = wsmod.title(ws, lang)
        self.join.value = join_panel_html(ws["code"], L) + self._join_limit_note(ws)
        self.links.value = render("start/links.html", L, code=ws["code"], links=LINKS)
        self.choose.options = [(t("network.meeting_option", L, title=w_["title"], number=w_["meeting_no"] or 1,
                                  code=w_["code"]), w_["id"]) for w_ in self.store.workshops()]
        net = self.store.network_of(ws["id"])
        for f, box in self.network_fields.items():
            box.value = net["name"] if f == "name" else (net["info"] or {}).get(f, "")
        self.meetings.value = render("start/meetings.html", L, net=net, current=ws["id"])
        self.choose.value = ws["id"]
        self.ideas_open.value = bool(ws["ideas_open"])
        self.premoderate.value = bool((ws["settings"] or {}).get("premoderate"))
        self.closed.value = bool((ws["settings"] or {}).get("closed"))
        self.hybrid.value = bool((ws["settings"] or {}).get("hybrid"))
        if self.hybrid.value:
            n = self.store.presence_counts(ws["id"])
            self.remote_link.value = render("start/remote_link.html", L, url=self.remote_url(), room=n["room"],
                                            remote=n["remote"])
        else:
            self.remote_link.value = element("note", t("ui.hybrid_help", L))
        rows = [f"{voting.round_title(r, L)}: {t('round.' + r['status'], L)} · {t('ui.ballots', L, n=self.store.ballot_count(r['id']))}"
                for r in reversed(self.store.rounds(ws["id"]))]
        self.rounds.value = element("items", rows) if rows else element("p", t("ui.no_rounds", L))
        self.setup.draw_items()
