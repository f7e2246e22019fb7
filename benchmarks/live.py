"""The run of show under load: N devices hold the event stream open against a real `kit serve`.

Prints figures; asserts nothing (speed is measured here, never in a test).

    .venv/bin/python benchmarks/live.py [--devices 1000] [--moves 4] [--compare-polling]

N devices join and open GET /workshops/{code}/events (as the participant page does with EventSource).
The facilitator then advances the agenda --moves times (PUT agenda/current with the server's token);
a vote runs with every device's ballot arriving over 10 s, the results are revealed, and a second vote
takes every ballot at one instant. Reported:
* ballot ack p50 / p95 / max (the PUT until its answer: after the commit that holds it). Each device
  sends its ballot on its own kept-alive connection, opened before the vote (as a phone's browser has
  one from the page's earlier requests); the burst is run once more with a new connection per
  ballot, printed beside it;
* for each agenda change and each results update, the time until 50 %, 99 % and 100 % of the devices
  have the event (none of these needs a device's own part, so no device fetches anything);
* requests answered vs wanted, errors, and the server's memory growth (RSS) from before the devices
  came to the largest seen.
--compare-polling: the same N devices with the page as it was before the stream (GET /poll every 2.5 s),
for the agenda changes and a spread vote.
Ends with one line:
  live: N devices, change to 99% p95 X ms, ack p95 Y ms (spread) Z ms (burst), errors E, memory +M MB
The load generator shares the machine's cores with the server.

--store URL --processes N (issue 18): the same run three times side by side: on the SQLite file with
one kit process, on PostgreSQL with one process, and on PostgreSQL with N processes behind nginx
(kit deploy's topology, kit/deploy.py), each on a fresh database of the server URL names (`--store
auto`: a PostgreSQL cluster of the benchmark's own, with production durability). For each: the same
figures, memory per process, and the throughput of the all-at-once vote (ballots acknowledged per
second from the first sent to the last answered); the ratio of N processes to one; then the ballots
acknowledged but not stored (lost). Ends with one more line:
  scale: sqlite/1 X ballots/s, postgresql/1 Y ballots/s, postgresql/N Z ballots/s, lost 0
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

from kit.launch import start_server
from kit.store import Store

SPREAD = 10.0
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(kit_pids: set[int]) -> dict[str, float]:
    """CPU time used so far (user + system, from /proc) by kind: the kit processes, PostgreSQL's
    processes, nginx's, and this load generator; what a burst costs each is the difference."""
    out = {"kit": 0.0, "postgresql": 0.0, "nginx": 0.0, "load generator": 0.0}
    me = os.getpid()
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            raw = (d / "stat").read_text()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1:raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2:].split()
        used = (int(fields[11]) + int(fields[12])) / TICK
        pid = int(d.name)
        kind = ("kit" if pid in kit_pids else "load generator" if pid == me else
                "postgresql" if comm.startswith("postgres") else "nginx" if comm.startswith("nginx") else None)
        if kind:
            out[kind] += used
    return out


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(p / 100 * len(values) + 0.5) - 1))] if values else float("nan")


class Load:
    def __init__(self, server, concurrency: int = 1000):
        AsyncHTTPClient.configure(None, max_clients=concurrency)
        self.http = AsyncHTTPClient()
        self.server = server
        self.base = f"{server.base}/kit/api/workshops/{server.code}"
        self.wanted = 0
        self.answered = 0
        self.errors: list[str] = []

    async def call(self, method: str, path: str, body=None, token=None, auth=None) -> tuple[float, int, dict]:
        self.wanted += 1
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if auth:
            headers["Authorization"] = auth
        req = HTTPRequest(self.base + path, method=method, headers=headers,
                          body=json.dumps(body) if body is not None else None, request_timeout=120, connect_timeout=60)
        t0 = time.perf_counter()
        try:
            resp = await self.http.fetch(req)
            status, payload = resp.code, json.loads(resp.body)
        except HTTPClientError as e:
            status, payload = e.code, json.loads(e.response.body) if e.response else {}
        except Exception as e:  # noqa: BLE001 (a refused or reset connection counts as an error)
            status, payload = 0, {"error": repr(e)}
        if 0 < status < 400:
            self.answered += 1
        else:
            self.errors.append(f"{method} {path.split('?')[0]}: {status} {payload.get('error')}")
        return time.perf_counter() - t0, status, payload


class KeptAlive:
    """One phone's connection for its writes, kept open between requests as a browser keeps it
    (HTTP/1.1 keep-alive): a phone that joined and polled has one open when it votes."""

    def __init__(self, load: Load):
        self.load = load
        self.reader = self.writer = None

    async def call(self, method: str, path: str, body, token: str) -> tuple[float, int]:
        s = self.load.server
        self.load.wanted += 1
        data = json.dumps(body).encode()
        t0 = time.perf_counter()
        try:
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection("127.0.0.1", s.port)
            self.writer.write(f"{method} /kit/api/workshops/{s.code}{path} HTTP/1.1\r\nHost: x\r\n"
                              f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
                              f"Content-Length: {len(data)}\r\n\r\n".encode() + data)
            await self.writer.drain()
            head = await self.reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            status = int(lines[0].split()[1])
            length = next(int(x.split(":", 1)[1]) for x in lines if x.lower().startswith("content-length:"))
            payload = json.loads(await self.reader.readexactly(length))
        except (OSError, asyncio.IncompleteReadError, ValueError, StopIteration) as e:
            self.writer = None
            self.load.errors.append(f"{method} {path}: {e!r}")
            return time.perf_counter() - t0, 0
        if status < 400:
            self.load.answered += 1
        else:
            self.load.errors.append(f"{method} {path}: {status} {payload.get('error')}")
        return time.perf_counter() - t0, status

    async def warm(self, token: str) -> None:
        """Open the connection as the page's earlier requests did (GET /me), before the vote."""
        s = self.load.server
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", s.port)
        self.writer.write(f"GET /kit/api/workshops/{s.code}/me HTTP/1.1\r\nHost: x\r\n"
                          f"Authorization: Bearer {token}\r\n\r\n".encode())
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        length = next(int(x.split(":", 1)[1]) for x in lines if x.lower().startswith("content-length:"))
        await self.reader.readexactly(length)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


class Device:
    """One phone's event stream, read as EventSource does, with when each event arrived."""

    def __init__(self, load: Load):
        self.load = load
        self.events: list[tuple[float, dict]] = []
        self.open = asyncio.Event()
        self.task = None

    async def listen(self):
        s = self.load.server
        self.load.wanted += 1
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", s.port)
            writer.write(f"GET /kit/api/workshops/{s.code}/events?lang=fi HTTP/1.1\r\nHost: x\r\n"
                         "Accept: text/event-stream\r\n\r\n".encode())
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            if b" 200 " not in head.split(b"\r\n")[0]:
                self.load.errors.append("events: " + head.split(b"\r\n")[0].decode())
                return
            self.load.answered += 1
            self.open.set()
            buf = b""
            while True:
                chunk = await reader.read(65536)
                if not chunk:
                    return
                buf += chunk
                # chunked transfer framing: the size lines never contain a blank line inside an event
                while b"\n\n" in buf:
                    block, buf = buf.split(b"\n\n", 1)
                    for line in block.split(b"\n"):
                        if line.startswith(b"data: "):
                            self.events.append((time.perf_counter(), json.loads(line[6:])))
        except (OSError, asyncio.IncompleteReadError) as e:
            self.load.errors.append(f"events: {e!r}")
        finally:
            self.open.set()


def spread_of(times: list[float], t0: float, n: int) -> tuple[float, float, float, int]:
    """ms until 50 %, 99 % and 100 % of n devices had it (nan when some never did), and how many did."""
    ms = sorted((t - t0) * 1000 for t in times)
    got = len(ms)

    def at(share):
        k = max(1, int(round(share * n + 0.4999)))
        return ms[k - 1] if got >= k else float("nan")

    return at(0.5), at(0.99), at(1.0), got


def first_after(dev: Device, t0: float, test) -> float | None:
    for at, msg in dev.events:
        if at >= t0 and test(msg):
            return at
    return None


async def wait_until(devices, t0, test, n, timeout=30.0) -> list[float]:
    end = time.perf_counter() + timeout
    while time.perf_counter() < end:
        times = [first_after(d, t0, test) for d in devices]
        if all(t is not None for t in times):
            return times
        await asyncio.sleep(0.05)
    return [t for t in (first_after(d, t0, test) for d in devices) if t is not None]


def at_position(position):
    return lambda msg: ((msg.get("parts", {}).get("agenda") or {}).get("current") or {}).get("position") == position


def results_shown(msg) -> bool:
    rnd = ((msg.get("parts", {}).get("current") or {}).get("round") or {})
    return rnd.get("results") is not None


async def vote(load: Load, tokens: list[str], rid: int, idea: int, spread: float, rng: random.Random,
               conns: list[KeptAlive] | None = None) -> list[float]:
    """Every device's ballot; with conns, each on its device's kept-alive connection, else each on a
    new connection."""
    async def one(k, tok):
        if spread:
            await asyncio.sleep(rng.uniform(0, spread))
        body = {"dots": {str(idea): 1}}
        if conns is not None:
            dt, status = await conns[k].call("PUT", f"/rounds/{rid}/ballot", body, tok)
        else:
            dt, status, _ = await load.call("PUT", f"/rounds/{rid}/ballot", body, tok)
        return dt if status == 200 else None

    t0 = time.perf_counter()
    out = [x * 1000 for x in await asyncio.gather(*[one(k, t) for k, t in enumerate(tokens)]) if x is not None]
    vote.wall = time.perf_counter() - t0  # from the first ballot sent to the last answered
    return out


async def run_stream(server, n: int, moves: int, seed: int) -> dict:
    rng = random.Random(seed)
    load = Load(server)
    auth = f"token {server.token}"
    store = server.store()
    ws = store.workshop_by_code(server.code)
    rss0 = server.rss_bytes()
    joins = await asyncio.gather(*[load.call("POST", "/participants", {}) for _ in range(n)])
    tokens = [p["token"] for _, s, p in joins if s == 201]
    devices = [Device(load) for _ in range(n)]
    for d in devices:
        d.task = asyncio.create_task(d.listen())
    await asyncio.gather(*[d.open.wait() for d in devices])
    await asyncio.sleep(1.0)
    rss_max = server.rss_bytes()
    live = [d for d in devices if d.events]
    print(f"{len(live)} of {n} streams open, server RSS {rss0 / 2**20:.0f} MB before the devices, "
          f"{rss_max / 2**20:.0f} MB with them joined and listening")
    changes = []
    for k in range(moves):
        position = 2 + k
        t0 = time.perf_counter()
        await load.call("PUT", "/agenda/current", {"position": position}, auth=auth)
        times = await wait_until(live, t0, at_position(position), len(live))
        changes.append(spread_of(times, t0, len(live)))
        rss_max = max(rss_max, server.rss_bytes())
        await asyncio.sleep(0.5)
    idea = store.add_idea(ws["id"], "Kesäkeidas")
    results = []
    acks = {}
    conns = [KeptAlive(load) for _ in tokens]
    await asyncio.gather(*[c.warm(t) for c, t in zip(conns, tokens)])
    throughput, lost = {}, 0
    for label, spread, kept in (("spread", SPREAD, True), ("burst", 0.0, True), ("burst, new connections", 0.0, False)):
        rnd = store.open_round(store.create_round(ws["id"], f"Benchmark {label}", "fixed5", idea_ids=[idea["id"]])["id"])
        await asyncio.sleep(0.5)
        cpu0 = cpu_seconds(server.kit_pids())
        acks[label] = await vote(load, tokens, rnd["id"], idea["id"], spread, rng, conns if kept else None)
        if label == "burst":
            cpu1 = cpu_seconds(server.kit_pids())
            cpu = {k: cpu1[k] - cpu0[k] for k in cpu1}
        throughput[label] = len(acks[label]) / vote.wall if vote.wall else 0.0
        lost += max(0, len(acks[label]) - store.ballot_count(rnd["id"]))  # told "saved", not in the store
        rss_max = max(rss_max, server.rss_bytes())
        t0 = time.perf_counter()
        store.set_results_visible(rnd["id"], True)  # as the Run view's kernel does it
        times = await wait_until(live, t0, results_shown, len(live))
        results.append((label, spread_of(times, t0, len(live))))
        store.close_round(rnd["id"])
        await asyncio.sleep(0.5)
    for d in devices:
        d.task.cancel()
    for c in conns:
        c.close()
    store.close()
    return {"changes": changes, "results": results, "acks": acks, "load": load, "rss": (rss0, rss_max), "n": len(live),
            "throughput": throughput, "lost": lost, "rss_each": server.rss_each(), "cpu": cpu,
            "wall": vote.wall}


async def run_polling(server, n: int, moves: int, seed: int) -> dict:
    """The page before the stream: GET /poll?since=<version> every 2.5 s per device."""
    rng = random.Random(seed)
    load = Load(server)
    auth = f"token {server.token}"
    store = server.store()
    ws = store.workshop_by_code(server.code)
    joins = await asyncio.gather(*[load.call("POST", "/participants", {}) for _ in range(n)])
    tokens = [p["token"] for _, s, p in joins if s == 201]
    seen: dict[int, list[tuple[float, int]]] = {i: [] for i in range(len(tokens))}
    stop = asyncio.Event()

    async def poller(i, tok):
        await asyncio.sleep(rng.uniform(0, 2.5))
        version = ""
        while not stop.is_set():
            _, status, d = await load.call("GET", f"/poll?since={version}", token=tok)
            if status == 200 and not d.get("unchanged"):
                version = d["version"]
                cur = (d.get("agenda") or {}).get("current") or {}
                seen[i].append((time.perf_counter(), cur.get("position")))
            await asyncio.sleep(2.5)

    tasks = [asyncio.create_task(poller(i, t)) for i, t in enumerate(tokens)]
    await asyncio.sleep(3.0)
    changes = []
    for k in range(moves):
        position = 2 + k
        t0 = time.perf_counter()
        await load.call("PUT", "/agenda/current", {"position": position}, auth=auth)
        end = time.perf_counter() + 30
        while time.perf_counter() < end:
            times = [next((at for at, p in seen[i] if at >= t0 and p == position), None) for i in seen]
            if all(t is not None for t in times):
                break
            await asyncio.sleep(0.1)
        changes.append(spread_of([t for t in times if t is not None], t0, len(seen)))
    idea = store.add_idea(ws["id"], "Kesäkeidas")
    rnd = store.open_round(store.create_round(ws["id"], "Benchmark polling", "fixed5", idea_ids=[idea["id"]])["id"])
    acks = await vote(load, tokens, rnd["id"], idea["id"], SPREAD, rng)
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    store.close()
    return {"changes": changes, "acks": acks, "load": load, "n": len(tokens)}


def show_changes(title, changes):
    for k, (p50, p99, p100, got) in enumerate(changes, start=1):
        print(f"  {title} {k}: 50% {p50:7.0f} ms   99% {p99:7.0f} ms   100% {p100:7.0f} ms   ({got} devices)")


def show_acks(label, ms):
    if ms:
        print(f"  ballot ack ({label}): n={len(ms)} p50 {pct(ms, 50):6.0f} ms  p95 {pct(ms, 95):6.0f} ms  "
              f"max {max(ms):6.0f} ms")


def prepare(data: Path, url: str | None = None) -> None:
    store = Store.connect(url, data)
    ws = store.create_workshop("Benchmark", "osallisuusverkosto")
    store.move_room(ws["id"], position=1)
    store.close()


class Proxied:
    """kit deploy's topology as the benchmark's server: devices reach nginx; memory is each process's."""

    def __init__(self, topo):
        self.topo, self.port, self.base, self.code, self.token = topo, topo.port, topo.base, topo.code, topo.token

    def store(self):
        return Store.connect(self.topo.store)

    def rss_bytes(self) -> int:
        return sum(s.rss_bytes() for s in self.topo.servers)

    def rss_each(self) -> list[int]:
        return [s.rss_bytes() for s in self.topo.servers]

    def kit_pids(self) -> set[int]:
        return {s.proc.pid for s in self.topo.servers}


def one_server_rss(server):
    server.rss_each = lambda: [server.rss_bytes()]
    server.kit_pids = lambda: {server.proc.pid}
    return server


def report(out: dict, title: str) -> None:
    load = out["load"]
    print(f"{title}, event stream, {out['n']} devices:")
    show_changes("agenda change", out["changes"])
    for label, (p50, p99, p100, got) in out["results"]:
        print(f"  results shown after the {label} vote: 50% {p50:7.0f} ms   99% {p99:7.0f} ms   100% {p100:7.0f} ms"
              f"   ({got} devices)")
    show_acks("over 10 s", out["acks"]["spread"])
    show_acks("all at once", out["acks"]["burst"])
    show_acks("all at once, each on a new connection", out["acks"]["burst, new connections"])
    rss0, rss_max = out["rss"]
    print(f"  requests answered {load.answered} of {load.wanted} wanted, errors {len(load.errors)}"
          + (f" (first: {load.errors[0]})" if load.errors else ""))
    print(f"  server memory: {rss0 / 2**20:.0f} MB before the devices, at most {rss_max / 2**20:.0f} MB; per process "
          f"now: {', '.join(f'{x / 2**20:.0f} MB' for x in out['rss_each'])}")
    per = {k: v * 1000 / max(1, len(out["acks"]["burst"])) for k, v in out["cpu"].items()}
    print(f"  CPU per ballot in the all-at-once vote ({out['wall']:.2f} s on the wall): "
          + ", ".join(f"{k} {v:.2f} ms" for k, v in per.items()))
    print(f"  throughput of the all-at-once vote: {out['throughput']['burst']:.0f} ballots/s "
          f"(new connections: {out['throughput']['burst, new connections']:.0f}); acknowledged but not stored: "
          f"{out['lost']}")


def live_line(out: dict) -> str:
    p99s = [c[1] for c in out["changes"]] + [r[1][1] for r in out["results"]]
    rss0, rss_max = out["rss"]
    return (f"live: {out['n']} devices, change to 99% p95 {pct(p99s, 95):.0f} ms, ack p95 "
            f"{pct(out['acks']['spread'], 95):.0f} ms (spread) {pct(out['acks']['burst'], 95):.0f} ms (burst), "
            f"errors {len(out['load'].errors)}, memory +{(rss_max - rss0) / 2**20:.0f} MB")


def run_sqlite(args) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        prepare(Path(tmp))
        server = one_server_rss(start_server(Path(tmp)))
        try:
            return asyncio.run(run_stream(server, args.devices, args.moves, args.seed))
        finally:
            server.stop()


def run_postgresql(args, server_url: str, processes: int) -> dict:
    import uuid

    from kit import pgcluster
    from kit.deploy import Topology

    url = pgcluster.database(server_url, "kit_bench_" + uuid.uuid4().hex[:8])
    try:
        with tempfile.TemporaryDirectory() as tmp:
            prepare(Path(tmp), url)
            if processes == 1:
                server = one_server_rss(start_server(Path(tmp) / "one", store=url))
                try:
                    return asyncio.run(run_stream(server, args.devices, args.moves, args.seed))
                finally:
                    server.stop()
            topo = Topology(Path(tmp) / "topology", processes=processes, store=url, host="127.0.0.1").start()
            try:
                return asyncio.run(run_stream(Proxied(topo), args.devices, args.moves, args.seed))
            finally:
                topo.stop()
    finally:
        pgcluster.admin(server_url, f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--devices", type=int, default=1000)
    ap.add_argument("--moves", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--compare-polling", action="store_true")
    ap.add_argument("--store", default=None, help="a PostgreSQL server's URL (any database of it; each run makes "
                    "its own), or 'auto' for a cluster of the benchmark's own: runs SQLite/1, PostgreSQL/1 and "
                    "PostgreSQL/N side by side")
    ap.add_argument("--processes", type=int, default=2, help="kit processes behind nginx for the last run (default 2)")
    args = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4 * args.devices + 1024)), hard))
    out = run_sqlite(args)
    report(out, "SQLite, one process" if args.store else "SQLite")
    if args.compare_polling:
        with tempfile.TemporaryDirectory() as tmp:
            prepare(Path(tmp))
            server = start_server(Path(tmp))
            try:
                old = asyncio.run(run_polling(server, args.devices, args.moves, args.seed))
            finally:
                server.stop()
        print(f"polling every 2.5 s (the page before the stream), {old['n']} devices:")
        show_changes("agenda change", old["changes"])
        show_acks("over 10 s", old["acks"])
        print(f"  requests answered {old['load'].answered} of {old['load'].wanted} wanted, "
              f"errors {len(old['load'].errors)}")
    if not args.store:
        print(live_line(out))
        return 0
    cluster = None
    server_url = args.store
    if args.store == "auto":
        from kit import pgcluster

        cluster = pgcluster.Cluster(Path(tempfile.mkdtemp(prefix="kit-bench-pg-")), pgcluster.free_port())
        cluster.init()
        cluster.start()
        server_url = cluster.url
    try:
        pg1 = run_postgresql(args, server_url, 1)
        report(pg1, "PostgreSQL, one process")
        pgn = run_postgresql(args, server_url, args.processes)
        report(pgn, f"PostgreSQL, {args.processes} processes behind nginx")
    finally:
        if cluster is not None:
            cluster.stop()
            import shutil

            shutil.rmtree(cluster.folder, ignore_errors=True)
    for label, o in (("sqlite/1", out), ("postgresql/1", pg1), (f"postgresql/{args.processes}", pgn)):
        print(f"{label:>14}: {live_line(o)}")
    ratio = pgn["throughput"]["burst"] / pg1["throughput"]["burst"] if pg1["throughput"]["burst"] else float("nan")
    print(f"throughput of {args.processes} processes to one (all-at-once vote, PostgreSQL): {ratio:.2f}")
    lost = out["lost"] + pg1["lost"] + pgn["lost"]
    print(f"scale: sqlite/1 {out['throughput']['burst']:.0f} ballots/s, postgresql/1 {pg1['throughput']['burst']:.0f} "
          f"ballots/s, postgresql/{args.processes} {pgn['throughput']['burst']:.0f} ballots/s, lost {lost}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
