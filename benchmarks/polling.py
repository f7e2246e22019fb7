"""N participant devices polling a real `kit serve` the way the participant page does.

Prints figures; asserts nothing (speed is measured here, never in a test).

    .venv/bin/python benchmarks/polling.py [--devices 30 60 150] [--seconds 20] [--modes idle busy]

Every 2.5 s the page asks GET /workshops/{code}/poll?since=<the version it shows>. Nothing changed:
a one-line answer. Something changed: all five parts at once (the current round, the map
suggestions, the tasks, the feedback form, the service tray). Every stage is open here (the
heaviest page there is): the demo workshop with map suggestions, tasks, the service tray, a
feedback form and a dot vote.
* idle: nothing changes, as in most of a workshop;
* busy: a vote in progress: one more device changes its ballot ten times a second, so the version
  moves all the time and nearly every answer is the full one.
* --old: the page before /poll, for comparison: five requests per device and tick.
N devices join, then poll for --seconds, each starting at a random moment in the first 2.5 s.
Reported: wanted and answered requests per second, latency p50 / p95 / max of a whole tick's
requests (what a device waits for), and errors. The load generator shares the 2 cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

from kit import sample
from kit.launch import start_server
from kit.store import Store
from kit.ui.start import start_round

POLL = 2.5
PATHS = ("/rounds/current", "/map", "/tasks", "/form", "/tray")


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def prepare(data: Path) -> str:
    store = Store.open(data)
    ws = sample.load_demo(store)
    for key in ("map_open", "tasks_open", "tray_open"):
        store.set_setting(ws["id"], key, True)
    form = store.create_form(ws["id"], "Palaute", [{"kind": "scale", "text": "Kuuluin joukkoon"},
                                                    {"kind": "text", "text": "Mikä oli parasta?"}], 5)
    store.set_form_status(form["id"], "open")
    ideas = [i["id"] for i in store.ideas(ws["id"]) if i["status"] == "visible"][:8]
    start_round(store, ws["id"], "Pisteet", "dots", idea_ids=ideas)
    store.close()
    return ws["code"]


async def run(base: str, code: str, devices: int, seconds: float, busy: bool, old: bool = False) -> dict:
    AsyncHTTPClient.configure(None, max_clients=devices * len(PATHS))
    http = AsyncHTTPClient()
    api = f"{base}/kit/api/workshops/{code}"
    tokens = []
    for _ in range(devices):
        r = await http.fetch(HTTPRequest(api + "/participants", method="POST", body='{"language": "fi"}',
                                         headers={"Content-Type": "application/json"}))
        tokens.append(json.loads(r.body)["token"])
    r = await http.fetch(HTTPRequest(api + "?lang=fi"))
    version = json.loads(r.body)["version"]  # idle: what every page shows; busy: soon out of date
    lat: list[float] = []
    ticks: list[float] = []
    errors = 0
    end = time.perf_counter() + seconds

    async def device(token: str):
        nonlocal errors
        await asyncio.sleep(random.uniform(0, POLL))
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        while time.perf_counter() < end:
            started = time.perf_counter()

            async def one(path):
                nonlocal errors
                t0 = time.perf_counter()
                try:
                    await http.fetch(HTTPRequest(api + path + ("&" if "?" in path else "?") + "lang=fi",
                                                 headers=headers, request_timeout=30))
                    lat.append(time.perf_counter() - t0)
                except (HTTPClientError, OSError):
                    errors += 1

            if old:
                await asyncio.gather(*(one(p) for p in PATHS))
            else:
                await one(f"/poll?since={version}")
            ticks.append(time.perf_counter() - started)
            await asyncio.sleep(max(0.0, POLL - (time.perf_counter() - started)))

    async def voter():
        """Changes the workshop ten times a second (a ballot saved), as a vote in progress does."""
        r = await http.fetch(HTTPRequest(api + "/participants", method="POST", body='{"language": "fi"}',
                                         headers={"Content-Type": "application/json"}))
        headers = {"Authorization": f"Bearer {json.loads(r.body)['token']}", "Content-Type": "application/json"}
        r = await http.fetch(HTTPRequest(api + "/rounds/current", headers=headers))
        rnd = json.loads(r.body)["round"]
        items = [i["id"] for i in rnd["items"]]
        n = 0
        while time.perf_counter() < end:
            body = json.dumps({"dots": {str(items[n % 2]): 1}})
            await http.fetch(HTTPRequest(f"{api}/rounds/{rnd['id']}/ballot", method="PUT", body=body, headers=headers))
            n += 1
            await asyncio.sleep(0.1)
        return n

    t0 = time.perf_counter()
    jobs = [device(t) for t in tokens] + ([voter()] if busy else [])
    await asyncio.gather(*jobs)
    took = time.perf_counter() - t0
    wanted = devices * (len(PATHS) if old else 1) / POLL
    return {"devices": devices, "wanted": wanted, "per_second": len(lat) / took, "errors": errors,
            "p50": statistics.median(ticks) * 1000, "p95": pct(ticks, 95) * 1000, "max": max(ticks) * 1000}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--devices", type=int, nargs="+", default=[30, 60, 150])
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--modes", nargs="+", choices=("idle", "busy", "old"), default=["idle", "busy", "old"])
    args = ap.parse_args()
    print(f"every {POLL} s: /poll (old: {', '.join(PATHS)})")
    print("| mode | devices | requests/s wanted | answered | tick p50 ms | p95 ms | max ms | errors |")
    print("|---|---|---|---|---|---|---|---|")
    for mode, n in [(m, n) for m in args.modes for n in args.devices]:
        with tempfile.TemporaryDirectory() as tmp:
            code = prepare(Path(tmp))
            server = start_server(Path(tmp))
            try:
                base = f"http://127.0.0.1:{server.port}"
                r = asyncio.run(run(base, code, n, args.seconds, mode != "idle", mode == "old"))
            finally:
                server.stop()
        print(f"| {mode} | {r['devices']} | {r['wanted']:.0f} | {r['per_second']:.0f} | {r['p50']:.0f} | "
              f"{r['p95']:.0f} | {r['max']:.0f} | {r['errors']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
