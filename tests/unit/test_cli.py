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
    c = server_config("0.0.0.0", 8866, "secret")
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


PABULIB = __import__("pathlib").Path(__file__).resolve().parents[1] / "data" / "pabulib"


def kit(argv: list[str], capsys, monkeypatch, lang: str = "en") -> tuple[int, str, str]:
    """`kit ARGV` run in this process (kit.__main__.main, as the console script runs it)."""
    from kit.__main__ import main

    monkeypatch.setenv("KIT_LANG", lang)
    capsys.readouterr()
    rc = main(argv)
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_kit_pb_reproduces_the_wieliczka_add1_outcome_and_notes_the_file_differs():
    import json

    out = subprocess.run(
        [sys.executable, "-m", "kit", "pb", str(PABULIB / "poland_wieliczka_2023.pb"),
         "--rule", "mes", "--completion", "add1", "--json"],
        capture_output=True, text=True, check=True, env={**__import__("os").environ, "KIT_LANG": "en"},
    )
    doc = json.loads(out.stdout)
    assert len(doc["funded"]) == 31
    assert {"66", "67"} <= set(doc["funded"]) and "46" not in doc["funded"]
    assert doc["selected_differs"] == {"only_file": ["46"], "only_computed": ["66", "67"]}
    assert doc["spent"] <= 1_000_000
    assert any("selected column differs" in line for line in doc["explanation"])


def test_kit_pb_refuses_a_malformed_file_naming_the_line(tmp_path):
    bad = tmp_path / "bad.pb"
    bad.write_text("META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;-4\n")
    out = subprocess.run([sys.executable, "-m", "kit", "pb", str(bad), "--rule", "greedy"],
                         capture_output=True, text=True, env={**__import__("os").environ, "KIT_LANG": "fi"})
    assert out.returncode == 1
    assert "rivi 7" in out.stderr and "Traceback" not in out.stderr


def test_kit_export_writes_each_format_and_never_overwrites(tmp_path, capsys, monkeypatch):
    from kit import sample
    from kit.store import Store

    sample.load_demo(Store.open(tmp_path / "data"))
    for fmt in ("minutes", "minutes_docx", "summary", "summary_docx", "xlsx", "graphml"):
        out = tmp_path / f"out.{fmt}"
        rc, _, err = kit(["export", "--data", str(tmp_path / "data"), "--format", fmt, "--out", str(out)],
                         capsys, monkeypatch)
        assert rc == 0, err
        assert out.stat().st_size > 1000
    rc, _, err = kit(["export", "--data", str(tmp_path / "data"), "--format", "xlsx", "--out",
                      str(tmp_path / "out.xlsx")], capsys, monkeypatch)
    assert rc == 1 and "exists" in err
    rc, _, err = kit(["export", "--data", str(tmp_path / "nothing"), "--format", "html", "--out",
                      str(tmp_path / "r.html")], capsys, monkeypatch)
    assert rc == 1 and "no kit.sqlite" in err and not (tmp_path / "nothing").exists()


def test_kit_purge_keeps_results(tmp_path):
    import os

    from kit import sample
    from kit.store import Store

    ws = sample.load_demo(Store.open(tmp_path))
    done = subprocess.run([sys.executable, "-m", "kit", "purge", "--data", str(tmp_path), "--workshop", ws["code"]],
                          capture_output=True, text=True, env={**os.environ, "KIT_LANG": "en"})
    assert done.returncode == 0, done.stderr
    store = Store.open(tmp_path)
    assert all(p["nickname"] is None for p in store.participants(ws["id"]))
    assert store.ballot_count(store.rounds(ws["id"])[-1]["id"]) == 12


def test_the_readme_says_what_works_today_not_next_stages():
    """Issue 15, item 22: "What works today" called mapping, budgeting, roles, evaluation and exports
    "next stages"."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    today = readme[readme.index("What works today"):readme.index("## The two commands")]
    assert "next stage" not in today.lower()
    for stage in ("Stakeholder mapping", "Ideas and voting", "Roles", "Evaluation", "Outputs"):
        assert stage in today


def test_kit_meeting_makes_the_next_meeting_once_and_kit_list_shows_it(tmp_path):
    from kit.store import Store

    store = Store.open(tmp_path)
    ws = store.create_workshop("Foorumi", "kulttuurifoorumi", "fi")
    store.close()
    cmd = [sys.executable, "-m", "kit", "meeting", "--data", str(tmp_path), "--from", ws["code"],
           "--date", "2027-03-01", "--place", "Kirjasto"]
    first = subprocess.run(cmd, capture_output=True, text=True, check=True)
    again = subprocess.run(cmd, capture_output=True, text=True, check=True)
    assert first.stdout.startswith("Made: meeting 2") and again.stdout.startswith("Already made: meeting 2")
    store = Store.open(tmp_path)
    meetings = store.network_of(ws["id"])["meetings"]
    assert [(m["number"], m["date"], m["place"]) for m in meetings] == [(1, None, None), (2, "2027-03-01", "Kirjasto")]
    store.close()
    listed = subprocess.run([sys.executable, "-m", "kit", "list", "--data", str(tmp_path)],
                            capture_output=True, text=True, check=True).stdout
    assert "Network 1: Foorumi" in listed and "meeting 1" in listed and "meeting 2\t2027-03-01" in listed
    bad = subprocess.run([*cmd[:8], "--date", "1.3.2027"], capture_output=True, text=True, env={
        **__import__("os").environ, "KIT_LANG": "fi"})
    assert bad.returncode == 1 and "Traceback" not in bad.stderr and bad.stderr.strip()
    # the backup holds both meetings; --meeting-only one
    out = tmp_path / "all.json"
    subprocess.run([sys.executable, "-m", "kit", "backup", "--data", str(tmp_path), "--out", str(out)], check=True,
                   capture_output=True)
    import json

    assert [m["meeting_no"] for m in json.loads(out.read_text())["workshops"]] == [1, 2]
    one = tmp_path / "one.json"
    subprocess.run([sys.executable, "-m", "kit", "backup", "--data", str(tmp_path), "--workshop", ws["code"],
                    "--meeting-only", "--out", str(one)], check=True, capture_output=True)
    assert json.loads(one.read_text())["workshop"]["code"] == ws["code"]
