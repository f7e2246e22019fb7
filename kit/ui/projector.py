"""02_ideas_and_voting: the projector. Ideas as they arrive (with hide/show for moderation), live dot
totals sorted, ballots cast against participants joined, a reveal/hide toggle, the join code always
on screen. Redraws from the store within a second of any change."""

from __future__ import annotations

import base64

import ipywidgets as w

from kit import budgeting, proposals, voting
from kit import workshop as wsmod
from kit.errors import KitError
from kit.i18n import t
from kit.render import element
from kit.render.voting import groups_html, results_html
from kit.render.voting import paper_ballot_html as render_paper_ballot
from kit.store import THL_DIMENSIONS, Store
from kit.ui.common import KitApp, Poller, theme
from kit.ui.moderation import IdeaRows
from kit.ui.start import join_panel_html

TOP_K_DEFAULT = 5


def board_data(store: Store, workshop_id: int, round_id: int | None = None, min_group: int | None = None) -> dict:
    """Everything the projector shows, read from the store in one place (also used by the benchmark)."""
    ws = store.workshop(workshop_id)
    rnd = store.round(round_id) if round_id else store.current_round(workshop_id)
    data = {
        "workshop": ws,
        "participants": store.participant_count(workshop_id),
        "present": store.present_count(workshop_id),
        # a hybrid meeting: how many said they are in the room, how many remote
        "presence": store.presence_counts(workshop_id) if (ws.get("settings") or {}).get("hybrid") else None,
        "ideas": list(reversed(store.ideas(workshop_id))),  # newest first
        "round": rnd,
        "ballots": 0,
        "results": [],
        "ties": [],
        "texts": {},
        "groups": None,
        "pb": None,
    }
    if rnd:
        counted = store.results(rnd["id"])
        items, ballots, ids = counted.items, counted.ballots, counted.item_ids
        data["ballots"] = len(ballots)
        data["results"] = counted.results
        data["ties"] = voting.round_ties(rnd["method"], data["results"], len(items), TOP_K_DEFAULT)
        data["texts"] = {i["id"]: (i["text"], i["status"]) for i in items}
        data["groups"] = voting.by_group(rnd["method"], rnd["rules"], ids, ballots, min_group or wsmod.min_group(ws))
        if rnd["method"] == "pb":
            e = store.election(rnd["id"])
            rule = voting.pb_rule(rnd["rules"])  # the binding result, and the comparisons the desk shows
            data["pb"] = {"election": e, **{r: budgeting.cached(e, r) for r in (rule, *voting.pb_comparisons(rule))}}
    return data


def paper_ballot_html(store: Store, round_id: int, lang: str) -> str:
    """A printable paper ballot of a round (kit.render.voting draws it)."""
    return render_paper_ballot(store.round(round_id), store.round_items(round_id), lang)


class ProjectorApp(KitApp):
    """The projector view and the facilitator's controls under it. Every action is a method;
    buttons only call them."""

    def __init__(self, store: Store | None = None, code: str | None = None, lang: str | None = None,
                 round_id: int | None = None, poll: bool = True):
        super().__init__(store, code, lang)
        self.round_id = round_id
        L = self.lang
        sty = {"description_width": "initial"}
        self.join = w.HTML()
        self.join.add_class("kit-join-box")  # stays on screen in projector mode
        self.stats = w.HTML()
        self.message = w.HTML()
        self.results = w.HTML()
        self.results.add_class("kit-results-box")
        self.groups = w.HTML()
        self.groups.add_class("kit-desk-only")  # a dense table: not on the projector view
        self.reveal_btn = w.ToggleButton(description=t("ui.show_results", L), icon="", layout=w.Layout(width="auto"))
        self.reveal_btn.add_class("kit-reveal")
        self.reveal_btn.add_class("kit-keep")  # stays on the projector view
        self.reveal_btn.observe(lambda ch: not self._drawing and self._guard(self.reveal, ch["new"]), names="value")
        self.close_btn = w.Button(description=t("ui.close_round", L), button_style="warning", layout=w.Layout(width="auto"))
        self.close_btn.add_class("kit-close-round")
        self.close_btn.add_class("kit-keep")
        self.close_btn.on_click(lambda _: self._guard(self.close_round))
        self.runoff_btn = w.Button(description=t("ui.runoff", L), layout=w.Layout(width="auto"))
        self.runoff_btn.add_class("kit-runoff")
        self.runoff_btn.on_click(lambda _: self._guard(self.runoff))
        self.min_group = w.BoundedIntText(value=5, min=1, max=100, description=t("ui.min_group", L), style=sty)
        self.min_group.add_class("kit-min-group")
        # the meeting's own threshold, stored: lower than 5 only as the meeting agreed (the minutes say so)
        self.min_group.observe(lambda ch: not self._drawing and self._guard(self.set_min_group, ch["new"]),
                               names="value")
        self.ideas_box = w.VBox()
        self.ideas_box.add_class("kit-ideas")
        self.moderation = IdeaRows(self)  # a row per idea, made once and updated in place
        self._rows = self.moderation.rows
        self.approve_all_btn = w.Button(description=t("ui.approve_all", L), layout=w.Layout(width="auto"))
        self.approve_all_btn.add_class("kit-approve-all")
        self.approve_all_btn.add_class("kit-desk-only")
        self.approve_all_btn.on_click(lambda _: self._guard(self.approve_all))

        # moderation of one idea at a time
        self.pick = w.Dropdown(description=t("ui.idea", L), style=sty, layout=w.Layout(width="100%"))
        self.pick.add_class("kit-pick-idea")
        self.pick.observe(lambda ch: not self._drawing and self._load_pick(), names="value")
        self.edit_text = w.Textarea(description=t("ui.edit_text", L), style=sty, layout=w.Layout(width="100%"))
        self.edit_btn = w.Button(description=t("ui.save_text", L))
        self.edit_btn.add_class("kit-edit-idea")
        self.edit_btn.on_click(lambda _: self._guard(self.edit_idea, self.pick.value, self.edit_text.value))
        self.reason = w.Text(description=t("ui.reject_reason", L), style=sty, layout=w.Layout(width="100%"))
        self.reason.add_class("kit-reject-reason")
        self.reject_btn = w.Button(description=t("ui.reject", L), button_style="danger")
        self.reject_btn.add_class("kit-reject-idea")
        self.reject_btn.on_click(lambda _: self._guard(self.reject_idea, self.pick.value, self.reason.value))
        self.merge_from = w.SelectMultiple(description=t("ui.merge_from", L), style=sty, rows=5,
                                           layout=w.Layout(width="100%"))
        self.merge_btn = w.Button(description=t("ui.merge", L))
        self.merge_btn.add_class("kit-merge-ideas")
        self.merge_btn.on_click(lambda _: self._guard(self.merge_ideas, self.pick.value, list(self.merge_from.value)))
        self.cost = w.Text(description=t("ui.cost", L), style=sty, placeholder="1200")
        self.cost.add_class("kit-cost")
        self.pore = w.Dropdown(options=[("–", 0)] + [(t(f"pore.{n}", L), n) for n in (1, 2, 3)],
                               description=t("ui.pore_level", L), style=sty)
        self.thl = w.SelectMultiple(options=[(t("thl." + d, L), d) for d in THL_DIMENSIONS],
                                    description=t("ui.thl", L), style=sty, rows=3)
        self.targets = w.Text(description=t("ui.target_groups", L), style=sty)
        self.step = w.BoundedIntText(value=0, min=0, max=9, description=t("ui.step_level", L), style=sty)
        self.tags_btn = w.Button(description=t("ui.save_tags", L))
        self.tags_btn.add_class("kit-save-tags")
        self.tags_btn.on_click(lambda _: self._guard(self.save_tags_from_form))
        # a budgeting proposal through its phases (kit/proposals.py); the cost above is its final cost
        wide = w.Layout(width="100%")
        self.proposal = {
            "description": w.Textarea(description=t("ui.proposal_description", L), style=sty, layout=wide),
            "preliminary_cost": w.Text(description=t("ui.proposal_preliminary", L), style=sty, placeholder="1000"),
            "feasibility": w.Textarea(description=t("ui.proposal_feasibility", L), style=sty, layout=wide),
            "implementation": w.Dropdown(options=[(t("ui.proposal_none", L), "")] + [
                (t(f"proposal.impl_{x}", L), x) for x in proposals.IMPLEMENTATION],
                description=t("ui.proposal_implementation", L), style=sty),
            "implemented_on": w.Text(description=t("ui.proposal_implemented_on", L), style=sty),
            "implementation_note": w.Text(description=t("ui.proposal_note", L), style=sty, layout=wide),
        }
        for name, box in self.proposal.items():
            box.add_class(f"kit-proposal-{name}")
        # a proposal of an earlier meeting of the network, followed here to its implementation
        self.proposal_pick = w.Dropdown(options=[(t("ui.proposal_this_idea", L), 0)],
                                        description=t("ui.proposal_earlier", L), style=sty, layout=wide)
        self.proposal_pick.add_class("kit-proposal-pick")
        self.proposal_pick.observe(lambda ch: not self._drawing and self._load_proposal(), names="value")
        self.earlier_proposals: list[dict] = []
        self.proposal_btn = w.Button(description=t("ui.proposal_save", L))
        self.proposal_btn.add_class("kit-save-proposal")
        self.proposal_btn.on_click(lambda _: self._guard(self.save_proposal_from_form))
        moderation = w.VBox([
            self.pick,
            w.HBox([self.edit_text, self.edit_btn]),
            w.HBox([self.reason, self.reject_btn]),
            w.HBox([self.merge_from, self.merge_btn]),
            w.HBox([self.cost, self.pore, self.step], layout=w.Layout(flex_flow="row wrap")),
            w.HBox([self.thl, self.targets], layout=w.Layout(flex_flow="row wrap")),
            self.tags_btn,
            w.HTML(element("heading", 4, t("ui.proposal_heading", L))), self.proposal_pick, *self.proposal.values(),
            self.proposal_btn,
        ])

        # paper ballots, entered twice
        self.paper_serial = w.Text(description=t("ui.paper_serial", L), style=sty)
        self.paper_serial.add_class("kit-paper-serial")
        self.paper_group = w.Dropdown(description=t("join.group", L), style=sty,
                                      options=[(t("join.group_none", L), "")] + [
                                          (g["label"], g["id"]) for g in wsmod.groups(self.ws["template"], L)])
        self.paper_marks = w.Text(description=t("ui.paper_marks", L), style=sty, placeholder="1, 3, 4")
        self.paper_marks.add_class("kit-paper-marks")
        self.paper_btn = w.Button(description=t("ui.paper_enter", L), button_style="primary")
        self.paper_btn.add_class("kit-paper-enter")
        self.paper_btn.on_click(lambda _: self._guard(self.enter_paper_from_form))
        self.paper_clear_btn = w.Button(description=t("ui.paper_clear", L))
        self.paper_clear_btn.on_click(lambda _: self._guard(self.clear_paper, self.paper_serial.value))
        self.paper_print = w.HTML()
        self.paper_log = w.HTML()
        paper = w.VBox([
            w.HTML(element("p", t("ui.paper_help", L))), self.paper_print,
            w.HBox([self.paper_serial, self.paper_group], layout=w.Layout(flex_flow="row wrap")),
            self.paper_marks, w.HBox([self.paper_btn, self.paper_clear_btn]), self.paper_log,
        ])
        # budgeting files: the current round as .pb, or a .pb file as a round of this workshop
        self.pb_download = w.HTML()
        self.pb_upload = w.FileUpload(accept=".pb", multiple=False, description=t("ui.pb_import", L),
                                      layout=w.Layout(width="auto"))
        self.pb_upload.add_class("kit-pb-upload")
        self.pb_upload.observe(lambda ch: ch["new"] and self._guard(self.import_pb_upload), names="value")
        pbfiles = w.VBox([w.HTML(element("p", t("ui.pb_files_help", L))), self.pb_download, self.pb_upload])
        # one person, one vote online too: one-time voting codes for the current round, shown once
        self.codes_count = w.BoundedIntText(value=50, min=1, max=voting.MAX_CODES, description=t("ui.codes_count", L),
                                            style=sty)
        self.codes_count.add_class("kit-codes-count")
        self.codes_btn = w.Button(description=t("ui.codes_make", L), button_style="primary")
        self.codes_btn.add_class("kit-codes-make")
        self.codes_btn.on_click(lambda _: self._guard(self.make_codes, self.codes_count.value))
        self.codes_download = w.HTML()
        self.codes_status = w.HTML()
        codes = w.VBox([w.HTML(element("p", t("ui.codes_help", L))), self.codes_status,
                        w.HBox([self.codes_count, self.codes_btn], layout=w.Layout(flex_flow="row wrap")),
                        self.codes_download])
        self.tools = w.Accordion(children=[moderation, paper, pbfiles, codes])
        self.tools.set_title(0, t("ui.moderation", L))
        self.tools.set_title(1, t("ui.paper", L))
        self.tools.set_title(2, t("ui.pb_files", L))
        self.tools.set_title(3, t("ui.codes", L))
        self.tools.selected_index = None

        self.children = [
            theme(), self.screen, self.join, self.stats, self.message,
            w.HBox([self.reveal_btn, self.close_btn, self.runoff_btn], layout=w.Layout(flex_flow="row wrap")),
            self.results, self.min_group, self.groups,
            w.HTML(element("heading", 2, t("ui.ideas_heading", L))), self.approve_all_btn, self.ideas_box, self.tools,
        ]
        self.data: dict = {}
        self._no_ideas = w.HTML(element("note", t("ui.no_ideas", L)))
        self.refresh()
        self.poller = Poller(self.store, self.ws["id"], self.refresh, heartbeat=30).start() if poll else None

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

    def runoff(self) -> dict:
        """One click: a new round of the same method among the ideas tied at the cut-off."""
        from kit.ui.start import start_round

        rnd = self.current_round()
        ties = self.data.get("ties") or []
        if rnd is None or len(ties) < 2:
            raise KitError("no_tie", status=409)
        rules = rnd["rules"]
        title = t("ui.runoff_title", self.lang, title=voting.round_title(rnd, self.lang))
        if rnd["method"] == "dots":
            new = start_round(self.store, self.ws["id"], title, "dots", rules.get("preset", "n3"),
                              rules.get("dots") if rules.get("preset") == "custom" else None, None, idea_ids=ties)
        else:
            opts = {"approval": {"max": 1}, "ranking": {"k": len(ties)}}.get(rnd["method"], {})
            new = start_round(self.store, self.ws["id"], title, rnd["method"], options=opts, idea_ids=ties)
        self.round_id = None
        self.refresh()
        return new

    def set_min_group(self, n: int) -> None:
        self.store.set_min_group(self.ws["id"], n)
        self._ok(t("ui.min_group_saved", self.lang, n=n))

    def hide_idea(self, idea_id: int, expect: str | None = None) -> bool:
        return self.moderation.set_status(idea_id, "hidden", expect)

    def show_idea(self, idea_id: int, expect: str | None = None) -> bool:
        return self.moderation.set_status(idea_id, "visible", expect)

    def approve_idea(self, idea_id: int) -> bool:
        """Approve a waiting idea; an idea that is no longer waiting stays as it is."""
        return self.show_idea(idea_id, expect="pending")

    def approve_all(self) -> int:
        n = self.store.approve_waiting(self.ws["id"])
        self._ok(t("ui.approved_all", self.lang, n=n))
        return n

    def edit_idea(self, idea_id: int, text: str) -> None:
        self.store.edit_idea(idea_id, text)
        self._ok(t("ui.saved", self.lang))

    def reject_idea(self, idea_id: int, reason: str) -> None:
        self.store.reject_idea(idea_id, reason)
        self.reason.value = ""
        self._ok(t("ui.rejected", self.lang))

    def merge_ideas(self, target: int, sources: list[int]) -> None:
        self.store.merge_ideas(target, sources)
        self._ok(t("ui.merged", self.lang, n=len(sources) + 1))

    def save_tags(self, idea_id: int, tags: dict, cost) -> None:
        self.store.set_idea_tags(idea_id, tags, cost=cost)
        self._ok(t("ui.saved", self.lang))

    def save_tags_from_form(self) -> None:
        tags = {"pore_level": self.pore.value or None, "thl": list(self.thl.value),
                "target_groups": [x.strip() for x in self.targets.value.split(",") if x.strip()],
                "step_level": self.step.value or None}
        self.save_tags(self.pick.value, tags, self.cost.value)

    def save_proposal(self, idea_id: int, proposal: dict, final_cost=...) -> dict:
        if idea_id is None:
            raise KitError("unknown_idea", status=404, idea="–")
        idea = self.store.set_proposal(idea_id, proposal, final_cost=final_cost)
        self._ok(t("ui.saved", self.lang))
        return idea

    def save_proposal_from_form(self) -> dict:
        fields = {k: v.value for k, v in self.proposal.items()}
        if self.proposal_pick.value:  # an earlier meeting's proposal: its final cost was on its ballot
            return self.save_proposal(self.proposal_pick.value, fields)
        return self.save_proposal(self.pick.value, fields, self.cost.value)

    def _load_proposal(self) -> None:
        """The proposal editor follows the idea picked above, or an earlier meeting's proposal."""
        chosen = next((x for x in self.earlier_proposals if x["id"] == self.proposal_pick.value), None)
        if chosen is None:
            return self._load_pick()
        prop = chosen.get("proposal") or {}
        for name, box in self.proposal.items():
            box.value = prop.get(name, "")

    def make_codes(self, count) -> list[str]:
        """Voting codes for the current round: a sheet to print and a CSV to mail-merge, offered for
        download once (the store keeps only their hashes)."""
        from kit.render.voting import codes_csv, codes_sheet_html
        from kit.ui.common import participant_url

        rnd = self.current_round()
        if rnd is None:
            raise KitError("round_not_open", status=409)
        codes = self.store.issue_codes(rnd["id"], count)
        url = participant_url(self.ws["code"])
        tz = (self.store.network_of(self.ws["id"]).get("info") or {}).get("timezone")
        sheet = codes_sheet_html(self.store.round(rnd["id"]), codes, url if "://" in url else None, self.lang, tz)
        links = []
        for name, mime, doc, label in (("html", "text/html", sheet, "ui.codes_sheet"),
                                       ("csv", "text/csv", codes_csv(codes, url), "ui.codes_csv")):
            href = f"data:{mime};charset=utf-8;base64," + base64.b64encode(doc.encode("utf-8")).decode("ascii")
            links.append(element("download", f"{self.ws['code']}-round-{rnd['id']}-codes-{len(codes)}.{name}", href,
                                 t(label, self.lang), cls="kit-codes-" + name))
        from markupsafe import Markup

        self.codes_download.value = Markup("").join(links) + element("note", t("ui.codes_once", self.lang))
        self._ok(t("ui.codes_made", self.lang, n=len(codes)))
        self.refresh()
        return codes

    def enter_paper(self, serial: str, text: str, group: str | None = None) -> dict:
        rnd = self.current_round()
        if rnd is None or rnd["status"] != "open":
            raise KitError("round_not_open", status=409)
        items = [i["id"] for i in self.store.round_items(rnd["id"]) if i["status"] == "visible"]
        body = voting.paper_body(rnd["method"], text, items)
        out = self.store.enter_paper_ballot(rnd["id"], serial, body, group or None)
        key = "ui.paper_first" if out["status"] == "first" else "ui.paper_counted"
        self._ok(t(key, self.lang, serial=out["serial"]))
        return out

    def enter_paper_from_form(self) -> dict:
        out = self.enter_paper(self.paper_serial.value, self.paper_marks.value, self.paper_group.value)
        self.paper_marks.value = ""
        if out["status"] == "counted":
            self.paper_serial.value = ""
        return out

    def clear_paper(self, serial: str) -> None:
        rnd = self.current_round()
        if rnd is None:
            raise KitError("round_not_open", status=409)
        self.store.clear_paper_entry(rnd["id"], (serial or "").strip())
        self._ok(t("ui.paper_cleared", self.lang, serial=serial))

    def import_pb(self, text: str, title: str | None = None) -> dict:
        rnd = self.store.import_pb(self.ws["id"], text, title)
        self.round_id = rnd["id"]
        self._ok(t("ui.pb_imported", self.lang, title=voting.round_title(rnd, self.lang), n=self.store.ballot_count(rnd["id"])))
        return rnd

    def import_pb_upload(self) -> None:
        files = self.pb_upload.value
        try:
            f = files[0]
            try:
                text = bytes(f["content"]).decode("utf-8")
            except UnicodeDecodeError:
                raise KitError("pb_line", line=1, reason="not UTF-8 text") from None
            self.import_pb(text, f["name"].rsplit(".", 1)[0])
        finally:
            self.pb_upload.value = ()

    # -- drawing ----------------------------------------------------------------------------
    def _load_pick(self) -> None:
        iid = self.pick.value
        idea = next((i for i in self.data.get("ideas", []) if i["id"] == iid), None)
        if idea is None:
            return
        tags = idea.get("tags") or {}
        self.edit_text.value = idea["text"]
        self.cost.value = idea.get("cost") or ""
        self.pore.value = tags.get("pore_level") or 0
        self.thl.value = tuple(tags.get("thl") or ())
        self.targets.value = ", ".join(tags.get("target_groups") or [])
        self.step.value = tags.get("step_level") or 0
        if not self.proposal_pick.value:
            prop = idea.get("proposal") or {}
            for name, box in self.proposal.items():
                box.value = prop.get(name, "")
        self.merge_from.options = [(f"{i['id']}: {i['text'][:60]}", i["id"]) for i in self.data["ideas"]
                                   if i["id"] != iid and i["status"] != "merged"]

    def set_screen(self, mode: str) -> None:
        super().set_screen(mode)
        if hasattr(self, "data"):  # what the room may see changes with the screen: draw again
            self.refresh()

    def _draw(self) -> None:
        L = self.lang
        self.data = data = board_data(self.store, self.ws["id"], self.round_id)
        self.ws = data["workshop"]
        self.min_group.value = wsmod.min_group(self.ws)
        self.join.value = join_panel_html(self.ws["code"], L, scale=5, small=True)
        if (self.ws.get("meeting_no") or 1) > 1:  # proposals of earlier meetings, followed here
            from kit.report import network_proposals

            self.earlier_proposals = network_proposals(self.store, self.ws, earlier_only=True)
            keep = self.proposal_pick.value
            self.proposal_pick.options = [(t("ui.proposal_this_idea", L), 0)] + [
                (t("ui.proposal_earlier_option", L, text=x["text"][:60], number=x["meeting"],
                   phase=t(f"proposal.phase_{x['phase']}", L)), x["id"]) for x in self.earlier_proposals]
            self.proposal_pick.value = keep if keep in [x["id"] for x in self.earlier_proposals] else 0
        rnd = data["round"]
        ballots = f"{data['ballots']} / {data['participants']}" if rnd else "–"
        # in projector mode the room sees only approved ideas; what waits for approval is a number
        projecting = self.screen.value != "desk"
        # the room reads the newest first; the desk moderates oldest first, so a new idea joins at the
        # bottom and no row moves under the facilitator's pointer
        ideas = [i for i in data["ideas"] if i["status"] == "visible"] if projecting else data["ideas"][::-1]
        waiting = sum(1 for i in data["ideas"] if i["status"] == "pending")
        self.stats.value = element("stats", [("kit-participants", data["participants"], t("ui.joined", L)),
                                             ("kit-present", data["present"], t("ui.present_now", L)),
                                             ("kit-idea-count", len(ideas), t("ui.ideas", L)),
                                             ("kit-ballots", ballots, t("ui.ballots_cast", L))]
                                   + ([("kit-room", data["presence"]["room"], t("ui.in_room", L)),
                                       ("kit-remote", data["presence"]["remote"], t("ui.remote", L))]
                                      if data["presence"] else [])
                                   + ([("kit-waiting", waiting, t("ui.waiting_count", L))] if waiting else []))
        self.results.value = results_html(data, L)
        names = {g["id"]: g["label"] for g in wsmod.groups(self.ws["template"], L)}
        self.groups.value = groups_html(data, L, names)
        self.reveal_btn.value = bool(rnd and rnd["results_visible"])
        self.reveal_btn.description = t("ui.hide_results" if self.reveal_btn.value else "ui.show_results", L)
        self.reveal_btn.disabled = rnd is None
        # a vote already closed offers no "close" (a projector showing both read as a contradiction)
        self.close_btn.disabled = not (rnd and rnd["status"] == "open")
        self.close_btn.layout.display = None if rnd and rnd["status"] == "open" else "none"
        self.runoff_btn.disabled = len(data["ties"]) < 2
        rows = [self.moderation.row(i) for i in ideas] or [self._no_ideas]
        if list(self.ideas_box.children) != rows:
            self.ideas_box.children = rows
        self.approve_all_btn.disabled = not waiting
        self.approve_all_btn.description = t("ui.approve_all", L, n=waiting)
        keep = self.pick.value
        # the moderation list stays on the desk view: many laptops mirror their screen to the projector
        self.pick.options = [(f"{i['id']}: {i['text'][:80]} ({t('status.' + i['status'], L)})", i["id"])
                             for i in reversed(data["ideas"])] if not projecting else []
        if keep in [v for _, v in self.pick.options]:
            self.pick.value = keep
        if self.pick.value is not None and (keep != self.pick.value or not self.merge_from.options):
            self._load_pick()
        if rnd and rnd["status"] == "open":
            doc = paper_ballot_html(self.store, rnd["id"], L)
            href = "data:text/html;charset=utf-8;base64," + base64.b64encode(doc.encode("utf-8")).decode("ascii")
            self.paper_print.value = element("download", f"ballot-{rnd['id']}.html", href, t("ui.paper_print", L),
                                             cls="kit-paper-print")
            entries = self.store.paper_entries(rnd["id"])
            waiting = [e["serial"] for e in entries if e["ballot_id"] is None]
            counted = len(entries) - len(waiting)
            self.paper_log.value = element("note", t("ui.paper_status", L, counted=counted, waiting=", ".join(waiting) or "–"))
        else:
            self.paper_print.value = element("note", t("ui.no_open_round", L))
            self.paper_log.value = ""
        if rnd and rnd["status"] != "closed":
            n = self.store.code_counts(rnd["id"])
            self.codes_status.value = element("note", t("ui.codes_status", L, issued=n["issued"], used=n["used"])
                                              if n["issued"] else t("ui.codes_none", L))
            self.codes_btn.disabled = False
        else:
            self.codes_status.value = element("note", t("ui.no_open_round", L))
            self.codes_btn.disabled = True
        if rnd and rnd["method"] == "pb":
            doc = self.store.pb_file(rnd["id"])
            href = "data:text/plain;charset=utf-8;base64," + base64.b64encode(doc.encode("utf-8")).decode("ascii")
            self.pb_download.value = element("download", f"{self.ws['code']}-round-{rnd['id']}.pb", href,
                                             t("ui.pb_download", L), cls="kit-pb-download")
        else:
            self.pb_download.value = element("note", t("ui.pb_no_round", L))
