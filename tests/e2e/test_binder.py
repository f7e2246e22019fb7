"""Binder, as repo2docker builds it: a fresh virtual environment from binder/requirements.txt (which
installs the kit from the repository root), then binder/postBuild, then a plain `jupyter server`
(not `kit serve`) rendering the start notebook in Voila in a real browser.

The participant link the start page shows must open the same workshop through the kit's extension:
that proves Voila's kernel and the participant pages share one store under a server the kit did not
configure itself."""

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from kit.launch import free_port
from tests.e2e.conftest import shot

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def run(cmd, **kw):
    done = subprocess.run(cmd, capture_output=True, text=True, **kw)
    assert done.returncode == 0, f"{cmd} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def binder_env(tmp_path_factory):
    venv = tmp_path_factory.mktemp("binder") / "venv"
    run([sys.executable, "-m", "venv", str(venv)])
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    run(pip + ["-r", "binder/requirements.txt"], cwd=ROOT)
    env = {**os.environ, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    for var in ("KIT_DATA", "JUPYTER_PATH", "VIRTUAL_ENV", "PYTHONPATH"):
        env.pop(var, None)
    run(["bash", "binder/postBuild"], cwd=ROOT, env=env)
    return venv, env


def test_binder_environment_renders_the_start_notebook_in_voila(binder_env, browser, tmp_path):
    venv, env = binder_env
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    port, token = free_port(), "binder-test-token"
    cmd = [str(venv / "bin" / "jupyter"), "server", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}"]
    if os.geteuid() == 0:  # CI runs as root; Binder does not
        cmd.append("--allow-root")
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/kit/api/openapi.json", timeout=2)
                break
            except OSError:
                assert proc.poll() is None, proc.stdout.read()
                time.sleep(0.3)
        ctx = browser.new_context(viewport={"width": 1280, "height": 900})
        page = ctx.new_page()
        page.goto(f"http://127.0.0.1:{port}/voila/render/notebooks/00_start.ipynb?token={token}")
        page.wait_for_selector(".kit-start-round", timeout=120_000)
        page.wait_for_selector(".kit-join svg")
        text = page.inner_text("body")
        assert "There was an error when executing cell" not in text and "Traceback" not in text
        shot(page, "binder-start-notebook")

        # the link on the projector opens the same workshop through the kit's participant pages
        url = page.locator(".kit-join .url").inner_text()
        assert re.fullmatch(rf"http://127\.0\.0\.1:{port}/kit/join/[A-Z0-9]{{6}}", url)
        code = url.rsplit("/", 1)[1]
        participant = ctx.new_page()
        participant.goto(url + "?lang=en")
        assert participant.locator(".joincode strong").inner_text() == code
        assert (root / "kit-data" / "kit.sqlite").exists()
        ctx.close()
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=20)
