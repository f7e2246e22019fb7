"""05_report: the session's outputs as downloads (Voila refuses file links, so each is a data URI):
the report (HTML, PDF), the minutes, the data, the backup; and restoring a backup."""

from __future__ import annotations

import json

import ipywidgets as w

from kit import report
from kit.agenda import activity_title
from kit import workshop as wsmod
from kit.config import LANGUAGE_NAMES, LANGUAGES
from kit.errors import KitError
from kit.i18n import t
from kit.render import element
from kit.store import Store
from kit.ui.common import KitApp, theme
from kit.ui.stakeholders import data_uri

MIME = {"html": "text/html", "pdf": "application/pdf", "minutes": "text/html", "minutes_pdf": "application/pdf",
        "minutes_docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "summary": "text/html", "summary_docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "csv": "application/zip",
        "pb": "text/plain", "graphml": "application/xml",
        "kumu": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "json": "application/json",
        "network_json": "application/json",
        "tray": "text/html", "tray_pdf": "application/pdf"}


class ReportApp(KitApp):
    """Every action is a method; buttons only call them."""

    def __init__(self, store: Store | None = None, code: str | None = None, lang: str | None = None):
        super().__init__(store, code, lang)
        L = self.lang
        self.header = w.HTML()
        self.message = w.HTML()
        self.out_lang = w.Dropdown(options=[(LANGUAGE_NAMES[c], c) for c in LANGUAGES], value=self.ws["language"], description=t("ui.language", L))
        self.nicknames = w.Checkbox(description=t("ui.include_nicknames", L), indent=False, layout=w.Layout(width="auto"))
        self.progress = w.IntProgress(value=0, min=0, max=1, layout=w.Layout(visibility="hidden"))
        self.progress.add_class("kit-progress")
        self.buttons = []
        for fmt in report.FORMATS:
            b = w.Button(description=t("export." + fmt, L), layout=w.Layout(width="auto"))
            b.add_class(f"kit-export-{fmt}")
            b.on_click(lambda _, f=fmt: self._guard(self.make, f))
            self.buttons.append(b)
        self.links = w.HTML()
        self.links.add_class("kit-export-links")
        # the minutes: what the secretary types (kit/minutes.py); the numbered items follow the agenda
        sty, wide = {"description_width": "initial"}, w.Layout(width="32em", max_width="100%")
        self.minutes_fields = {
            "number": w.Text(description=t("ui.minutes_number", L), style=sty, layout=wide),
            "date": w.Text(description=t("ui.minutes_date", L), style=sty, layout=wide),
            "start": w.Text(description=t("ui.minutes_start", L), style=sty, layout=wide),
            "end": w.Text(description=t("ui.minutes_end", L), style=sty, layout=wide),
            "place": w.Text(description=t("minutes.where", L), style=sty, layout=wide),
            "chair": w.Text(description=t("minutes.chair", L), style=sty, layout=wide),
            "secretary": w.Text(description=t("minutes.secretary", L), style=sty, layout=wide),
            "checkers": w.Textarea(description=t("ui.minutes_checkers", L), style=sty, layout=wide, rows=2),
            "present": w.Textarea(description=t("ui.minutes_present", L), style=sty, layout=wide, rows=4),
            "previous": w.Text(description=t("ui.minutes_previous", L), style=sty, layout=wide),
        }
        for name, box in self.minutes_fields.items():
            box.add_class(f"kit-minutes-{name}")
        self.minutes_save = w.Button(description=t("ui.minutes_save", L), button_style="primary",
                                     layout=w.Layout(width="auto"))
        self.minutes_save.add_class("kit-minutes-save")
        self.minutes_save.on_click(lambda _: self._guard(self.save_minutes_info,
                                                         {k: v.value for k, v in self.minutes_fields.items()}))
        self.minutes_item = w.Dropdown(description=t("ui.minutes_item", L), style=sty, layout=wide)
        self.minutes_item.add_class("kit-minutes-item")
        self.minutes_item.observe(lambda ch: not self._drawing and self._load_item(), names="value")
        self.minutes_note = w.Textarea(description=t("ui.minutes_note", L), style=sty, layout=wide, rows=3)
        self.minutes_note.add_class("kit-minutes-note")
        self.minutes_decision = w.Textarea(description=t("ui.minutes_decision", L), style=sty, layout=wide, rows=3)
        self.minutes_decision.add_class("kit-minutes-decision")
        self.minutes_item_save = w.Button(description=t("ui.minutes_item_save", L), layout=w.Layout(width="auto"))
        self.minutes_item_save.add_class("kit-minutes-item-save")
        self.minutes_item_save.on_click(lambda _: self._guard(self.save_item, self.minutes_item.value,
                                                              self.minutes_note.value, self.minutes_decision.value))
        minutes_box = w.VBox([w.HTML(element("note", t("ui.minutes_help", L))), *self.minutes_fields.values(),
                              self.minutes_save, self.minutes_item, self.minutes_note, self.minutes_decision,
                              self.minutes_item_save])
        self.restore_upload = w.FileUpload(accept=".json", multiple=False, description=t("ui.restore", L),
                                           layout=w.Layout(width="auto"))
        self.replace = w.Checkbox(description=t("ui.restore_replace", L), indent=False, layout=w.Layout(width="auto"))
        self.restore_upload.observe(lambda ch: ch["new"] and self._guard(self.restore_from_upload), names="value")
        self.children = [
            theme(), self.header, self.message,
            w.HBox([self.out_lang, self.nicknames], layout=w.Layout(flex_flow="row wrap")),
            w.HTML(element("note", t('ui.export_help', L))),
            w.HBox(self.buttons, layout=w.Layout(flex_flow="row wrap")), self.progress, self.links,
            w.HTML(element("heading", 2, t("ui.minutes_heading", L))), minutes_box,
            w.HTML(element("heading", 2, t("ui.restore_heading", L)) + element("note", t("ui.restore_help", L))),
            w.HBox([self.restore_upload, self.replace], layout=w.Layout(flex_flow="row wrap")),
        ]
        self.made: dict[str, tuple[bytes, str]] = {}
        self.refresh()

    def make(self, fmt: str) -> tuple[bytes, str]:
        """Build one output; shows progress while it works (a PDF takes seconds)."""
        self.progress.layout.visibility = "visible"
        self.progress.value = 0
        self.message.value = element("message", t("ui.export_working", self.lang), "kit-note", "status")
        try:
            content, name = report.export(self.store, self.ws["id"], fmt, self.out_lang.value, self.nicknames.value)
        finally:
            self.progress.value = 1
            self.progress.layout.visibility = "hidden"
        self.made[fmt] = (content, name)
        self._ok(t("ui.export_ready", self.lang, name=name))
        return content, name

    def save_minutes_info(self, info: dict) -> dict:
        """The meeting's facts for the minutes; a date or time that is not one is refused, nothing saved."""
        saved = self.store.set_minutes_info(self.ws["id"], info)
        self._ok(t("ui.saved", self.lang))
        return saved

    def save_item(self, activity_id: str | None, note: str, decision: str) -> dict:
        """The discussion and the decision minuted on one agenda item."""
        if not activity_id:
            raise KitError("unknown_activity", status=404)
        act = self.store.minute_item(self.ws["id"], activity_id, note, decision)
        self._ok(t("ui.saved", self.lang))
        return act

    def _load_item(self) -> None:
        act = next((a for a in self.store.agenda(self.ws["id"]) if a["id"] == self.minutes_item.value), None)
        if act is not None:
            self.minutes_note.value = act["config"].get("note", "")
            self.minutes_decision.value = act["config"].get("decision", "")

    def restore(self, doc: dict, replace: bool = False) -> dict:
        ws = self.store.restore_workshop(doc, replace=replace)
        self._ok(t("ui.restored", self.lang, code=ws["code"], title=ws["title"]))
        return ws

    def restore_from_upload(self) -> None:
        try:
            f = self.restore_upload.value[0]
            try:
                doc = json.loads(bytes(f["content"]).decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                raise KitError("not_a_backup") from None
            self.restore(doc, self.replace.value)
        finally:
            self.restore_upload.value = ()

    def _draw(self) -> None:
        L = self.lang
        self.ws = self.store.workshop(self.ws["id"])
        self.header.value = element("heading", 1, f"{t('ui.outputs', L)}: {wsmod.title(self.ws, L)}")
        info = (self.ws["settings"] or {}).get("minutes") or {}
        for name, box in self.minutes_fields.items():
            value = info.get(name, "")
            box.value = "\n".join(value) if isinstance(value, list) else value
        agenda = self.store.agenda(self.ws["id"])
        keep = self.minutes_item.value
        self.minutes_item.options = [(f"{n}. {activity_title(a, L)}", a["id"]) for n, a in enumerate(agenda, start=1)]
        self.minutes_item.value = keep if keep in [a["id"] for a in agenda] else (agenda[0]["id"] if agenda else None)
        self._load_item()
        files = [(f"kit-download-{fmt}", self.made[fmt][1], data_uri(self.made[fmt][0], MIME[fmt]),
                  f"{len(self.made[fmt][0]):,}") for fmt in report.FORMATS if fmt in self.made]
        self.links.value = element("download_list", files) if files else ""
