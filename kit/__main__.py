"""The `kit` command (also `python -m kit`).

  kit serve --data DIR [--host HOST] [--port PORT] [--template NAME]
  kit demo  [--data DIR] [--port PORT]
  kit list  --data DIR
  kit meeting --data DIR --from WORKSHOP [--date YYYY-MM-DD] [--place TEXT]
  kit templates
  kit backup  --data DIR [--workshop ID] [--meeting-only] --out FILE
  kit restore --data DIR FILE [--replace]
  kit pb FILE.pb --rule greedy|mes [--completion add1|none] [--json]
  kit export --data DIR [--workshop ID] --format FORMAT --out PATH [--lang LANG] [--include-nicknames]
  kit purge  --data DIR --workshop ID
  kit codes  --data DIR --workshop ID --round N --count K --out FILE.html|.pdf|.csv [--public-url URL]
  kit hub    [--data DIR] [--store URL] [--port 8443] [--host HOST] [--admin NAME,...] [--test-users NAME,...]
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import sys
from pathlib import Path

from kit import __version__
from kit.config import DEFAULT_PORT, DEFAULT_TEMPLATE, FORMATS, HELP, LANGUAGES, default_data_dir

PKG = Path(__file__).parent
START_NOTEBOOK = "notebooks/00_start.ipynb"


def lan_address() -> str:
    """This computer's address on the venue's network, as tablets should use it (no packets sent)."""
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
        for info in infos:
            addr = info[4][0]
            if not addr.startswith("127."):
                return addr
    except OSError:
        pass
    return "127.0.0.1"


def notebooks_root() -> Path:
    """The folder that holds notebooks/: the checkout, or the installed package's data."""
    installed = PKG / "_data"
    return installed if (installed / "notebooks").exists() else PKG.parent


def shared_jupyter_config() -> dict:
    """The Voila and server settings every jupyter server of the kit's environment uses (Binder, a
    hub, `kit serve`): jupyter-config/kit.json, installed into etc/jupyter/jupyter_server_config.d.

    Why each setting: gzip takes a first Voila page from 5.2 MB to 1.2 MB; Voila points MathJax at a
    CDN unless told otherwise (a local stand-in keeps pages offline); the `kit` Voila template is lab
    without its CDN font links; tablets sleep and tabs close without freeing kernels (voila#1458), so
    idle kernels are culled; the forwarded headers let the join link be absolute behind a proxy."""
    import json

    for path in (PKG.parent / "jupyter-config" / "kit.json", PKG / "_data" / "jupyter-config" / "kit.json"):
        if path.exists():
            return json.loads(path.read_text(encoding="utf-8"))
    raise FileNotFoundError("jupyter-config/kit.json is missing from the kit's installation")


def server_config(host: str, port: int, token: str, verbose: bool = False, behind_proxy: bool = False):
    from traitlets.config import Config

    c = Config(shared_jupyter_config())
    c.ServerApp.ip = host
    c.ServerApp.port = port
    c.ServerApp.port_retries = 0  # the printed address must be the one we listen on
    c.ServerApp.open_browser = False
    c.ServerApp.root_dir = str(notebooks_root())
    c.ServerApp.allow_root = hasattr(os, "geteuid") and os.geteuid() == 0
    c.ServerApp.allow_remote_access = True
    c.IdentityProvider.token = token
    if behind_proxy:  # the proxy's X-Real-IP / X-Forwarded-For and -Proto are the client's (deploy/)
        c.ServerApp.trust_xheaders = True
    if not verbose:  # the facilitator needs three lines, not Jupyter's start-up log
        c.Application.log_level = "WARN"  # the server and its extensions' apps (lab, voila) alike
    return c


def prepare_environment(data: Path, public_url: str, url: str | None = None) -> None:
    """Kernels inherit the server's environment: that is how notebooks find the store and the link."""
    os.environ["KIT_DATA"] = str(data.resolve())
    if url:
        os.environ["KIT_STORE"] = url
    os.environ["KIT_PARTICIPANT_URL"] = public_url
    share = str(PKG / "share")
    os.environ["JUPYTER_PATH"] = os.pathsep.join([share] + [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p])


def serve(data: Path, host: str, port: int, template: str | None, public_url: str | None,
          demo: bool = False, verbose: bool = False, language: str | None = None, url: str | None = None,
          behind_proxy: bool = False) -> int:
    from kit import sample
    from kit import workshop as wsmod
    from kit.qr import qr_terminal

    url = url or os.environ.get("KIT_STORE") or None
    data.mkdir(parents=True, exist_ok=True)
    store = open_store(data, url)
    workshops = store.workshops()
    # the participant service of a hosted kit (deploy/jupyterhub_config.py): behind the hub's proxy at its
    # prefix; the facilitators make their networks in their own servers, so none is made here
    hub_prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX")
    if not workshops and hub_prefix:
        workshops = [{"code": "", "title": "", "id": None}]
    elif not workshops:
        if demo:
            sample.load_demo(store, language=language)
        else:
            tpl = wsmod.template(template or DEFAULT_TEMPLATE)
            lang = language or tpl.get("default_language", "fi")
            store.create_workshop("", tpl["id"], lang, titles=wsmod.template_titles(tpl["id"]))
        workshops = store.workshops()
    ws = workshops[-1]
    store.close()

    lan = "127.0.0.1" if host in ("127.0.0.1", "localhost") else (lan_address() if host in ("0.0.0.0", "") else host)
    public = (public_url or f"http://{lan}:{port}").rstrip("/")
    token = os.environ.get("KIT_TOKEN") or secrets.token_hex(24)
    prepare_environment(data, public, url)

    if not verbose:  # libraries' deprecation notes are for their developers, not for the room
        import warnings

        import voila  # noqa: F401 (its import turns traitlets' deprecation notes back on: ours must come after)

        warnings.filterwarnings("ignore", category=DeprecationWarning)
    from jupyter_server.serverapp import ServerApp

    config = server_config(host, port, token, verbose, behind_proxy)
    if hub_prefix:
        config.ServerApp.base_url = hub_prefix
    app = ServerApp.instance(config=config)
    app.initialize(argv=[])
    facilitator = f"http://localhost:{app.port}{app.base_url}voila/render/{START_NOTEBOOK}?token={token}"
    participants = f"{public}{app.base_url}kit/join/{ws['code']}"

    def announce():  # once the server listens and its own log is done: these lines are the last
        if hub_prefix:  # the participant service of a hosted kit: no meeting of its own to show
            print(f"Participants: {public}{app.base_url}kit/join/<code>", flush=True)
            return
        try:
            print(qr_terminal(participants), flush=True)
        except Exception:  # a terminal that cannot draw blocks still gets the links below
            pass
        print(f"Facilitator: {facilitator}", flush=True)
        print(f"Participants: {participants}", flush=True)
        print(f"Join code: {ws['code']}  ({ws['title']})", flush=True)

    from tornado.ioloop import IOLoop

    IOLoop.current().add_callback(announce)
    app.start()
    return 0


def open_store(data: Path | None, url: str | None, must_exist: bool = False):
    """The store a command works on: the PostgreSQL server of --store (or $KIT_STORE) when given,
    else the SQLite file in --data. --data still holds exports and instrument packs."""
    from kit.errors import KitError
    from kit.store import Store

    url = url or os.environ.get("KIT_STORE") or None
    if url:
        if not url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://", "sqlite:")):
            raise KitError("bad_store_url")
        try:
            return Store.connect(url, data)
        except Exception as err:  # noqa: BLE001 (a server that is not there: said in words, not a trace)
            if isinstance(err, KitError):
                raise
            raise KitError("store_unreachable", reason=str(err).splitlines()[0][:200]) from None
    if data is None:
        raise KitError("no_data_or_store")
    if must_exist and not (data / "kit.sqlite").exists():
        raise KitError("no_store", path=str(data))
    return Store.open(data)


def cmd_list(data: Path, url: str | None = None) -> int:
    """Each network, then its meetings: id, join code, number, date (the minutes', else when made), title."""
    store = open_store(data, url)
    for net in store.networks():
        info = net["info"] or {}
        extra = " · ".join(info[k] for k in ("organisation", "municipality", "project_code") if info.get(k))
        print(f"Network {net['id']}: {net['name']}" + (f" ({extra})" if extra else ""))
        for m in net["meetings"]:
            ws = store.workshop(m["id"])
            print(f"  {m['id']}\t{m['code']}\tmeeting {m['number']}\t{m['date'] or m['created_at'][:10]}\t"
                  f"{ws['template']}\t{m['title']}")
            for r in store.rounds(m["id"]):  # the id `kit codes --round` takes
                print(f"    round {r['id']}\t{r['method']}\t{r['status']}\t{r['title']}")
    return 0


def cmd_meeting(data: Path, source: str, date: str | None, place: str | None, url: str | None = None) -> int:
    """The next meeting of a network, made from the meeting given (once: asked again, the one made)."""
    store = open_store(data, url, must_exist=True)
    src = pick_workshop(store, source)
    ws, made = store.next_meeting(src["id"], date=date, place=place)
    what = "Made" if made else "Already made"
    print(f"{what}: meeting {ws['meeting_no']} of {store.network_of(ws['id'])['name']}, join code {ws['code']} "
          f"(workshop {ws['id']}).")
    return 0


def cli_lang() -> str:
    """The terminal's language (KIT_LANG, else LANG such as fi_FI.UTF-8), for messages of the command."""
    from kit.i18n import negotiate

    raw = os.environ.get("KIT_LANG") or os.environ.get("LANG") or ""
    return negotiate(raw[:2] or None, None, "en")


def pick_workshop(store, wanted: str | None) -> dict:
    """--workshop takes an id or a join code, and may be left out when the folder holds one network
    (its latest meeting is taken)."""
    from kit.errors import KitError

    if wanted:
        try:  # a join code can be all digits (2-9): a code wins over an id
            return store.workshop_by_code(wanted)
        except KitError:
            if not wanted.isdigit():
                raise
            return store.workshop(int(wanted))
    found = store.workshops()
    if not found:
        raise KitError("no_workshops", status=404)
    if len({w["network_id"] for w in found}) > 1:
        raise KitError("which_workshop")
    return max(found, key=lambda w: (w["meeting_no"] or 0, w["id"]))


def cmd_backup(data: Path, workshop: str | None, out: Path, meeting_only: bool = False,
               url: str | None = None) -> int:
    """The whole network of the meeting given (every meeting), or that meeting alone."""
    import json

    from kit.errors import KitError

    if out.exists():
        raise KitError("out_exists", path=str(out))
    store = open_store(data, url)
    wid = pick_workshop(store, workshop)["id"]
    doc = store.dump_workshop(wid) if meeting_only else store.dump_network(wid)
    tmp = out.with_name(out.name + ".part")
    try:
        tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(out)  # a reader never sees half a backup
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise KitError("cannot_write", path=str(out), reason=err.strerror or str(err)) from None
    counts = ", ".join(f"{k} {len(v)}" for k, v in doc["tables"].items())
    meetings = doc["workshops"] if "workshops" in doc else [doc["workshop"]]
    codes = ", ".join(m["code"] for m in meetings)
    print(f"Backup of {codes} ({meetings[0]['title']}; {len(meetings)} meeting(s)) written to {out}: {counts}")
    return 0


def cmd_restore(data: Path, file: Path, replace: bool, url: str | None = None) -> int:
    import json

    from kit.errors import KitError

    try:
        doc = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise KitError("not_a_backup") from None
    store = open_store(data, url)
    ws = store.restore_workshop(doc, replace=replace)
    codes = [m["code"] for m in (doc.get("workshops") or [doc.get("workshop")])]
    where = store.where if store.postgres else data
    print(f"Restored {', '.join(codes)} ({ws['title']}; {len(codes)} meeting(s)) into {where} as workshop {ws['id']}.")
    return 0


def cmd_pb(file: Path, rule: str, completion: str, as_json: bool) -> int:
    """Count any pabulib file with the kit's rules: the same code path as the projector."""
    import json

    from kit import budgeting
    from kit.errors import KitError

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise KitError("cannot_read", path=str(file), reason=getattr(err, "strerror", None) or str(err)) from None
    election = budgeting.read_pb(text)
    outcome = budgeting.compute(election, rule, completion)
    lang = cli_lang()
    if as_json:
        print(json.dumps(budgeting.as_json(outcome, election, lang), ensure_ascii=False, indent=1))
    else:
        print("\n".join(budgeting.explain(outcome, election, lang)))
    return 0


def cmd_export(data: Path, workshop: str | None, fmt: str, out: Path, lang: str | None, nicknames: bool,
               url: str | None = None) -> int:
    """Any session output from the data folder, also while the server runs (the store is shared)."""
    from kit import report
    from kit.errors import KitError

    if out.exists():
        raise KitError("out_exists", path=str(out))
    store = open_store(data, url, must_exist=True)
    ws = pick_workshop(store, workshop)
    if fmt in ("html", "pdf", "xlsx", "csv"):
        print(f"Exporting {ws['code']} as {fmt}…", file=sys.stderr, flush=True)
    content, _ = report.export(store, ws["id"], fmt, lang, nicknames)
    report.write_atomically(out, content)
    print(f"{fmt} of {ws['code']} ({ws['title']}) written to {out} ({len(content):,} bytes)")
    return 0


def cmd_purge(data: Path, workshop: str, url: str | None = None) -> int:
    store = open_store(data, url)
    ws = pick_workshop(store, workshop)
    done = store.purge_personal_data(ws["id"])
    print(f"Personal data of {ws['code']} removed ({done['participants']} participants made anonymous); "
          "results, ideas and the map are kept.")
    return 0


def cmd_codes(data: Path, workshop: str | None, round_id: int, count: str, out: Path, public_url: str | None,
              lang: str | None, url: str | None = None) -> int:
    """One-time voting codes for a round: a printable sheet (.html, .pdf) or a CSV to mail-merge (.csv).
    The codes are written to the file only; the store keeps their hashes."""
    from kit import voting
    from kit.errors import KitError
    from kit.render.voting import codes_csv, codes_sheet_html

    kind = out.suffix.lower()
    if kind not in (".html", ".pdf", ".csv"):
        raise KitError("codes_out_kind", path=str(out))
    if out.exists():
        raise KitError("out_exists", path=str(out))
    voting.code_count(count)  # said before anything is made
    store = open_store(data, url, must_exist=True)
    ws = pick_workshop(store, workshop)
    rnd = store.round(round_id)
    if rnd["workshop_id"] != ws["id"]:
        raise KitError("unknown_round", status=404, round=round_id)
    base = (public_url or os.environ.get("KIT_PARTICIPANT_URL") or f"http://{lan_address()}:{DEFAULT_PORT}").rstrip("/")
    join = f"{base}/kit/join/{ws['code']}"
    lang = lang or ws["language"]
    tz = (store.network_of(ws["id"]).get("info") or {}).get("timezone")
    if kind == ".pdf":  # the check that the printer is there comes before the codes are made
        from kit.report import CHROMIUM

        if not CHROMIUM.exists():
            raise KitError("pdf_unavailable", status=503)
    codes = store.issue_codes(rnd["id"], count)
    if kind == ".csv":
        content = codes_csv(codes, join).encode("utf-8")
    else:
        page = codes_sheet_html(store.round(rnd["id"]), codes, join, lang, tz)
        if kind == ".pdf":
            from kit.report import html_to_pdf

            content = html_to_pdf(page, voting.round_title(rnd, lang), lang)
        else:
            content = page.encode("utf-8")
    from kit.report import write_atomically

    write_atomically(out, content)
    print(f"{len(codes)} voting codes for round {rnd['id']} ({voting.round_title(rnd, lang)}) written to {out}; "
          "the vote now needs a code from each device.")
    return 0


def cmd_templates() -> int:
    from kit import workshop as wsmod

    for tid in wsmod.templates():
        print(f"{tid}\t{wsmod.template_name(tid, 'en')}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kit", description="Co-design workshop kit: run a live workshop "
                                "(facilitator pages in Voila, participant pages for tablets and phones).")
    p.add_argument("--version", action="version", version=f"kit {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", help="Start the workshop server (one process: Voila + participant pages).")
    s.add_argument("--data", type=Path, default=None, help=HELP["data"] + " Default: $KIT_DATA, else ./kit-data.")
    s.add_argument("--store", default=None, help=HELP["store"])
    s.add_argument("--host", default="0.0.0.0", help=HELP["host"])
    s.add_argument("--port", type=int, default=DEFAULT_PORT, help=HELP["port"])
    s.add_argument("--template", default=None, help=HELP["template"])
    s.add_argument("--public-url", default=None, help=HELP["public_url"])
    s.add_argument("--verbose", action="store_true", help=HELP["verbose"])
    s.add_argument("--language", choices=LANGUAGES, default=None, help=HELP["language"])
    s.add_argument("--behind-proxy", action="store_true", help=HELP["behind_proxy"])

    d = sub.add_parser("demo", help="Start the server with the sample workshop loaded; no configuration needed.")
    d.add_argument("--data", type=Path, default=None, help=HELP["data"] + " Default: $KIT_DATA, else ./kit-data.")
    d.add_argument("--store", default=None, help=HELP["store"])
    d.add_argument("--port", type=int, default=DEFAULT_PORT, help=HELP["port"])
    d.add_argument("--host", default="0.0.0.0", help=HELP["host"])
    d.add_argument("--public-url", default=None, help=HELP["public_url"])
    d.add_argument("--verbose", action="store_true", help=HELP["verbose"])
    d.add_argument("--language", choices=LANGUAGES, default=None, help=HELP["language"])

    ls = sub.add_parser("list", help="List the networks of a data folder and their meetings.")
    ls.add_argument("--data", type=Path, default=None, help=HELP["data_or_store"])
    ls.add_argument("--store", default=None, help=HELP["store"])

    mt = sub.add_parser("meeting", help="Make the next meeting of a network from its last one (once).")
    mt.add_argument("--data", type=Path, default=None, help=HELP["data_or_store"])
    mt.add_argument("--store", default=None, help=HELP["store"])
    mt.add_argument("--from", dest="source", required=True, help=HELP["meeting_from"])
    mt.add_argument("--date", default=None, help=HELP["meeting_date"])
    mt.add_argument("--place", default=None, help=HELP["meeting_place"])

    sub.add_parser("templates", help="List the workshop templates.")

    b = sub.add_parser("backup", help="Write a network, every meeting of it, to a JSON file (works while the "
                       "server runs).")
    b.add_argument("--data", type=Path, default=None, help=HELP["data_or_store"])
    b.add_argument("--store", default=None, help=HELP["store"])
    b.add_argument("--workshop", default=None, help=HELP["workshop"])
    b.add_argument("--meeting-only", action="store_true", help=HELP["backup_meeting"])
    b.add_argument("--out", type=Path, required=True, help=HELP["backup_out"])

    r = sub.add_parser("restore", help="Put a workshop back from a backup file made by `kit backup`.")
    r.add_argument("--data", type=Path, default=None, help=HELP["data_or_store"])
    r.add_argument("--store", default=None, help=HELP["store"])
    r.add_argument("file", type=Path, help=HELP["backup_file"])
    r.add_argument("--replace", action="store_true", help=HELP["replace"])

    ex = sub.add_parser("export", help="Write a session output: the report, minutes or data (works while the server runs).")
    ex.add_argument("--data", type=Path, default=None, help=HELP["data_or_store"])
    ex.add_argument("--store", default=None, help=HELP["store"])
    ex.add_argument("--workshop", default=None, help=HELP["workshop"])
    ex.add_argument("--format", required=True, choices=FORMATS, help=HELP["export_format"])
    ex.add_argument("--out", type=Path, required=True, help=HELP["export_out"])
    ex.add_argument("--lang", choices=LANGUAGES, default=None, help=HELP["export_lang"])
    ex.add_argument("--include-nicknames", action="store_true", help=HELP["include_nicknames"])

    pu = sub.add_parser("purge", help="Remove a workshop's personal data, keeping its aggregate results.")
    pu.add_argument("--data", type=Path, default=None, help=HELP["data_or_store"])
    pu.add_argument("--store", default=None, help=HELP["store"])
    pu.add_argument("--workshop", required=True, help=HELP["purge_workshop"])

    cd = sub.add_parser("codes", help="Make one-time voting codes for a round (a vote open to the public: one "
                        "person, one vote) as a printable sheet or a CSV to mail-merge.")
    cd.add_argument("--data", type=Path, default=None, help=HELP["data_or_store"])
    cd.add_argument("--store", default=None, help=HELP["store"])
    cd.add_argument("--workshop", default=None, help=HELP["workshop"])
    cd.add_argument("--round", type=int, required=True, help=HELP["codes_round"])
    cd.add_argument("--count", required=True, help=HELP["codes_count"])
    cd.add_argument("--out", type=Path, required=True, help=HELP["codes_out"])
    cd.add_argument("--public-url", default=None, help=HELP["public_url"])
    cd.add_argument("--lang", choices=LANGUAGES, default=None, help=HELP["export_lang"])

    dp = sub.add_parser("deploy", help="Start the reference topology on this machine: PostgreSQL, several kit "
                        "processes and nginx in front of them (see deploy/README.md).")
    dp.add_argument("--processes", type=int, default=2, help=HELP["processes"])
    dp.add_argument("--store", default=None, help=HELP["deploy_store"])
    dp.add_argument("--data", type=Path, default=None, help=HELP["deploy_data"])
    dp.add_argument("--port", type=int, default=8080, help=HELP["deploy_port"])
    dp.add_argument("--host", default="0.0.0.0", help=HELP["host"])
    dp.add_argument("--public-url", default=None, help=HELP["public_url"])
    dp.add_argument("--demo", action="store_true", help=HELP["deploy_demo"])

    hb = sub.add_parser("hub", help="Host the kit for an organisation: JupyterHub with HTTPS, a Jupyter server per "
                        "facilitator, the participant pages without a login, PostgreSQL with row-level security "
                        "(see deploy/README.md).")
    hb.add_argument("--data", type=Path, default=None, help=HELP["deploy_data"])
    hb.add_argument("--store", default=None, help=HELP["deploy_store"])
    hb.add_argument("--port", type=int, default=8443, help=HELP["hub_port"])
    hb.add_argument("--host", default="127.0.0.1", help=HELP["hub_host"])
    hb.add_argument("--public-url", default=None, help=HELP["public_url"])
    hb.add_argument("--admin", default=None, help=HELP["hub_admin"])
    hb.add_argument("--test-users", default=None, help=HELP["hub_test_users"])

    pbp = sub.add_parser("pb", help="Count a participatory-budgeting .pb file (pabulib) and explain each step.")
    pbp.add_argument("file", type=Path, help=HELP["pb_file"])
    pbp.add_argument("--rule", choices=("greedy", "mes"), required=True, help=HELP["pb_rule"])
    pbp.add_argument("--completion", choices=("add1", "none"), default="add1", help=HELP["pb_completion"])
    pbp.add_argument("--json", action="store_true", help=HELP["pb_json"])
    return p


def main(argv: list[str] | None = None) -> int:
    from kit.errors import KitError

    args = parser().parse_args(argv)
    try:
        return run(args)
    except KitError as err:
        print(err.message(cli_lang()), file=sys.stderr)
        return 1


def run(args) -> int:
    from kit.errors import KitError

    if args.command == "serve":
        return serve(args.data or default_data_dir(), args.host, args.port, args.template, args.public_url,
                     verbose=args.verbose, language=args.language, url=args.store, behind_proxy=args.behind_proxy)
    if args.command == "demo":
        return serve(args.data or default_data_dir(), args.host, args.port, None, args.public_url, demo=True,
                     verbose=args.verbose, language=args.language, url=args.store)
    if args.command == "list":
        return cmd_list(args.data, args.store)
    if args.command == "meeting":
        return cmd_meeting(args.data, args.source, args.date, args.place, args.store)
    if args.command == "templates":
        return cmd_templates()
    if args.command == "backup":
        return cmd_backup(args.data, args.workshop, args.out, args.meeting_only, args.store)
    if args.command == "restore":
        return cmd_restore(args.data, args.file, args.replace, args.store)
    if args.command == "export":
        return cmd_export(args.data, args.workshop, args.format, args.out, args.lang, args.include_nicknames,
                          args.store)
    if args.command == "purge":
        return cmd_purge(args.data, args.workshop, args.store)
    if args.command == "codes":
        return cmd_codes(args.data, args.workshop, args.round, args.count, args.out, args.public_url, args.lang,
                         args.store)
    if args.command == "deploy":
        from kit import deploy

        args.data = args.data or default_data_dir()
        args.store = args.store or os.environ.get("KIT_STORE") or None
        if not 1 <= args.processes <= 32:
            raise KitError("bad_field", field="--processes")
        return deploy.main(args)
    if args.command == "hub":
        from kit import hub

        args.data = args.data or default_data_dir()
        args.store = args.store or os.environ.get("KIT_STORE") or None
        return hub.main(args)
    if args.command == "pb":
        return cmd_pb(args.file, args.rule, args.completion, args.json)
    return 2


if __name__ == "__main__":
    sys.exit(main())
