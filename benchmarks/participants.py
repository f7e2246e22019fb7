"""N simulated participants against a real `kit serve` on loopback: join, send an idea, place dots.

Prints figures; asserts nothing (speed is measured here, never in a test).

    .venv/bin/python benchmarks/participants.py [--participants 200] [--spread SECONDS ...]

What it does, all over HTTP to the participant API of one `kit serve` process:
1. N devices join (POST .../participants), then each sends one idea. Each wave arrives either at one
   instant (the worst case) or spread over --spread seconds (people scanning a QR code and typing).
2. The facilitator opens a 5-dot round through the store, as the start notebook's kernel does.
3. N devices place their dots (PUT .../ballot), arriving as in 1.
4. Vote to projector: one device changes its dots while the projector's own poller (kit.ui.common.Poller
   at its 0.5 s interval, reading kit.ui.projector.board_data) watches the store; the time from
   sending the vote to the projector's data showing it, over several samples.
Then it checks the store: ballots stored against ballots sent, and dots stored against dots sent.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

from kit.launch import start_server

DOTS = 5


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(p / 100 * len(values) + 0.5) - 1))]


def summary(name: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return (f"{name:<22} n={len(ms):<4} p50 {statistics.median(ms):7.1f} ms   p95 {pct(ms, 95):7.1f} ms   "
            f"max {max(ms):7.1f} ms")


class Client:
    def __init__(self, base: str, code: str, concurrency: int):
        AsyncHTTPClient.configure(None, max_clients=concurrency)
        self.http = AsyncHTTPClient()
        self.base, self.code = base, code
        self.failures: list[str] = []

    async def call(self, method: str, path: str, body=None, token=None) -> tuple[float, int, dict]:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        req = HTTPRequest(f"{self.base}/kit/api/workshops/{self.code}{path}", method=method, headers=headers,
                          body=json.dumps(body) if body is not None else None,
                          request_timeout=120, connect_timeout=60)
        t0 = time.perf_counter()
        try:
            resp = await self.http.fetch(req)
            status, payload = resp.code, json.loads(resp.body)
        except HTTPClientError as e:
            status, payload = e.code, json.loads(e.response.body) if e.response else {}
        except Exception as e:  # a refused or reset connection counts as a failure, not a crash
            status, payload = 0, {"error": repr(e)}
        dt = time.perf_counter() - t0
        if status >= 400 or status == 0:
            self.failures.append(f"{method} {path}: {status} {payload.get('error')}")
        return dt, status, payload


async def arriving(rng: random.Random, spread: float, coro):
    """Start a request at a random moment within `spread` seconds (0: all at the same instant)."""
    if spread:
        await asyncio.sleep(rng.uniform(0, spread))
    return await coro


async def run(server, n: int, samples: int, seed: int, spread: float) -> None:
    rng = random.Random(seed)
    client = Client(server.base, server.code, concurrency=n)
    code = server.code

    def wave(calls):
        return asyncio.gather(*[arriving(rng, spread, c) for c in calls])

    joins = await wave([client.call("POST", "/participants", {"group": "resident"}) for _ in range(n)])
    tokens = [p["token"] for _, s, p in joins if s == 201]
    ideas = await wave([client.call("POST", "/ideas", {"text": f"Idea {i}: kävelyretki {i}"}, t)
                        for i, t in enumerate(tokens)])

    store = server.store()
    ws = store.workshop_by_code(code)
    rnd = store.open_round(store.create_round(ws["id"], "Benchmark", "fixed5")["id"])
    items = [i["id"] for i in store.round_items(rnd["id"])]

    sent: dict[int, dict[str, int]] = {}
    for k, _ in enumerate(tokens):
        dots: dict[str, int] = {}
        for _ in range(DOTS):
            key = str(rng.choice(items))
            dots[key] = dots.get(key, 0) + 1
        sent[k] = dots
    path = f"/rounds/{rnd['id']}/ballot"
    votes = await wave([client.call("PUT", path, {"dots": sent[k]}, t) for k, t in enumerate(tokens)])
    stored_votes = sum(1 for _, s, _ in votes if s == 200)

    # vote -> projector: the projector's own poller and board_data, on the same SQLite file
    from kit.ui.common import POLL_SECONDS, Poller
    from kit.ui.projector import board_data

    seen: dict = {}
    cond = threading.Condition()

    def on_change():
        data = board_data(store, ws["id"], rnd["id"])
        with cond:
            seen["scores"] = {r.idea_id: r.score for r in data["results"]}
            seen["at"] = time.perf_counter()
            cond.notify_all()

    # a thread, not the benchmark's loop: the wait below blocks on a condition variable
    poller = Poller(store, ws["id"], on_change).start(in_thread=True)
    target = items[0]
    lags = []
    for s in range(samples):
        before = board_data(store, ws["id"], rnd["id"])
        score_before = next(r.score for r in before["results"] if r.idea_id == target)
        k = s % len(tokens)
        new = {str(target): DOTS}
        old_on_target = sent[k].get(str(target), 0)
        expected = score_before - old_on_target + DOTS
        t0 = time.perf_counter()
        _, status, _ = await client.call("PUT", path, {"dots": new}, tokens[k])
        sent[k] = new
        deadline = t0 + 10
        while time.perf_counter() < deadline:
            with cond:
                if seen.get("scores", {}).get(target) == expected and seen["at"] >= t0:
                    lags.append(seen["at"] - t0)
                    break
                cond.wait(timeout=0.05)
        await asyncio.sleep(rng.uniform(0, POLL_SECONDS))  # votes arrive at any point of the poll cycle
    poller.stop()

    ballots = store.round_ballots(rnd["id"])
    dots_sent = sum(sum(d.values()) for d in sent.values())
    dots_stored = sum(sum(b["marks"].values()) for b in ballots)
    ideas_stored = len(store.ideas(ws["id"]))
    store.close()

    print(summary("join", [dt for dt, _, _ in joins]))
    print(summary("idea", [dt for dt, _, _ in ideas]))
    print(summary("vote", [dt for dt, _, _ in votes]))
    if lags:
        print(summary(f"vote -> projector data (poll {POLL_SECONDS} s)", lags))
    print(f"projector samples      {len(lags)} of {samples} seen within 10 s")
    print(f"participants joined    {len(tokens)} of {n}")
    print(f"ideas stored           {ideas_stored} of {len(tokens)} sent")
    print(f"ballots stored         {len(ballots)} for {n} participants ({stored_votes} answered 200)")
    print(f"dots stored            {dots_stored} of {dots_sent} sent (last ballot of each participant)")
    print(f"failed requests        {len(client.failures)}" + (f": {client.failures[:5]}" if client.failures else ""))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--participants", type=int, default=200, help="devices joining and voting at once (200)")
    ap.add_argument("--projector-samples", type=int, default=20, help="votes timed to the projector (20)")
    ap.add_argument("--seed", type=int, default=1, help="random seed for the dots (1)")
    ap.add_argument("--spread", type=float, action="append",
                    help="seconds over which each wave (joins, ideas, votes) arrives; repeat for several "
                    "scenarios. Default: 0 (every device at the same instant) and 30 (a room of people)")
    args = ap.parse_args()
    for spread in args.spread or [0.0, 30.0]:
        print(f"\n== {args.participants} participants, each wave arriving "
              + ("at the same instant" if not spread else f"over {spread:g} s") + " ==")
        scenario(args, spread)
    return 0


def scenario(args, spread: float) -> None:

    with tempfile.TemporaryDirectory() as data:
        server = start_server(Path(data))
        try:
            time.sleep(1.0)  # let the server settle before the first reading
            rss0 = server.rss_bytes()
            t0 = time.perf_counter()
            asyncio.run(run(server, args.participants, args.projector_samples, args.seed, spread))
            wall = time.perf_counter() - t0
            rss1 = server.rss_bytes()
        finally:
            server.stop()
    print(f"server memory          {rss0 / 2**20:.0f} MB before, {rss1 / 2**20:.0f} MB after "
          f"(growth {(rss1 - rss0) / 2**20:.0f} MB)")
    print(f"wall time              {wall:.1f} s for {args.participants} participants")


if __name__ == "__main__":
    sys.exit(main())
