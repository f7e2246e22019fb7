"""02_ideas_and_voting: the projector. Ideas as they arrive (with hide/show for moderation), live dot
totals sorted, ballots cast against participants joined, a reveal/hide toggle, the join code always
on screen. Redraws from the store within a second of any change."""

from __future__ import annotations

import ipywidgets as w

from kit import voting
from kit.errors import KitError
from kit.i18n import t
from kit.store import Store
from kit.ui.common import Poller, error_text, esc, open_store, resolve_workshop, theme
from kit.ui.start import join_panel_html

TOP_K_DEFAULT = 5


def board_data(store: Store, workshop_id: int, round_id: int | None = None) -> dict:
    """Everything the projector shows, read from the store in one place (also used by the benchmark)."""
    ws = store.workshop(workshop_id)
    rnd = store.round(round_id) if round_id else store.current_round(workshop_id)
    data = {
        "workshop": ws,
        "participants": store.participant_count(workshop_id),
        "ideas": list(reversed(store.ideas(workshop_id))),  # newest first
        "round": rnd,
        "ballots": 0,
        "results": [],
        "ties": [],
        "texts": {},
    }
    if rnd:
        items = store.round_items(rnd["id"])
        ballots = store.dot_ballots(rnd["id"])
        data["ballots"] = len(ballots)
        data["results"] = voting.tally([i["id"] for i in items], [b["dots"] for b in ballots])
        data["ties"] = voting.ties_at_cutoff(data["results"], min(TOP_K_DEFAULT, max(1, len(items) - 1)))
        data["texts"] = {i["id"]: (i["text"], i["status"]) for i in items}
    return data


def results_html(data: dict, lang: str) -> str:
    rnd = data["round"]
    if not rnd:
        return f"<p class='kit-note'>{esc(t('ui.no_rounds', lang))}</p>"
    head = (f"<h2>{esc(rnd['title'])} <span class='kit-note'>({esc(t('round.' + rnd['status'], lang))})</span></h2>")
    if not rnd["results_visible"]:
        return head + f"<p class='kit-note kit-results-hidden'>{esc(t('ui.results_hidden', lang))}</p>"
    if not voting.has_result(data["results"]):
        return head + f"<p class='kit-note'>{esc(t('ui.no_result', lang))}</p>"
    top = max(r.score for r in data["results"]) or 1
    rows = []
    for r in data["results"]:
        text, status = data["texts"].get(r.idea_id, ("", "visible"))
        shown = esc(text) if status == "visible" else f"<em>{esc(t('ui.hidden_idea', lang))}</em>"
        tie = f" <span class='tie'>{esc(t('ui.tie', lang))}</span>" if r.idea_id in data["ties"] else ""
        rows.append(
            f"<li data-idea='{r.idea_id}' data-score='{r.score}'><span class='rank'>{r.rank}.</span>"
            f"<span class='text'>{shown}{tie}<span class='bar' style='width:{100 * r.score / top:.0f}%'></span></span>"
            f"<span class='score'>{r.score}</span></li>"
        )
    return head + f"<ol class='kit-results' aria-label='{esc(t('ui.results', lang))}'>{''.join(rows)}</ol>"


class ProjectorApp(w.VBox):
    """The projector view. Every action is a method; buttons only call them."""

    def __init__(self, store: Store | None = None, code: str | None = None, lang: str | None = None,
                 round_id: int | None = None, poll: bool = True):
        super().__init__()
        self.add_class("kit-app")
        self.store = store or open_store()
        self.ws = resolve_workshop(self.store, code)
        self.lang = lang or self.ws["language"]
        self.round_id = round_id
        L = self.lang
        self.join = w.HTML()
        self.stats = w.HTML()
        self.message = w.HTML()
        self.results = w.HTML()
        self.results.add_class("kit-results-box")
        self.reveal_btn = w.ToggleButton(description=t("ui.show_results", L), icon="", layout=w.Layout(width="auto"))
        self.reveal_btn.add_class("kit-reveal")
        self._drawing = False
        self.reveal_btn.observe(lambda ch: not self._drawing and self._guard(self.reveal, ch["new"]), names="value")
        self.close_btn = w.Button(description=t("ui.close_round", L), button_style="warning", layout=w.Layout(width="auto"))
        self.close_btn.add_class("kit-close-round")
        self.close_btn.on_click(lambda _: self._guard(self.close_round))
        self.ideas_box = w.VBox()
        self.ideas_box.add_class("kit-ideas")
        self.children = [
            theme(), self.join, self.stats, self.message,
            w.HBox([self.reveal_btn, self.close_btn], layout=w.Layout(flex_flow="row wrap")),
            self.results,
            w.HTML(f"<h2>{esc(t('ui.ideas', L))}</h2>"), self.ideas_box,
        ]
        self.data: dict = {}
        self.refresh()
        self.poller = Poller(self.store, self.ws["id"], self.refresh).start() if poll else None

    # -- actions ----------------------------------------------------------------------------
    def current_round(self) -> dict | None:
        return self.store.round(self.round_id) if self.round_id else self.store.current_round(self.ws["id"])

    def reveal(self, visible: bool) -> None:
        rnd = self.current_round()
        if rnd is None:
            raise KitError("round_not_open", status=409)
        self.store.set_results_visible(rnd["id"], visible)
        self.refresh()

    def close_round(self) -> None:
        rnd = self.current_round()
        if rnd is None or rnd["status"] != "open":
            raise KitError("round_not_open", status=409)
        self.store.close_round(rnd["id"])
        self.refresh()

    def hide_idea(self, idea_id: int) -> None:
        self.store.set_idea_status(idea_id, "hidden")
        self.refresh()

    def show_idea(self, idea_id: int) -> None:
        self.store.set_idea_status(idea_id, "visible")
        self.refresh()

    # -- drawing ----------------------------------------------------------------------------
    def _guard(self, fn, *args):
        try:
            self.message.value = ""
            fn(*args)
        except Exception as err:
            self.message.value = f'<p class="kit-msg" role="alert">{esc(error_text(err, self.lang))}</p>'

    def _idea_row(self, idea: dict) -> w.HBox:
        hidden = idea["status"] == "hidden"
        text = w.HTML(f"<div class='kit-idea{' hidden' if hidden else ''}' data-idea='{idea['id']}'>{esc(idea['text'])}</div>",
                      layout=w.Layout(flex="1 1 auto"))
        btn = w.Button(description=t("ui.show" if hidden else "ui.hide", self.lang),
                       tooltip=t("ui.show" if hidden else "ui.hide", self.lang))
        btn.add_class("kit-show-idea" if hidden else "kit-hide-idea")
        btn.on_click(lambda _, i=idea["id"], h=hidden: self._guard(self.show_idea if h else self.hide_idea, i))
        return w.HBox([text, btn], layout=w.Layout(align_items="center"))

    def refresh(self) -> None:
        self._drawing = True
        try:
            self._draw()
        finally:
            self._drawing = False

    def _draw(self) -> None:
        L = self.lang
        self.data = data = board_data(self.store, self.ws["id"], self.round_id)
        self.ws = data["workshop"]
        self.join.value = join_panel_html(self.ws["code"], L, scale=5, small=True)
        rnd = data["round"]
        ballots = f"{data['ballots']} / {data['participants']}" if rnd else "–"
        self.stats.value = (
            "<div class='kit-stats'>"
            f"<div><span class='big kit-participants'>{data['participants']}</span>{esc(t('ui.joined', L))}</div>"
            f"<div><span class='big kit-idea-count'>{len(data['ideas'])}</span>{esc(t('ui.ideas', L))}</div>"
            f"<div><span class='big kit-ballots'>{ballots}</span>{esc(t('ui.ballots_cast', L))}</div>"
            "</div>"
        )
        self.results.value = results_html(data, L)
        self.reveal_btn.value = bool(rnd and rnd["results_visible"])
        self.reveal_btn.description = t("ui.hide_results" if self.reveal_btn.value else "ui.show_results", L)
        self.reveal_btn.disabled = rnd is None
        self.close_btn.disabled = not (rnd and rnd["status"] == "open")
        self.ideas_box.children = [self._idea_row(i) for i in data["ideas"]] or [
            w.HTML(f"<p class='kit-note'>{esc(t('ui.no_ideas', L))}</p>")]
