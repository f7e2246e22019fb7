"""Issue 18, item 1: every command that takes --data takes --store (or $KIT_STORE) too, on a real
PostgreSQL server; a workshop moves from the SQLite file to PostgreSQL with backup and restore, and
back; a store that is no store, or a server that is not there, is said in words."""

import json
import os
import subprocess
import sys

import pytest

from kit import sample
from kit.store import Store
from tests import pg


def kit(*args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kit", *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "KIT_LANG": "en", **(env or {})})


@pytest.fixture
def pg_url():
    url = pg.fresh_database()
    yield url
    pg.drop_database(url)


def test_a_network_moves_from_the_sqlite_file_to_postgresql_and_back_with_backup_and_restore(tmp_path, pg_url):
    laptop = Store.open(tmp_path / "laptop")
    demo = sample.load_demo(laptop)
    before = laptop.dump_network(demo["id"])
    laptop.close()
    out = tmp_path / "network.json"
    assert kit("backup", "--data", str(tmp_path / "laptop"), "--out", str(out)).returncode == 0
    done = kit("restore", "--store", pg_url, str(out))
    assert done.returncode == 0, done.stderr
    assert "Restored" in done.stdout and "postgresql://postgres@" in done.stdout
    listed = kit("list", env={"KIT_STORE": pg_url})  # $KIT_STORE, no --data
    assert listed.returncode == 0 and demo["code"] in listed.stdout and "meeting 2" in listed.stdout
    hosted = Store.connect(pg_url)
    again = hosted.dump_network(hosted.workshop_by_code(demo["code"])["id"])
    for name in ("ideas", "ballots", "actors", "tasks", "activities", "agenda_items"):
        assert len(again["tables"][name]) == len(before["tables"][name]), name
    assert [w["code"] for w in again["workshops"]] == [w["code"] for w in before["workshops"]]
    hosted.close()
    # the next meeting, an export and a purge, all on PostgreSQL
    made = kit("meeting", "--store", pg_url, "--from", demo["code"], "--date", "2027-01-20")
    assert made.returncode == 0 and "Made: meeting 3" in made.stdout, made.stderr
    report = tmp_path / "minutes.html"
    ex = kit("export", "--store", pg_url, "--workshop", demo["code"], "--format", "minutes", "--out", str(report))
    assert ex.returncode == 0 and "Pöytäkirja" in report.read_text(encoding="utf-8")
    assert kit("purge", "--store", pg_url, "--workshop", demo["code"]).returncode == 0
    hosted = Store.connect(pg_url)
    assert all(p["nickname"] is None for p in hosted.participants(hosted.workshop_by_code(demo["code"])["id"]))
    hosted.close()
    # and back to a laptop's file
    back = tmp_path / "back.json"
    assert kit("backup", "--store", pg_url, "--workshop", demo["code"], "--out", str(back)).returncode == 0
    assert len(json.loads(back.read_text(encoding="utf-8"))["workshops"]) == 3
    assert kit("restore", "--data", str(tmp_path / "again"), str(back)).returncode == 0
    assert demo["code"] in kit("list", "--data", str(tmp_path / "again")).stdout


def test_a_bad_store_address_or_a_server_that_is_not_there_is_said_in_words(tmp_path):
    bad = kit("list", "--store", "mysql://root@localhost/kit")
    assert bad.returncode == 1 and "postgresql://USER@HOST/DATABASE" in bad.stderr and "Traceback" not in bad.stderr
    gone = kit("list", "--store", "postgresql://nobody@127.0.0.1:1/kit")
    assert gone.returncode == 1 and "Could not reach the database" in gone.stderr and "Traceback" not in gone.stderr
    neither = kit("list")
    assert neither.returncode == 1 and "--data" in neither.stderr and "--store" in neither.stderr
