"""Moderating ideas one by one: a row per idea with its two buttons in fixed places, approve (only
while it waits) and hide / show. Page 02 and the Run view's ideas activity hold one each, so a
facilitator can take a hurtful idea off the projector's wall from the page they run the room from."""

from __future__ import annotations

import time

import ipywidgets as w

from kit import budgeting
from kit.i18n import t
from kit.numbers import money
from kit.render import element


class IdeaRows:
    """`app` is the KitApp holding the rows (its store, language, guard and refresh). A row is made
    once per idea and updated in place, so a redraw between press and release never swallows a click,
    and nothing moves under the pointer."""

    def __init__(self, app):
        self.app = app
        self.rows: dict = {}  # idea id -> its row's widgets
        self.acted: dict = {}  # idea id -> when a button last acted on it

    def set_status(self, idea_id: int, status: str, expect: str | None = None) -> bool:
        changed = self.app.store.set_idea_status(idea_id, status, expect=expect)
        self.app.refresh()
        return changed

    def click(self, idea_id: int, slot: str) -> None:
        """A moderation button: it acts once, on the idea and the status it was shown for. A click
        on the same row within a second of the last one is a double click and does nothing, so the
        button that takes the place of the one just pressed is not pressed too."""
        now = time.monotonic()
        if now - self.acted.get(idea_id, -10.0) < 1.0:
            return
        self.acted[idea_id] = now
        shown = self.rows[idea_id][3]["status"]
        if slot == "approve":
            if shown == "pending":
                self.set_status(idea_id, "visible", expect="pending")
        elif shown == "hidden":
            self.set_status(idea_id, "visible", expect="hidden")
        elif shown in ("visible", "pending"):
            self.set_status(idea_id, "hidden", expect=shown)

    def row(self, idea: dict) -> w.HBox:
        app, L = self.app, self.app.lang
        iid, st = idea["id"], idea["status"]
        if iid not in self.rows:
            text = w.HTML(layout=w.Layout(flex="1 1 auto"))
            approve = w.Button(layout=w.Layout(width="auto"))
            approve.add_class("kit-approve-idea")
            approve.on_click(lambda _, i=iid: app._guard(self.click, i, "approve"))
            toggle = w.Button(layout=w.Layout(width="auto"))
            toggle.on_click(lambda _, i=iid: app._guard(self.click, i, "toggle"))
            box = w.HBox([text, approve, toggle], layout=w.Layout(align_items="center"))
            box.add_class("kit-idea-row")
            self.rows[iid] = (box, approve, toggle, {"status": None}, text)
        box, approve, toggle, shown, text = self.rows[iid]
        note = ""
        if st == "pending":
            note = t("ui.status_pending", L)
        elif st == "rejected":
            note = t("ui.status_rejected", L, reason=idea["reject_reason"] or "")
        elif st == "merged":
            note = t("ui.status_merged", L, idea=idea["merged_into"])
        cost = f" · {money(budgeting.to_amount(idea['cost']), L)}" if idea.get("cost") else ""
        text.value = element("idea", iid, st, idea["text"], cost + (" · " + note if note else ""))
        shown["status"] = st
        # approve: pressable only while the idea waits; afterwards it says so, and a second press does nothing
        approve.description = t("ui.approve" if st == "pending" else "ui.approved", L)
        approve.disabled = st != "pending"
        approve.button_style = "primary" if st == "pending" else ""
        approve.layout.visibility = "visible" if st in ("pending", "visible") else "hidden"
        label = "ui.show" if st == "hidden" else "ui.hide"
        toggle.description = toggle.tooltip = t(label, L)
        toggle.disabled = st in ("rejected", "merged")
        toggle.layout.visibility = "hidden" if st in ("rejected", "merged") else "visible"
        for cls in ("kit-show-idea", "kit-hide-idea"):
            toggle.remove_class(cls)
        toggle.add_class("kit-show-idea" if st == "hidden" else "kit-hide-idea")
        return box
