"""Session outputs from a folder a running server is using: the HTML report opened in Chromium shows
every section and asks nothing from outside; the PDF has pages with the text on them."""

import os
import subprocess
import sys

import pytest

from kit.store import Store
from tests.e2e.conftest import demo_server, shot

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = demo_server(tmp_path_factory.mktemp("outputs-data"))
    yield s
    s.stop()


def export(server, fmt, out, lang="en"):
    done = subprocess.run([sys.executable, "-m", "kit", "export", "--data", str(server.data), "--format", fmt,
                           "--out", str(out), "--lang", lang], capture_output=True, text=True,
                          env={**os.environ, "KIT_LANG": "en"}, timeout=300)
    assert done.returncode == 0, done.stderr
    return out


def test_html_report_in_chromium_while_the_server_runs(server, browser, tmp_path):
    # a participant votes meanwhile: the export reads a consistent copy
    status, _ = server.api("POST", f"/workshops/{server.code}/participants", {"group": "resident"})
    assert status == 201
    path = export(server, "html", tmp_path / "report.html")
    ctx = browser.new_context(viewport={"width": 1100, "height": 900})
    requests = []
    ctx.on("request", lambda r: requests.append(r.url))
    page = ctx.new_page()
    page.goto(path.as_uri())
    headings = page.locator("h2").all_inner_texts()
    assert headings[:5] == ["Participants", "How the workshop ran", "Stakeholder network", "Ideas", "Votes"]
    assert "Plan and roles" in headings and "Evaluation plan and feedback" in headings
    assert page.locator("figure svg").count() == 1
    page.frame_locator("iframe.kit-map-frame").locator("canvas").first.wait_for(timeout=15_000)
    assert "Equal shares (Add1)" in page.content()
    shot(page, "report-en")
    outside = sorted({u for u in requests if not u.startswith(("file://", "data:", "about:", "blob:"))})
    assert outside == []
    ctx.close()


def test_pdf_report_is_a4_with_footers_and_pages_with_text(server, tmp_path):
    """Issue 15, item 7: the PDF was US Letter, without page numbers or the workshop's name."""
    path = export(server, "pdf", tmp_path / "report.pdf", lang="fi")
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Page size:       595.92 x 842.88 pts (A4)" in info
    pages_n = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    title = Store.open(server.data).workshop_by_code(server.code)["title"]
    for n in (1, pages_n):
        footer = subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), "-layout", str(path), "-"],
                                capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
        assert title in footer and f"Sivu {n} / {pages_n}" in footer
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(path), str(tmp_path / "page")], check=True, timeout=120)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) > 0
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    for word in ("Osallistujat", "Toimijaverkosto", "Äänestykset", "Tasaosuusmenetelmä"):
        assert word in text


def test_no_table_of_the_report_is_wider_than_an_a4_page(server, browser, tmp_path):
    """Issue 15, item 7: the RACI table lost a column at the right edge of the PDF. The report's HTML at
    the print width of A4 (210 mm less 2 x 15 mm margins = 680 CSS px), in print media."""
    path = export(server, "html", tmp_path / "report.html", lang="fi")
    ctx = browser.new_context(viewport={"width": 680, "height": 1000})
    page = ctx.new_page()
    page.emulate_media(media="print")
    page.goto(path.as_uri())
    assert page.locator("table").count() >= 8
    wide = page.evaluate("""() => [...document.querySelectorAll('table, figure, svg, dl, pre')]
        .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5
                      || el.scrollWidth > el.clientWidth + 1)
        .map(el => el.tagName + ': ' + el.textContent.slice(0, 60))""")
    assert wide == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 680
    ctx.close()


def test_printable_tray_in_swedish_html_and_pdf(server, tmp_path):
    html = export(server, "tray", tmp_path / "tray.html", lang="sv").read_text(encoding="utf-8")
    assert "<html lang='sv'>" in html and html.index("Steg 1:") < html.index("Steg 2:") < html.index("Steg 4:")
    path = export(server, "tray_pdf", tmp_path / "tray.pdf", lang="sv")
    assert path.read_bytes()[:5] == b"%PDF-"
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    for words in ("Tjänsteutbud", "Steg 1: Öppen lågtröskelverksamhet", "Avoin olohuone", "Avgiftsfri"):
        assert words in text
