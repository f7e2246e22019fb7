import subprocess
import sys

import pytest

from kit.__main__ import parser, server_config


@pytest.mark.parametrize("cmd, options", [
    ("serve", ["--data", "--host", "--port", "--template", "--public-url"]),
    ("demo", ["--data", "--port"]),
    ("list", ["--data"]),
])
def test_every_option_has_help_text(cmd, options):
    sub = parser()._subparsers._group_actions[0].choices[cmd]
    for opt in options:
        action = next(a for a in sub._actions if opt in a.option_strings)
        assert action.help and len(action.help) > 20


def test_kit_runs_as_a_module():
    out = subprocess.run([sys.executable, "-m", "kit", "templates"], capture_output=True, text=True, check=True)
    assert "pore" in out.stdout and "satelliitti" in out.stdout


def test_list_prints_the_workshops_of_a_data_folder(tmp_path):
    from kit.store import Store

    ws = Store.open(tmp_path).create_workshop("Listattava", "pore", "fi")
    out = subprocess.run([sys.executable, "-m", "kit", "list", "--data", str(tmp_path)],
                         capture_output=True, text=True, check=True)
    assert ws["code"] in out.stdout and "Listattava" in out.stdout


def test_server_config_keeps_the_token_and_culls_idle_kernels(tmp_path):
    c = server_config(tmp_path, "0.0.0.0", 8866, "secret", "http://x")
    assert c.IdentityProvider.token == "secret"
    assert c.ServerApp.port_retries == 0
    assert c.MappingKernelManager.cull_idle_timeout > 0
    assert c.VoilaConfiguration.template == "kit"


def test_readme_documents_every_option_of_the_kit_command():
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    for name, sub in parser()._subparsers._group_actions[0].choices.items():
        assert f"kit {name}" in readme
        for action in sub._actions:
            for opt in action.option_strings:
                if opt not in ("-h", "--help"):
                    assert f"`{opt}" in readme or f" {opt} " in readme, f"kit {name} {opt}"


def test_readme_test_command_is_what_ci_runs():
    from pathlib import Path

    root = Path(__file__).parents[2]
    ci = [ln for ln in (root / ".ci" / "run").read_text().splitlines() if ln and not ln.startswith(("#", "set "))]
    assert ci[-1] in (root / "README.md").read_text(encoding="utf-8")
