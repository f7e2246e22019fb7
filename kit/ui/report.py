"""05_report: the session's outputs as downloads (Voila refuses file links, so each is a data URI):
the report (HTML, PDF), the minutes, the data, the backup; and restoring a backup."""

from __future__ import annotations

import json

import ipywidgets as w

from kit import report
from kit import workshop as wsmod
from kit.config import LANGUAGE_NAMES, LANGUAGES
from kit.errors import KitError
from kit.i18n import t
from kit.render import element
from kit.store import Store
from kit.ui.common import KitApp, theme
from kit.ui.stakeholders import data_uri

MIME = {"html": "text/html", "pdf": "application/pdf", "minutes": "text/html",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "csv": "application/zip",
        "pb": "text/plain", "graphml": "application/xml",
        "kumu": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "json": "application/json",
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
        self.restore_upload = w.FileUpload(accept=".json", multiple=False, description=t("ui.restore", L),
                                           layout=w.Layout(width="auto"))
        self.replace = w.Checkbox(description=t("ui.restore_replace", L), indent=False, layout=w.Layout(width="auto"))
        self.restore_upload.observe(lambda ch: ch["new"] and self._guard(self.restore_from_upload), names="value")
        self.children = [
            theme(), self.header, self.message,
            w.HBox([self.out_lang, self.nicknames], layout=w.Layout(flex_flow="row wrap")),
            w.HTML(element("note", t('ui.export_help', L))),
            w.HBox(self.buttons, layout=w.Layout(flex_flow="row wrap")), self.progress, self.links,
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
        files = [(f"kit-download-{fmt}", self.made[fmt][1], data_uri(self.made[fmt][0], MIME[fmt]),
                  f"{len(self.made[fmt][0]):,}") for fmt in report.FORMATS if fmt in self.made]
        self.links.value = element("download_list", files) if files else ""
