"""The Run view (notebooks/00_run.ipynb): the facilitator steps the room through the agenda from here.

One page, two faces. On the desk: the agenda with the room's activity highlighted, Previous / Next /
go to any, the current activity's own controls (open and close, start a vote, reveal results,
moderate), editing the agenda, pairing a phone as a presenter remote. On the projector (the Screen
switch, or ?screen=light|dark): the current activity for the back of the room, drawn through
kit/render/templates/run/, the join code in a corner. Keys: PageDown / PageUp (what presenter
clickers send), the arrow keys and space; ipywidgets has no key events, so the page's own small
script presses the Next / Previous buttons. The store is the only truth: a move is one transaction
(kit/store/agenda.py), so the laptop, a second window and the phone remote agree."""

from __future__ import annotations

import json
import time

import ipywidgets as w
from markupsafe import Markup

from kit import agenda as ag
from kit import evaluation as ev
from kit import tray as traymod
from kit import voting
from kit import workshop as wsmod
from kit.agenda import activity_title
from kit.errors import KitError
from kit.i18n import t
from kit.render import element, render, translator
from kit.render.evaluation import form_results_html
from kit.render.voting import results_html
from kit.config import LANGUAGES
from kit.store import Store
from kit.ui.common import KitApp, Poller, participant_url, theme
from kit.ui.moderation import IdeaRows
from kit.ui.rounds import RoundSetup, require_items

# the page's script: keys press the Next / Previous buttons, the root element gets the projector's
# data-activity, countdowns tick between redraws (each with the server's clock, not the laptop's)
PAGE_SCRIPT = """
(function () {
  if (window.kitRunKeys) return;
  window.kitRunKeys = true;
  var NEXT = ["PageDown", "ArrowRight", "ArrowDown", " "], PREV = ["PageUp", "ArrowLeft", "ArrowUp"];
  document.addEventListener("keydown", function (e) {
    var el = e.target, tag = el && el.tagName;
    if (e.altKey || e.ctrlKey || e.metaKey || (el && el.isContentEditable)) return;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") return;
    if (e.key === " " && tag === "BUTTON") return;  // space presses the focused button itself
    var which = NEXT.indexOf(e.key) >= 0 ? "next" : PREV.indexOf(e.key) >= 0 ? "prev" : null;
    if (!which) return;
    var b = document.querySelector("button.kit-run-" + which);
    if (!b) return;
    e.preventDefault();
    if (!b.disabled) b.click();
  });
  function two(n) { return (n < 10 ? "0" : "") + n; }
  window.setInterval(function () {
    var s = document.querySelector(".kit-stage[data-activity]");
    if (s && document.documentElement.dataset.activity !== s.dataset.activity) {
      document.documentElement.dataset.activity = s.dataset.activity;
    }
    document.querySelectorAll(".kit-countdown[data-ends]").forEach(function (c) {
      if (!c.dataset.offset) c.dataset.offset = String(Number(c.dataset.now) - Date.now() / 1000);
      var left = Math.max(0, Math.round(Number(c.dataset.ends) - (Date.now() / 1000 + Number(c.dataset.offset))));
      var text = Math.floor(left / 60) + ":" + two(left % 60);
      if (c.textContent !== text) c.textContent = text;
      c.classList.toggle("over", left === 0);
    });
  }, 250);
})();
"""

IDEA_ROWS = 15  # the ideas the Run view lists for moderation; the rest are on page 02


def clock(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}"


def short_url(url: str) -> str:
    """The join address as the corner shows it: without the scheme."""
    return url.split("://", 1)[-1]


def stage_html(store: Store, ws: dict, lang: str, url: str | None = None, state: dict | None = None) -> Markup:
    """What the projector shows for the room's current activity (also the benchmark's and the tests')."""
    from kit.qr import qr_svg

    state = state or store.agenda_state(ws["id"])
    act, code = state["current"], ws["code"]
    url = url or participant_url(code)
    if act is None:
        return render("run/stage.html", lang, act={"type": "none", "id": "", "position": "–",
                                                    "title": t("run.between", lang)},
                      total=len(state["activities"]), code=code, short_url=short_url(url), body="", ends=None)
    kind, cfg = act["type"], act["config"]
    joined = store.participant_count(ws["id"])
    if kind == "join":
        qr = Markup(qr_svg(url, scale=10, title=t("ui.qr_title", lang, code=code), fit=True))
        hybrid = store.presence_counts(ws["id"]) if (ws.get("settings") or {}).get("hybrid") else None
        body = render("run/join.html", lang, qr=qr, url=url, code=code, joined=joined, hybrid=hybrid)
    elif kind == "ideas":
        ideas = store.ideas(ws["id"])
        body = render("run/ideas.html", lang, ideas=[i for i in reversed(ideas) if i["status"] == "visible"],
                      waiting=sum(1 for i in ideas if i["status"] == "pending"),
                      prompt=wsmod.prompt(ws["template"], "idea", lang))
    elif kind == "vote":
        rnd = store.round(cfg["round_id"]) if cfg.get("round_id") else None
        results, ballots = "", 0
        if rnd is not None and rnd["status"] != "draft":
            from kit.ui.projector import board_data

            data = board_data(store, ws["id"], rnd["id"])
            ballots, results = data["ballots"], Markup(results_html(data, lang))
        body = render("run/vote.html", lang, rnd=rnd if rnd and rnd["status"] != "draft" else None,
                      ballots=ballots, joined=joined, results=results)
    elif kind == "words":
        body = render("run/words.html", lang, prompt=ag.text_in(cfg.get("prompt"), lang) or t("words.prompt", lang),
                      cloud=store.word_cloud(ws["id"], act["id"], lang), closed=bool(cfg.get("closed")))
    elif kind == "questions":
        qs = store.questions(ws["id"], act["id"])
        body = render("run/questions.html", lang, questions=[q for q in qs if q["status"] in ("visible", "answered")],
                      waiting=sum(1 for q in qs if q["status"] == "pending"))
    elif kind == "map":
        from kit.ui.stakeholders import MapView

        view = MapView(store, ws, lang)
        body = Markup(f"<div class='kit-big-map'>{view.svg()}</div>") if view.actors else \
            element("note", t("run.map_empty", lang))
    elif kind == "form":
        f = next((x for x in store.forms(ws["id"]) if x["id"] == cfg.get("form_id")), None)
        if f is None:
            body = element("note", t("run.form_not_started", lang))
        else:
            resp = store.responses(f["id"])
            agg = ev.aggregate(f["questions"], resp, f["min_answers"], store.instrument_packs()[0])
            body = form_results_html(f, resp, agg, lang)
    elif kind == "tray":
        tpl = wsmod.template(ws["template"])
        levels = traymod.levels(tpl)
        acts = store.activities(ws["id"])
        body = render("run/tray.html", lang, levels=[
            {"label": traymod.level_label(levels, lv["id"], lang),
             "activities": [a for a in acts if a["step_level"] == lv["id"]]}
            for lv in levels if any(a["step_level"] == lv["id"] for a in acts)])
    elif kind == "tasks":
        from collections import Counter

        offers = store.offers(ws["id"])
        offered = Counter(o["task_id"] for o in offers if o["status"] != "declined")
        accepted = Counter(o["task_id"] for o in offers if o["status"] == "accepted")
        body = render("run/tasks.html", lang, tasks=[{"id": x["id"], "title": x["title"], "offers": offered[x["id"]],
                                                      "accepted": accepted[x["id"]]} for x in store.tasks(ws["id"])])
    elif kind == "slide":
        body = render("run/slide.html", lang, text=ag.text_in(cfg.get("text"), lang))
    elif kind == "since":
        body = render("run/since.html", lang, data=store.since_last_time(ws["id"]))
    else:
        body = ""
    pub = ag.public(act, state["position"], lang, activity_title(act, lang))
    now = time.time()
    left = ag.remaining(act["minutes"], state["started"], now)
    ends = state["started"] + act["minutes"] * 60 if left is not None else None
    return render("run/stage.html", lang, act=pub, total=len(state["activities"]), code=code,
                  short_url=short_url(url), body=body, ends=ends, now=now,
                  left=clock(left) if left is not None else "")


class RunApp(KitApp):
    """The Run view. Every action is a method; buttons only call them."""

    def __init__(self, store: Store | None = None, code: str | None = None, lang: str | None = None,
                 poll: bool = True):
        super().__init__(store, code, lang)
        L = self.lang
        sty = {"description_width": "initial"}
        self.message = w.HTML()
        self.stage = w.HTML()
        self.stage.add_class("kit-stage-box")
        self.prev_btn = w.Button(description=t("run.previous", L), icon="")
        self.prev_btn.add_class("kit-run-prev")
        self.prev_btn.on_click(lambda _: self._guard(self.previous))
        self.next_btn = w.Button(description=t("run.next", L), button_style="primary")
        self.next_btn.add_class("kit-run-next")
        self.next_btn.on_click(lambda _: self._guard(self.next))
        self.keys_help = w.HTML(element("note", t("run.keys", L)))
        self.agenda_box = w.VBox()
        self.agenda_box.add_class("kit-agenda-box")
        self._agenda_sig = None
        self.controls = w.VBox()
        self.controls.add_class("kit-activity-controls")
        self._controls_sig = None

        # editing the agenda
        self.edit_pick = w.Dropdown(description=t("run.edit_pick", L), style=sty)
        self.edit_pick.add_class("kit-edit-pick")
        self.up_btn = w.Button(description=t("run.move_up", L))
        self.up_btn.add_class("kit-edit-up")
        self.up_btn.on_click(lambda _: self._guard(self.shift, self.edit_pick.value, -1))
        self.down_btn = w.Button(description=t("run.move_down", L))
        self.down_btn.add_class("kit-edit-down")
        self.down_btn.on_click(lambda _: self._guard(self.shift, self.edit_pick.value, 1))
        self.dup_btn = w.Button(description=t("run.duplicate", L))
        self.dup_btn.add_class("kit-edit-duplicate")
        self.dup_btn.on_click(lambda _: self._guard(self.duplicate, self.edit_pick.value))
        self.remove_btn = w.Button(description=t("run.remove", L), button_style="danger")
        self.remove_btn.add_class("kit-edit-remove")
        self.remove_btn.on_click(lambda _: self._guard(self.remove, self.edit_pick.value))
        self.minutes = w.BoundedIntText(value=0, min=0, max=ag.MAX_MINUTES, description=t("run.minutes_field", L),
                                        style=sty)
        self.minutes.add_class("kit-edit-minutes")
        self.title_text = w.Text(description=t("run.title_field", L), style=sty)
        self.title_text.add_class("kit-edit-title")
        self.save_btn = w.Button(description=t("run.save_activity", L))
        self.save_btn.add_class("kit-edit-save")
        self.save_btn.on_click(lambda _: self._guard(self.save_activity, self.edit_pick.value,
                                                     self.title_text.value, self.minutes.value))
        self.edit_pick.observe(lambda ch: not self._drawing and self._load_pick(), names="value")
        self.add_type = w.Dropdown(options=[(t(f"agenda.type_{k}", L), k) for k in ag.TYPES],
                                   description=t("run.add_type", L), style=sty, value="slide")
        self.add_type.add_class("kit-add-type")
        self.add_btn = w.Button(description=t("run.add", L))
        self.add_btn.add_class("kit-add-activity")
        self.add_btn.on_click(lambda _: self._guard(self.add_activity, self.add_type.value))

        # the ideas one by one while the room is at them (page 02's rows)
        self.idea_rows = IdeaRows(self)
        # a vote activity's method, rules and items before it opens (the same widget as the start page's)
        self.vote_setup = RoundSetup(self, self.start_vote_from_form, with_title=False)
        self._setup_for = None  # the vote activity the setup was made for

        # "since last time": the date a moved action item moves to
        self.move_due = w.Text(description=t("since.move_date", L), placeholder="2027-03-31", style=sty)
        self.move_due.add_class("kit-since-due")

        # the presenter remote
        self.pair_btn = w.Button(description=t("run.pair", L))
        self.pair_btn.add_class("kit-pair")
        self.pair_btn.on_click(lambda _: self._guard(self.pair))
        self.pair_box = w.HTML()

        row = {"flex_flow": "row wrap", "gap": "0.5rem", "align_items": "center"}
        editing = w.VBox([w.HBox([self.edit_pick, self.up_btn, self.down_btn, self.dup_btn, self.remove_btn],
                                 layout=w.Layout(**row)),
                          w.HBox([self.title_text, self.minutes, self.save_btn], layout=w.Layout(**row)),
                          w.HBox([self.add_type, self.add_btn], layout=w.Layout(**row))])
        self.edit_acc = w.Accordion(children=[editing, w.VBox([self.pair_btn, self.pair_box])])
        self.edit_acc.set_title(0, t("run.edit_heading", L))
        self.edit_acc.set_title(1, t("run.remote_heading", L))
        self.edit_acc.selected_index = None
        nav = w.HBox([self.prev_btn, self.next_btn, self.keys_help], layout=w.Layout(**row))
        nav.add_class("kit-desk-only")
        for box in (self.agenda_box, self.controls, self.edit_acc):
            box.add_class("kit-desk-only")
        self.children = [theme(), self.screen, self.message, self.stage, nav, self.controls, self.agenda_box,
                         self.edit_acc]
        self._script()
        self.refresh()
        if poll:
            self.poller = Poller(self.store, self.ws["id"], self.refresh, heartbeat=30).start()

    def _script(self) -> None:
        try:
            from IPython import get_ipython
            from IPython.display import Javascript, display
        except ImportError:
            return
        if get_ipython() is not None and getattr(get_ipython(), "kernel", None) is not None:
            display(Javascript(PAGE_SCRIPT))

    # -- moving the room ----------------------------------------------------------------------------
    @property
    def state(self) -> dict:
        return self._state

    def go(self, position: int) -> dict:
        self._state = self.store.move_room(self.ws["id"], position=position)
        self.refresh()
        return self._state

    def next(self) -> dict:
        """Next, from the activity this view shows: a second window that pressed first wins, once."""
        cur = self._state["current"]
        self._state = self.store.move_room(self.ws["id"], move="next", from_id=cur["id"] if cur else None)
        self.refresh()
        return self._state

    def previous(self) -> dict:
        cur = self._state["current"]
        self._state = self.store.move_room(self.ws["id"], move="previous", from_id=cur["id"] if cur else None)
        self.refresh()
        return self._state

    # -- editing the agenda ---------------------------------------------------------------------------
    def _save(self, items: list[dict]) -> None:
        self.store.save_agenda(self.ws["id"], items)
        self._ok(t("run.agenda_saved", self.lang))

    def _need(self, activity_id) -> str:
        if not activity_id:
            raise KitError("unknown_activity", status=404)
        return activity_id

    def shift(self, activity_id: str, by: int) -> None:
        items = self.store.agenda(self.ws["id"])
        i = ag.index(items, self._need(activity_id))
        self._save(ag.move(items, activity_id, max(0, (i or 0) + by)))
        self.edit_pick.value = activity_id

    def duplicate(self, activity_id: str) -> None:
        self._save(ag.duplicate(self.store.agenda(self.ws["id"]), self._need(activity_id)))

    def remove(self, activity_id: str) -> None:
        self._save(ag.remove(self.store.agenda(self.ws["id"]), self._need(activity_id)))

    def add_activity(self, kind: str, at: int | None = None) -> dict:
        """A new activity, right after the room's current one (or at 0-based `at`)."""
        items = self.store.agenda(self.ws["id"])
        if at is None:
            at = self._state["position"] if self._state["position"] else len(items)
        new = ag.add(items, {"type": kind}, at)
        self._save(new)
        added = next(a for a in new if a["id"] not in {x["id"] for x in items})
        self.edit_pick.value = added["id"]
        return added

    def save_activity(self, activity_id: str, title: str, minutes: int) -> None:
        act = ag.find(self.store.agenda(self.ws["id"]), self._need(activity_id))
        titles = dict(act["title"] or {})
        if (title or "").strip() and title.strip() != activity_title(act, self.lang):
            titles[self.lang] = title.strip()
        elif not (title or "").strip():
            titles.pop(self.lang, None)
        self.store.update_agenda_item(self.ws["id"], activity_id, title=titles or None, minutes=minutes or None)
        self._ok(t("run.agenda_saved", self.lang))

    def _load_pick(self) -> None:
        act = next((a for a in self._state["activities"] if a["id"] == self.edit_pick.value), None)
        if act is not None:
            self.title_text.value = activity_title(act, self.lang)
            self.minutes.value = act["minutes"] or 0

    # -- the current activity's own controls -------------------------------------------------------------
    def _current(self, kind: str | None = None) -> dict:
        act = self._state["current"]
        if act is None or (kind and act["type"] != kind):
            raise KitError("unknown_activity", status=404)
        return act

    def set_ideas_open(self, on: bool) -> None:
        self.store.set_ideas_open(self.ws["id"], on)
        self._ok(t("run.ideas_opened" if on else "run.ideas_closed", self.lang))

    def set_moderate(self, on: bool) -> None:
        act = self._current()
        self.store.update_agenda_item(self.ws["id"], act["id"], config={"moderate": True if on else None})
        if act["type"] == "ideas":
            self.store.set_setting(self.ws["id"], "premoderate", bool(on))
        self.refresh()

    def approve_waiting(self) -> int:
        act = self._current()
        if act["type"] == "questions":
            n = self.store.approve_waiting_questions(self.ws["id"], act["id"])
        else:
            n = self.store.approve_waiting(self.ws["id"])
        self._ok(t("run.approved", self.lang, n=n))
        return n

    def set_open(self, key: str, on: bool) -> None:
        """The map, the tasks or the tray taken (or no longer) while the room is at them."""
        self.store.set_setting(self.ws["id"], key, bool(on))
        self.refresh()

    def set_closed(self, closed: bool) -> None:
        self.store.set_activity_closed(self.ws["id"], self._current()["id"], closed)
        self.refresh()

    def start_vote(self, method: str | None = None, options: dict | None = None, idea_ids=None,
                   preset: str = "n3", dots: int | None = None, cap: int | None = None) -> dict:
        """The vote of this activity: created, opened, tied to the activity. Without `idea_ids`, over the
        ideas it would choose by default (every visible idea; for budgeting the costed ones); without
        `options`, a budgeting vote takes the activity's budget. Its title is the activity's, in every
        language."""
        from kit.ui.start import start_round

        act = self._current("vote")
        method = method or act["config"].get("method") or "dots"
        if idea_ids is None:
            ideas = [i for i in self.store.ideas(self.ws["id"]) if i["status"] == "visible"]
            idea_ids = voting.default_selection(ideas, method, self.store.rounds(self.ws["id"]))
        require_items(self.store, self.ws["id"], idea_ids)
        if options is None and method == "pb":
            options = {"budget": act["config"].get("budget"), "rule": act["config"].get("rule")}
        titles = {lang: activity_title(act, lang) for lang in LANGUAGES}
        rnd = start_round(self.store, self.ws["id"], titles[self.lang], method, preset, dots, cap, options=options,
                          idea_ids=sorted(idea_ids), titles=titles)
        self.store.update_agenda_item(self.ws["id"], act["id"], config={"round_id": rnd["id"], "method": method})
        self._ok(t("run.vote_started", self.lang, n=len(idea_ids)))
        return rnd

    def start_vote_from_form(self) -> dict:
        """Start, with what the facilitator chose in the vote's setup (method, rules, the ticked ideas)."""
        s = self.vote_setup
        return self.start_vote(s.method.value, s.options(), sorted(s.chosen), s.preset.value, s.custom_dots.value,
                               s.cap.value or None)

    def decide_offer(self, offer_id: int, accept: bool) -> None:
        """A volunteer's offer for a task taken into the roles (its RACI letter), or not (the tasks activity)."""
        self.store.decide_offer(offer_id, accept)
        self._ok(t("ui.offer_accepted" if accept else "ui.offer_declined", self.lang))

    def decide_suggestion(self, kind: str, item_id: int, accept: bool) -> None:
        """A participant's suggested actor or link taken onto the map, or not (the map activity)."""
        self.store.decide_suggestion(kind, item_id, accept)
        self._ok(t("ui.suggestion_accepted" if accept else "ui.suggestion_rejected", self.lang))

    def reveal(self, on: bool) -> None:
        rid = self._current("vote")["config"].get("round_id")
        if not rid:
            raise KitError("round_not_open", status=409)
        self.store.set_results_visible(rid, on)
        self.refresh()

    def close_vote(self) -> None:
        rid = self._current("vote")["config"].get("round_id")
        if not rid:
            raise KitError("round_not_open", status=409)
        self.store.close_round(rid)
        self._ok(t("run.vote_closed", self.lang))

    def open_form(self) -> dict:
        """The feedback form of this activity: the kit's ready questions on THL's three dimensions."""
        from kit.ui.evaluation import question_sets

        act = self._current("form")
        ready = question_sets(self.lang)
        questions = [q for d in ready for q in ready[d]]
        form = self.store.create_form(self.ws["id"], activity_title(act, self.lang), questions, ev.MIN_ANSWERS)
        form = self.store.set_form_status(form["id"], "open")
        self.store.update_agenda_item(self.ws["id"], act["id"], config={"form_id": form["id"]})
        self._ok(t("ui.form_opened", self.lang, n=len(form["questions"])))
        return form

    def set_form(self, form_id: int, status: str) -> None:
        self.store.set_form_status(form_id, status)
        self.refresh()

    def set_question(self, question_id: int, status: str) -> None:
        self.store.set_question_status(question_id, status)
        self.refresh()

    def hide_word(self, word: str) -> None:
        act = self._current("words")
        for x in self.store.words(self.ws["id"], act["id"]):
            if ag.fold(x["text"]) == ag.fold(word):
                self.store.hide_word(x["id"])
                break
        self.refresh()

    def pair(self) -> str:
        """A six-digit code and the remote's address for the facilitator's phone. Desk view only:
        many laptops mirror their screen to the projector."""
        from kit.qr import qr_svg

        if self.screen.value != "desk":
            raise KitError("pair_on_desk", status=409)
        code, until = self.store.pairing_code(self.ws["id"])
        url = participant_url(self.ws["code"]).replace("/kit/join/", "/kit/remote/")
        qr = Markup(qr_svg(url, scale=4, title=t("run.remote_heading", self.lang)))
        self.pair_box.value = render("run/pair.html", self.lang, code=code, url=url, qr=qr,
                                     minutes=int((until - time.time()) // 60) + 1)
        return code

    def review_action(self, task_id: int, outcome: str | None, due: str | None = None,
                      to_meeting: int | None = None) -> dict | None:
        """This meeting's word on an earlier action item: done, moved (a new date, or a later meeting)
        or dropped; None takes it back. The minutes record it."""
        done = self.store.review_action(self.ws["id"], task_id, outcome, due or None, to_meeting)
        self._ok(t("since.recorded", self.lang))
        return done

    def _since_controls(self) -> list:
        L = self.lang
        data = self.store.since_last_time(self.ws["id"])
        if data is None:
            return [w.HTML(element("note", t("since.first_meeting", L)))]
        out: list = [w.HTML(element("note", t("since.help", L))), self.move_due]
        for r in data["items"]:
            state = r.state(translator(L)) if r.outcome or r.done_between else ""
            label = " · ".join(x for x in (r.title, ", ".join(r.who), r.due or "", state) if x)
            row = [w.HTML(element("p", label))]
            if r.outcome:
                row.append(self._button("since.undo", "kit-since-undo", self.review_action, r.id, None))
            else:
                row.append(self._button("since.mark_done", "kit-since-done", self.review_action, r.id, "done",
                                        style="success"))
                b = w.Button(description=t("since.mark_moved", L))
                b.add_class("kit-since-move")
                b.on_click(lambda _, i=r.id: self._guard(self.review_action, i, "moved", self.move_due.value))
                row.append(b)
                row.append(self._button("since.mark_dropped", "kit-since-drop", self.review_action, r.id, "dropped"))
            box = w.HBox(row, layout=w.Layout(flex_flow="row wrap", gap="0.5rem", align_items="center"))
            box.add_class("kit-since-row")
            out.append(box)
        if not data["items"]:
            out.append(w.HTML(element("note", t("since.no_items", L))))
        return out

    def _button(self, key: str, cls: str, fn, *args, style: str = "", **kw) -> w.Button:
        b = w.Button(description=t(key, self.lang, **kw), button_style=style)
        b.add_class(cls)
        b.on_click(lambda _: self._guard(fn, *args))
        return b

    def _controls(self, act: dict | None) -> list:
        L = self.lang
        if act is None:
            return [w.HTML(element("note", t("run.between", L)))]
        kind, cfg, ws = act["type"], act["config"], self.ws
        out: list = [w.HTML(element("heading", 3, t("run.controls", L, title=activity_title(act, L))))]
        if kind == "ideas":
            waiting = sum(1 for i in self.store.ideas(ws["id"]) if i["status"] == "pending")
            out += [self._button("run.close" if ws["ideas_open"] else "run.open", "kit-run-ideas-open",
                                 self.set_ideas_open, not ws["ideas_open"]),
                    self._button("run.moderate_off" if cfg.get("moderate") else "run.moderate_on", "kit-run-moderate",
                                 self.set_moderate, not cfg.get("moderate")),
                    self._button("ui.approve_all", "kit-run-approve", self.approve_waiting, n=waiting)]
            # the waiting ones first, then the newest: one press takes a hurtful idea off the wall
            ideas = sorted(self.store.ideas(ws["id"]), key=lambda i: (i["status"] != "pending", -i["id"]))
            out += [self.idea_rows.row(i) for i in ideas[:IDEA_ROWS] if i["status"] in ("pending", "visible", "hidden")]
        elif kind == "vote":
            rnd = self.store.round(cfg["round_id"]) if cfg.get("round_id") else None
            if rnd is None or rnd["status"] == "draft":
                setup = self.vote_setup
                if self._setup_for != act["id"]:  # another vote activity: its own method, the default items
                    self._setup_for = act["id"]
                    setup.forget()
                    setup.method.value = cfg.get("method") or "dots"
                    if cfg.get("budget"):
                        setup.budget.value = str(cfg["budget"])
                    if cfg.get("rule") in voting.PB_RULES:
                        setup.pb_rule.value = cfg["rule"]
                setup.draw_items()
                setup.start_btn.add_class("kit-run-start-vote")
                out += [setup, setup.start_btn]
            else:
                shown = rnd["results_visible"]
                out.append(self._button("ui.hide_results" if shown else "ui.show_results", "kit-run-reveal",
                                        self.reveal, not shown))
                if rnd["status"] == "open":
                    out.append(self._button("ui.close_round", "kit-run-close-vote", self.close_vote, style="warning"))
            out.append(w.HTML(element("note", t("run.vote_deep", L))))
        elif kind in ag.OPENS:
            key = ag.OPENS[kind]
            on = bool((ws["settings"] or {}).get(key))
            out.append(self._button("run.close" if on else "run.open", "kit-run-open", self.set_open, key, not on))
            if kind == "map":  # what the room suggests, accepted onto the map from here
                from kit.ui.stakeholders import MapView, suggestion_rows

                rows = suggestion_rows(self.store, MapView(self.store, ws, L),
                                       lambda *a: self._guard(self.decide_suggestion, *a))
                out += [w.HTML(element("heading", 4, t("ui.suggestions", L)))] + \
                    (rows or [w.HTML(element("note", t("ui.no_suggestions", L)))])
            if kind == "tasks":  # volunteers' offers, accepted into the roles from here
                from kit.ui.roles import offer_rows

                rows = offer_rows(self.store, ws, L, lambda *a: self._guard(self.decide_offer, *a))
                out += [w.HTML(element("heading", 4, t("ui.offers", L)))] + \
                    (rows or [w.HTML(element("note", t("ui.no_offers", L)))])
        elif kind == "form":
            f = next((x for x in self.store.forms(ws["id"]) if x["id"] == cfg.get("form_id")), None)
            if f is None:
                out.append(self._button("run.open_form", "kit-run-open-form", self.open_form, style="primary"))
            else:
                status = "closed" if f["status"] == "open" else "open"
                out.append(self._button("run.close" if f["status"] == "open" else "run.open", "kit-run-form-status",
                                        self.set_form, f["id"], status))
        elif kind == "since":
            out += self._since_controls()
        elif kind in ("words", "questions"):
            out.append(self._button("run.open" if cfg.get("closed") else "run.close", "kit-run-closed",
                                    self.set_closed, not cfg.get("closed")))
            if kind == "questions":
                qs = self.store.questions(ws["id"], act["id"])
                waiting = [q for q in qs if q["status"] == "pending"]
                out.append(self._button("run.moderate_off" if cfg.get("moderate") else "run.moderate_on",
                                        "kit-run-moderate", self.set_moderate, not cfg.get("moderate")))
                out.append(self._button("ui.approve_all", "kit-run-approve", self.approve_waiting, n=len(waiting)))
                for q in qs[:12]:
                    row = [w.HTML(element("idea", q["id"], q["status"], f"{q['votes']} · {q['text']}",
                                          " (" + t(f"run.q_status_{q['status']}", L) + ")"))]
                    for status in ("visible", "answered", "hidden"):
                        if q["status"] != status:
                            row.append(self._button(f"run.q_{status}", f"kit-q-{status}", self.set_question, q["id"], status))
                    out.append(w.HBox(row, layout=w.Layout(flex_flow="row wrap", gap="0.5rem", align_items="center")))
            else:
                for c in self.store.word_cloud(ws["id"], act["id"])[:12]:
                    out.append(self._button("run.hide_word", "kit-hide-word", self.hide_word, c["word"], word=c["word"]))
        return out

    # -- drawing --------------------------------------------------------------------------------------
    def _draw(self) -> None:
        L = self.lang
        self.ws = self.store.workshop(self.ws["id"])
        self._state = state = self.store.agenda_state(self.ws["id"])
        if state["current"] and state["current"]["type"] == "vote" and not state["current"]["config"].get("round_id"):
            rnd = self.store.current_round(self.ws["id"])  # a vote started on the voting page belongs here
            if rnd and rnd["status"] == "open":
                self.store.update_agenda_item(self.ws["id"], state["current"]["id"], config={"round_id": rnd["id"]})
                self._state = state = self.store.agenda_state(self.ws["id"])
        self.stage.value = stage_html(self.store, self.ws, L, state=state)
        pos, n = state["position"], len(state["activities"])
        self.prev_btn.disabled = not pos or pos <= 1
        self.next_btn.disabled = bool(pos) and pos >= n or not n
        acts = [ag.public(a, i + 1, L, activity_title(a, L)) for i, a in enumerate(state["activities"])]
        sig = json.dumps([acts, state["current"]["id"] if state["current"] else None], sort_keys=True)
        if sig != self._agenda_sig:
            self._agenda_sig = sig
            rows = []
            for a in acts:
                label_ = f"{a['position']}. {a['title']}" + (f" ({t('run.minutes', L, n=a['minutes'])})" if a["minutes"] else "")
                b = w.Button(description=label_, layout=w.Layout(width="auto"),
                             button_style="info" if state["current"] and a["id"] == state["current"]["id"] else "")
                b.add_class("kit-agenda-item")
                if state["current"] and a["id"] == state["current"]["id"]:
                    b.add_class("kit-current")
                b.on_click(lambda _, p=a["position"]: self._guard(self.go, p))
                rows.append(b)
            self.agenda_box.children = [w.HTML(element("heading", 2, t("run.agenda", L)))] + rows
            keep = self.edit_pick.value
            self.edit_pick.options = [(f"{a['position']}. {a['title']}", a["id"]) for a in acts]
            self.edit_pick.value = keep if keep in [a["id"] for a in acts] else (acts[0]["id"] if acts else None)
            self._load_pick()
        csig = json.dumps([state["current"], self.ws["ideas_open"], self.ws["settings"], self.ws["version"]],
                          sort_keys=True, default=str)
        if csig != self._controls_sig:
            self._controls_sig = csig
            self.controls.children = self._controls(state["current"])

