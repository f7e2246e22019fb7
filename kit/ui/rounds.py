"""Setting up a vote before it opens: the method and its rules, and what is voted on (a checklist of
the visible ideas with quick filters). One widget, used by the start page and by the Run view's vote
activity, so a facilitator sets up budgeting (its budget, the costed projects) in either place the
same way. It only collects the choices; the page that holds it opens the round."""

from __future__ import annotations

import ipywidgets as w

from kit import budgeting, voting
from kit.config import LANGUAGES
from kit.errors import KitError
from kit.i18n import t
from kit.numbers import money
from kit.render import element
from kit.render.voting import RULE_TITLE
from kit.voting import METHODS, PRESETS


def require_items(store, workshop_id: int, idea_ids) -> None:
    """A vote needs something to vote on: none chosen, or no visible idea at all, is refused saying which."""
    if not idea_ids:
        none_visible = not store.ideas(workshop_id, include_hidden=False)
        raise KitError("no_items_to_vote" if none_visible else "no_items_chosen", status=409)


class RoundSetup(w.VBox):
    """`app` is the KitApp holding it (its store, workshop, language, guard and `_drawing`); `start`
    is what the start button calls. `with_title`: a title field (the Run view's vote takes its
    activity's title instead)."""

    def __init__(self, app, start, with_title: bool = True):
        super().__init__()
        self.app = app
        L = app.lang
        sty = {"description_width": "initial"}
        self.round_title = w.Text(value=t("ui.default_round_title", L), description=t("ui.round_title", L), style=sty)
        self.preset = w.Dropdown(options=[(t("preset." + p, L), p) for p in PRESETS], value="n3",
                                 description=t("ui.preset", L), style=sty)
        self.preset.add_class("kit-preset")
        self.custom_dots = w.BoundedIntText(value=5, min=1, max=100, description=t("ui.custom_dots", L), style=sty)
        self.cap = w.BoundedIntText(value=0, min=0, max=100, description=t("ui.cap", L), style=sty)
        self.method = w.Dropdown(options=[(t("method." + m, L), m) for m in METHODS], value="dots",
                                 description=t("ui.method", L), style=sty)
        self.method.add_class("kit-method")
        self.min_choices = w.BoundedIntText(value=0, min=0, max=100, description=t("ui.min_choices", L), style=sty)
        self.max_choices = w.BoundedIntText(value=0, min=0, max=100, description=t("ui.max_choices", L), style=sty)
        self.max_ranked = w.BoundedIntText(value=3, min=1, max=100, description=t("ui.max_ranked", L), style=sty)
        self.budget = w.Text(value="", description=t("ui.budget", L), style=sty, placeholder="50000")
        self.budget.add_class("kit-budget")
        # the rule that decides what is funded, fixed when the vote opens and shown on every ballot
        self.pb_rule = w.Dropdown(options=[(t(RULE_TITLE[r], L), r) for r in voting.PB_RULES], value="mes",
                                  description=t("ui.pb_rule", L), style=sty, layout=w.Layout(width="auto"))
        self.pb_rule.add_class("kit-pb-rule-pick")
        self.pb_rule.observe(lambda ch: not self.chosen_by_hand and self.draw_items(), names="value")
        self.dot_box = w.HBox([self.preset, self.custom_dots, self.cap], layout=w.Layout(flex_flow="row wrap"))
        self.choice_box = w.HBox([self.min_choices, self.max_choices], layout=w.Layout(flex_flow="row wrap"))
        self.rank_box = w.HBox([self.max_ranked])
        self.pb_box = w.HBox([self.budget, self.pb_rule, self.max_choices], layout=w.Layout(flex_flow="row wrap"))
        # the supporters each project needs (equal shares) follow the budget as it is typed
        self.budget.observe(lambda ch: self.method.value == "pb" and self.pb_rule.value == "mes" and self.draw_items(),
                            names="value")
        self.method_box = w.VBox()
        self.method.observe(lambda ch: self.show_method_options(), names="value")
        # what goes into the round: a checklist of the visible ideas, with quick filters
        self.items_note = w.HTML()
        self.items_box = w.VBox(layout=w.Layout(max_height="22em", overflow_y="auto"))
        self.items_box.add_class("kit-round-items")
        self.item_boxes: dict = {}  # idea id -> its checkbox, made once
        self.chosen: set[int] = set()
        self.chosen_by_hand = False  # until the facilitator picks, the default follows the method and new ideas
        quick = []
        for rule in voting.ROUND_FILTERS:
            b = w.Button(description=t(f"ui.items_{rule}", L), layout=w.Layout(width="auto"))
            b.add_class("kit-items-" + rule)
            b.on_click(lambda _, r=rule: app._guard(self.choose_items, r))
            quick.append(b)
        self.items_tag = w.Dropdown(description=t("ui.items_tag", L), style=sty, layout=w.Layout(width="auto"))
        self.items_tag.add_class("kit-items-tag")
        self.items_tag.observe(lambda ch: not app._drawing and ch["new"] and app._guard(self.choose_items, ch["new"]),
                               names="value")
        self.items_quick = w.HBox(quick + [self.items_tag], layout=w.Layout(flex_flow="row wrap"))
        # a vote open for a period (days or weeks): it opens and closes on its own, in the network's time zone
        self.opens = w.Text(description=t("ui.round_opens", L), style=sty, placeholder="2026-12-14 09:00")
        self.opens.add_class("kit-round-opens")
        self.closes = w.Text(description=t("ui.round_closes", L), style=sty, placeholder="2026-12-21 18:00")
        self.closes.add_class("kit-round-closes")
        self.period_box = w.VBox([w.HTML(element("p", t("ui.round_period_help", L))),
                                  w.HBox([self.opens, self.closes], layout=w.Layout(flex_flow="row wrap"))])
        self.start_btn = w.Button(description=t("ui.start.dots", L), button_style="primary", layout=w.Layout(width="auto"))
        self.start_btn.add_class("kit-start-round")
        self.start_btn.on_click(lambda _: app._guard(start))
        head = [w.HBox([self.round_title, self.method], layout=w.Layout(flex_flow="row wrap"))] if with_title \
            else [self.method]
        self.children = head + [self.method_box, self.period_box, w.HTML(element("heading", 3, t("ui.round_items", L))),
                                self.items_quick, self.items_note, self.items_box]
        self.show_method_options()

    def show_method_options(self) -> None:
        m, L = self.method.value, self.app.lang
        defaults = {t("ui.default_round_title", L)} | {t("method." + x, L) for x in METHODS}
        if self.round_title.value.strip() in defaults:  # a title the facilitator has not written follows the method
            self.round_title.value = t("ui.default_round_title" if m == "dots" else "method." + m, L)
        self.method_box.children = {"dots": [self.dot_box], "approval": [self.choice_box],
                                    "ranking": [self.rank_box], "pb": [self.pb_box]}.get(m, [])
        if not self.chosen_by_hand:
            self.draw_items()
        # last: the button naming the method says the setup has followed it (the checklist too)
        self.start_btn.description = t(f"ui.start.{m}", L)

    def forget(self) -> None:
        """Another workshop (or another vote activity): the choices start again from the default."""
        self.chosen, self.item_boxes, self.chosen_by_hand = set(), {}, False

    def period(self) -> tuple[str, str] | None:
        """(opens, closes) as typed when the vote is to be open for a period; None: open now, by hand."""
        if not (self.opens.value.strip() or self.closes.value.strip()):
            return None
        return self.opens.value.strip(), self.closes.value.strip()

    def options(self) -> dict | None:
        """The chosen method's rules as the store's create_round takes them."""
        return {"approval": {"min": self.min_choices.value or None, "max": self.max_choices.value or None},
                "ranking": {"k": self.max_ranked.value},
                "pb": {"budget": self.budget.value, "max": self.max_choices.value or None,
                       "rule": self.pb_rule.value}}.get(self.method.value)

    def default_titles(self, title: str, method: str) -> dict | None:
        """The title field left as the kit filled it in: the round gets that title in every language, so
        each participant reads it in theirs. A title the facilitator wrote stays as typed."""
        key = "ui.default_round_title" if method == "dots" else "method." + method
        if (title or "").strip() not in ("", t(key, self.app.lang)):
            return None
        return {lang: t(key, lang) for lang in LANGUAGES}

    # -- what goes into the round --------------------------------------------------------------
    def _ideas(self) -> list[dict]:
        return self.app.store.ideas(self.app.ws["id"], include_hidden=False)

    def choose_items(self, rule: str) -> list[int]:
        """A quick filter: all, none, costed, new, or tag:<key>. It replaces the ticks; the facilitator
        can tick or untick single ideas after it. Nothing is hidden or changed on the ideas."""
        self.chosen = set(voting.round_selection(self._ideas(), rule, self.app.store.rounds(self.app.ws["id"])))
        self.chosen_by_hand = True
        self.draw_items()
        return sorted(self.chosen)

    def tick_item(self, idea_id: int, on: bool) -> None:
        (self.chosen.add if on else self.chosen.discard)(idea_id)
        self.chosen_by_hand = True
        self.draw_items()

    def _tag_label(self, tag: str) -> str:
        kind, _, value = tag.partition(":")
        L = self.app.lang
        if kind == "pore_level":
            return t(f"pore.{value}", L)
        if kind == "thl":
            return t("thl." + value, L)
        if kind == "step_level":
            return t("ui.items_step", L, n=value)
        return value

    def draw_items(self) -> None:
        app, L = self.app, self.app.lang
        ideas = self._ideas()
        visible = {i["id"]: i for i in ideas}
        # equal shares: about how many supporters each costed project needs, with today's room as voters
        voters = app.store.participant_count(app.ws["id"])
        budget = self._budget()
        needs = self.method.value == "pb" and self.pb_rule.value == "mes" and budget is not None and voters > 0
        if not self.chosen_by_hand:
            self.chosen = set(voting.default_selection(ideas, self.method.value, app.store.rounds(app.ws["id"])))
        self.chosen &= set(visible)
        boxes = []
        for iid, idea in visible.items():
            box = self.item_boxes.get(iid)
            if box is None:
                box = w.Checkbox(indent=False, layout=w.Layout(width="100%"))
                box.add_class("kit-round-item")
                box.observe(lambda ch, i=iid: not app._drawing and app._guard(self.tick_item, i, ch["new"]),
                            names="value")
                self.item_boxes[iid] = box
            cost = f" · {money(budgeting.to_amount(idea['cost']), L)}" if idea.get("cost") else ""
            if needs and idea.get("cost"):
                cost += " · " + t("ui.pb_needs", L, n=budgeting.supporters_needed(idea["cost"], budget, voters))
            was, app._drawing = app._drawing, True
            try:
                box.description = f"{iid}: {idea['text'][:120]}{cost}"
                box.value = iid in self.chosen
            finally:
                app._drawing = was
            boxes.append(box)
        if list(self.items_box.children) != boxes:
            self.items_box.children = boxes
        tags = sorted({tag for i in ideas for tag in voting.idea_tags(i)})
        options = [(t("ui.items_tag_choose", L), "")] + [(self._tag_label(x), "tag:" + x) for x in tags]
        was, app._drawing = app._drawing, True
        try:
            if list(self.items_tag.options) != options:
                self.items_tag.options = options
            self.items_tag.value = ""
        finally:
            app._drawing = was
        self.items_note.value = element("note", t("ui.items_chosen", L, n=len(self.chosen), total=len(visible))) + \
            (element("note", t("ui.pb_needs_help", L, voters=voters)) if needs else "")

    def _budget(self):
        """The budget typed so far, or None while it is not an amount above zero."""
        try:
            b = budgeting.to_amount(self.budget.value, "budget")
        except KitError:  # still being typed: no estimate yet
            return None
        return b if b > 0 else None
