"""The one rendering layer: Jinja2 templates with autoescape for the HTML the kit builds from data
(the report, the minutes, the facilitator views' shared parts: tables, results, form results,
indicators, the logic model, the activity log), used by kit/ui/ and kit/report.py alike (the report
never imports kit/ui/). Everything typed by participants reaches HTML only through a template, so
it is escaped there; nothing is escaped by hand in Python. The map's pictures are templates too
(kit/network computes where things go, `map/*.svg` draws them); only what a library makes (pyvis'
page, segno's QR code) comes in marked as markup by its caller.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from kit.i18n import t
from kit.workshop import data_path

TEMPLATES = Path(__file__).parent / "templates"
# the report's own nbconvert template folder too, so the minutes include its stylesheet as it is
ENV = Environment(loader=FileSystemLoader([TEMPLATES, data_path("templates") / "report"]),
                  autoescape=select_autoescape(["html", "svg"], default_for_string=True, default=True),
                  trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False)


def translator(lang: str):
    """`t(key, **kw)` in one language, as templates call it."""
    return lambda key, **kw: t(key, lang, **kw)


def scrolling_tables(html: str, lang: str) -> str:
    """Every table in a box of its own that scrolls sideways when the table is wider than the screen
    (nothing cut at the right edge), and that the keyboard can reach (WCAG 2.1.1; axe's
    scrollable-region-focusable). Done once here, so no template can forget it."""
    import re

    if "<table" not in html:
        return html
    label = Markup.escape(t("ui.table_scroll", lang))
    # the kit's tables are never nested; one already boxed (data-scroll) is left as it is
    return re.sub(r"<table(?! data-scroll)(.*?)</table>",
                  lambda m: f"<div class='kit-scroll' tabindex='0' role='group' aria-label='{label}'>"
                            f"<table data-scroll='1'{m.group(1)}</table></div>", html, flags=re.S)


def render(name: str, lang: str, **ctx) -> Markup:
    """A template rendered in a language; the result is HTML (safe to put in another template)."""
    from kit.numbers import number

    num = lambda x, digits=None: number(x, lang, digits)  # noqa: E731 (the reader's decimal mark)
    html = ENV.get_template(name).render(t=translator(lang), num=num, lang=lang, **ctx).strip()
    return Markup(scrolling_tables(html, lang) if not name.endswith(".svg") else html)


def element(name: str, *args, **kwargs) -> Markup:
    """One small piece of _elements.html (a note, a heading, a list, a download link) for a widget."""
    return Markup(getattr(ENV.get_template("_elements.html").module, name)(*args, **kwargs))


def join_panel(url: str, code: str, lang: str, scale: int = 8, small: bool = False) -> Markup:
    """The join panel: the QR code (segno's SVG), the address and the join code, for the projector."""
    from kit.qr import qr_svg

    qr = Markup(qr_svg(url, scale=scale, title=t("ui.qr_title", lang, code=code)))  # segno escapes the title
    return render("join_panel.html", lang, qr=qr, url=url, code=code, small=small)
