"""Simulated devices for the fault tests: each joins and replaces its ballot again and again over HTTP,
as the participant page does, and retries what was refused or cut (a 502 from the proxy with no kit
process behind it, a 503 while the database is away, a connection reset) until it is acknowledged.
What each device was last told is saved is kept, to compare with the store afterwards."""

from __future__ import annotations

import asyncio
import json
import random

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

RETRYABLE = {502, 503, 504, 599}  # 599: tornado's "no answer" (connection refused or cut)


class Devices:
    def __init__(self, base: str, code: str, n: int, seed: int = 7):
        AsyncHTTPClient.configure(None, max_clients=n + 20)
        self.http = AsyncHTTPClient()
        self.base = f"{base}/kit/api/workshops/{code}"
        self.n = n
        self.rng = random.Random(seed)
        self.tokens: list[str] = []
        self.acked: dict[int, dict] = {}  # device -> the body it was last told is saved
        self.acks = 0
        self.refused = 0  # answers that said "not saved" (retried)
        self.statuses: dict[int, int] = {}
        self.in_flight = 0
        self.messages: set[str] = set()

    async def call(self, method: str, path: str, body=None, token: str | None = None) -> tuple[int, dict]:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        req = HTTPRequest(self.base + path + "?lang=fi", method=method, headers=headers,
                          body=json.dumps(body) if body is not None else None, request_timeout=30,
                          connect_timeout=10)
        self.in_flight += 1
        try:
            r = await self.http.fetch(req, raise_error=False)
            code, raw = r.code, r.body or b"{}"
        except (HTTPClientError, OSError) as err:
            code, raw = getattr(err, "code", 599), b"{}"
        finally:
            self.in_flight -= 1
        try:
            data = json.loads(raw)
        except ValueError:
            data = {}
        return code, data

    async def join_all(self) -> None:
        async def one():
            while True:
                code, data = await self.call("POST", "/participants", {})
                if code == 201:
                    return data["token"]
                await asyncio.sleep(0.2)
        self.tokens = list(await asyncio.gather(*(one() for _ in range(self.n))))

    async def vote(self, round_id: int, ideas: list[int], writes: int) -> None:
        """Every device replaces its ballot `writes` times, each write retried until acknowledged."""
        async def device(i: int):
            for k in range(writes):
                body = {"choices": [ideas[(i + k) % len(ideas)]]}
                while True:
                    code, data = await self.call("PUT", f"/rounds/{round_id}/ballot", body, self.tokens[i])
                    self.statuses[code] = self.statuses.get(code, 0) + 1
                    if code == 200:
                        self.acked[i] = body
                        self.acks += 1
                        break
                    assert code in RETRYABLE, (code, data)  # anything else would be a real refusal
                    if data.get("message"):
                        self.messages.add(data["message"])
                    self.refused += 1
                    await asyncio.sleep(0.2 + self.rng.random() * 0.3)
                await asyncio.sleep(self.rng.random() * 0.05)
        await asyncio.gather(*(device(i) for i in range(self.n)))

    async def when_in_flight(self, at_least: int, action, timeout: float = 60) -> int:
        """Run `action` once at least `at_least` requests are on their way; returns how many were."""
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while self.in_flight < at_least:
            if loop.time() > end:
                raise AssertionError(f"never {at_least} writes in flight (most: {self.in_flight})")
            await asyncio.sleep(0.001)
        seen = self.in_flight
        action()
        return seen


def compare(store, round_id: int, devices: Devices) -> dict:
    """What the store holds against what each device was told is saved."""
    participants = {}
    for tok_i, tok in enumerate(devices.tokens):
        participants[store.participant_by_token(store.round(round_id)["workshop_id"], tok)["id"]] = tok_i
    stored = store.round_ballots(round_id)
    by_device: dict[int, list] = {}
    for b in stored:
        if b["participant_id"] in participants:  # a real phone's ballot beside the simulated ones
            by_device.setdefault(participants[b["participant_id"]], []).append(sorted(b["marks"]))
    lost = sum(1 for i, body in devices.acked.items() if by_device.get(i) != [sorted(body["choices"])])
    duplicated = sum(len(v) - 1 for v in by_device.values() if len(v) > 1)
    return {"acknowledged": len(devices.acked), "stored": len(stored), "lost": lost, "duplicated": duplicated,
            "acks": devices.acks, "refused_and_retried": devices.refused}


class Background:
    """Devices on an event loop of their own thread, so the test's thread stays free for the browser
    and for stopping and starting servers while they vote."""

    def __init__(self, coro_fn):
        import threading

        self.result = None
        self.error: BaseException | None = None

        def run():
            try:
                self.result = asyncio.run(coro_fn())
            except BaseException as err:  # noqa: BLE001 (handed to the test by join())
                self.error = err

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def join(self, timeout: float = 300):
        self.thread.join(timeout)
        if self.thread.is_alive():
            raise AssertionError("the devices did not finish")
        if self.error is not None:
            raise self.error
        return self.result
