"""End-to-end fixtures: a real `kit serve` process on a free port with its own data folder, and
Debian's chromium driven by Playwright. Nothing of the kit is mocked here."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kit.launch import start_server

HERE = Path(__file__).parent
ARTIFACTS = HERE.parents[1] / "test-artifacts"
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("KIT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-component-update", "--disable-sync"]
TABLET = {"width": 768, "height": 1024}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def kit_server(tmp_path_factory):
    server = start_server(tmp_path_factory.mktemp("kit-data"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/test installs Debian's chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def demo_server(folder: Path):
    """A real `kit serve` on a data folder holding the demo workshop (as `kit demo` starts it)."""
    from kit import sample
    from kit.store import Store

    store = Store.open(folder)
    sample.load_demo(store)
    store.close()
    return start_server(folder)


def run_axe(page) -> list[dict]:
    """axe-core (from npm) in the page: violations of WCAG 2.0/2.1 A and AA."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [{"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]]


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
