"""Settings of the kit, each with its help text in one place (CLI --help and README agree)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

HELP = {
    "store": "The store on a PostgreSQL server instead of the SQLite file: postgresql://USER@HOST/DB "
    "(also $KIT_STORE). For a hosted kit, several kit processes and municipal backups; see deploy/. "
    "--data still holds exports and instrument packs.",
    "behind_proxy": "The kit listens on loopback behind a reverse proxy (deploy/): take the client's address "
    "and scheme from the proxy's X-Real-IP, X-Forwarded-For and X-Forwarded-Proto headers (the join limit "
    "per address needs them). Never on a kit that devices reach directly.",
    "processes": "How many kit processes serve the participants (default 2; one per core is a good start).",
    "deploy_store": "An existing PostgreSQL database: postgresql://USER@HOST/DB (also $KIT_STORE). Without it, "
    "a PostgreSQL cluster of the kit's own is made in DIR/postgres (Debian's postgresql package) and kept.",
    "deploy_data": "Folder for the kit's own PostgreSQL (when --store is not given), nginx's files and each "
    "process's exports. Default: $KIT_DATA, else ./kit-data.",
    "deploy_port": "The port nginx listens on for everyone (default 8080).",
    "deploy_demo": "Load the sample workshop when the store is empty.",
    "data_or_store": "Folder of the workshop store (kit.sqlite) and exports (or give --store).",
    "data": "Folder for the workshop store (kit.sqlite) and exports. Created if missing; a folder "
    "that already holds a workshop is opened as it is, so a restarted server goes on where it stopped.",
    "host": "Address to listen on. 0.0.0.0 (default) lets tablets on the venue's network join; "
    "127.0.0.1 keeps the kit on this computer only.",
    "port": "Port to listen on (default 8866). Tablets join on this port: allow it in the firewall.",
    "template": "Workshop template to create a workshop from when the data folder has none "
    "(see `kit templates`). Default: osallisuusverkosto.",
    "public_url": "Address participants use to reach this computer, e.g. http://192.168.1.20:8866 "
    "(default: found from this computer's network address).",
    "workshop": "The meeting: its id or join code (see `kit list`). May be left out when the folder "
    "holds one network (its latest meeting is taken).",
    "backup_out": "The backup file to write (JSON). An existing file is never overwritten.",
    "backup_meeting": "Write only this meeting (with the network's shared plan, roles, tray and logic model as "
    "they are now), not every meeting of its network.",
    "meeting_from": "The meeting to follow: its id or join code (see `kit list`). Asked again, the meeting "
    "already made after it is shown, not a second one.",
    "meeting_date": "The new meeting's date, YYYY-MM-DD (goes into its minutes).",
    "meeting_place": "The new meeting's place (goes into its minutes).",
    "backup_file": "A backup file written by `kit backup`.",
    "replace": "Replace a workshop with the same join code that is already in the folder (without this, "
    "the restore is refused and nothing changes).",
    "pb_file": "A participatory-budgeting file in the pabulib .pb format (approval, choose-1, cumulative "
    "or scoring votes), e.g. one exported by the kit or downloaded from pabulib.org.",
    "pb_rule": "greedy: by votes, never funding a project without votes; mes: Method of Equal Shares.",
    "pb_completion": "For mes: add1 (default) raises each voter's share one currency unit at a time while "
    "the real budget allows, as cities deciding with equal shares do; none: plain equal shares.",
    "pb_json": "Print a JSON object (funded: the project ids in the order chosen; steps; explanation) "
    "instead of the explanation text.",
    "export_format": "html: the report; pdf: the report as PDF (Debian's chromium); minutes, minutes_pdf, "
    "minutes_docx: the minutes (HTML, A4 PDF, editable Word); summary, summary_docx: the summary for the "
    "organisations (Innokylä's headings; HTML, Word); xlsx: one sheet per entity; csv: a zip of CSV files; pb: each budgeting round in the pabulib "
    "format (a zip when there are several); graphml, kumu: the stakeholder map; json: the meeting's full backup; network_json: the whole network's backup; tray, tray_pdf: the printable service "
    "tray, by step level.",
    "export_out": "The file to write. An existing file is never overwritten.",
    "hub_port": "`kit hub`: the HTTPS port of the hub's proxy (default 8443).",
    "hub_host": "`kit hub`: the address the proxy listens on (default 127.0.0.1; 0.0.0.0 for every network).",
    "hub_admin": "`kit hub`: the hub's administrators (comma-separated logins): they see every network.",
    "hub_test_users": "`kit hub`: log in with the test authenticator as these users (comma-separated; "
                      "a password is printed, or $KIT_HUB_TEST_PASSWORD). Each needs a system account.",
    "codes_round": "The round (its number in `kit list`) the codes unlock a ballot of.",
    "codes_count": "How many codes to make (1-5000). Another batch for the same round adds to the first.",
    "codes_out": "The file to write: .html or .pdf, a sheet of cards to cut out (the code, how to use it, the "
                 "join address and QR code); .csv, one row per code for a mail merge. Never overwritten.",
    "export_lang": "Language of the report and minutes: fi, sv or en (default: the workshop's).",
    "include_nicknames": "Put participants' nicknames in the xlsx and csv data (left out by default).",
    "purge_workshop": "The workshop whose personal data to remove: its id or join code (see `kit list`).",
    "no_browser": "Do not try to open the facilitator page in a browser.",
    "language": "The default language (fi, sv or en) of the workshop made on the first start: its pages, and its "
                "title and welcome where the template has them in that language. Each reader can still choose theirs.",
    "verbose": "Show the jupyter server's own log (start-up, requests, kernels) in the terminal; without it "
    "only its warnings, and the kit's three lines once the server is ready.",
}

LANGUAGES = ("fi", "sv", "en")
# each language named in itself, as language pickers show them (never the code)
LANGUAGE_NAMES = {"fi": "Suomi", "sv": "Svenska", "en": "English"}
DEFAULT_PORT = 8866
DEFAULT_TEMPLATE = "osallisuusverkosto"


def default_data_dir() -> Path:
    env = os.environ.get("KIT_DATA")
    return Path(env) if env else Path.cwd() / "kit-data"


@dataclass(frozen=True)
class Limits:
    """Bounds on what participants may send; the same numbers are shown in the pages and the API doc."""

    idea_chars: int = 500
    nickname_chars: int = 40
    body_bytes: int = 16_384
    ideas_per_minute: int = 10
    # joins from one network address a minute: a room behind one NAT joins freely, one client cannot
    # fill the workshop with thousands of devices (KIT_JOINS_PER_MINUTE raises it, as the benchmarks do)
    joins_per_minute: int = int(os.environ.get("KIT_JOINS_PER_MINUTE", "120"))
    # ballots that bring a voting code, from one network address a minute (a room behind one NAT
    # enters its codes freely; trying codes one after another is hopeless)
    codes_per_minute: int = int(os.environ.get("KIT_CODES_PER_MINUTE", "120"))


LIMITS = Limits()

# what `kit export --format` and the outputs page make (kit/report.py export)
FORMATS = ("html", "pdf", "minutes", "minutes_pdf", "minutes_docx", "summary", "summary_docx", "xlsx", "csv", "pb",
           "graphml", "kumu", "json", "network_json", "tray", "tray_pdf")
