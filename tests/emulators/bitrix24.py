"""A Bitrix24 portal emulator: a plain ASGI app speaking the REST wire format, run on a local port.

Why an emulator and not a mock: the hand-off must survive what a real portal does — throttling
with `QUERY_LIMIT_EXCEEDED`, 5xx, slow answers, connections dropped after the lead was created —
and only real HTTP shows whether our client sees those the way it will in production. The wire
format follows the Bitrix24 REST documentation (github.com/bitrix24/b24restdocs):

* incoming-webhook URLs `/rest/<user_id>/<token>/<method>[.json]`, parameters as a JSON body, a
  form body or a query string, read PHP-style (`fields[PHONE][0][VALUE]=…`);
* answers `{"result": …, "time": {…}}` (list methods add `total`/`next`), errors
  `{"error": …, "error_description": …}` with the statuses of _includes/system-errors.md:
  401 INVALID_CREDENTIALS, 404 ERROR_METHOD_NOT_FOUND, 503 QUERY_LIMIT_EXCEEDED;
* the leaky bucket of limits.md: every request adds one to a per-portal counter that drains at
  `rate` per second; past `burst` the request is refused with 503 QUERY_LIMIT_EXCEEDED.
  A `batch` counts as one request ("The counter will increase by one").

Use `with running_bitrix24() as portal:` and point the client at `portal.webhook_url`.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import uvicorn

from tests.emulators.bitrix24_batch import run_batch
from tests.emulators.bitrix24_crm import Crm, Lead, RestError, time_block
from tests.emulators.php_query import parse_php_query

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

_PATH = re.compile(
    r"^/rest/(?P<user>\d+)/(?P<token>[^/]+)/(?P<method>[A-Za-z0-9_.]+?)(?:\.json)?/?$"
)


class LeakyBucket:
    """Per-portal request counter (limits.md): +1 a request, drains `rate`/s, refuses past `burst`.

    A refused request does not fill the bucket: undocumented; counting it would lock a client
    that keeps retrying out for ever, which the documented "decreases by Y every second" rules
    out as the intent.
    """

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic):
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._level = 0.0
        self._at = clock()
        self._lock = threading.Lock()

    def try_acquire(self) -> bool:
        with self._lock:
            now = self._clock()
            self._level = max(0.0, self._level - (now - self._at) * self.rate)
            self._at = now
            if self._level + 1 > self.burst:
                return False
            self._level += 1
            return True

    def level(self) -> float:
        with self._lock:
            return max(0.0, self._level - (self._clock() - self._at) * self.rate)


@dataclass
class FaultPlan:
    """What happens to one request (drawn from `Faults` when it arrives)."""

    delay: float = 0.0
    drop: bool = False
    unavailable: bool = False
    garbage: bool = False
    lose_answer: bool = False


class Faults:
    """Switchable faults, set from the test thread and read by the server thread.

    Counters apply to the next N requests, in this order of precedence: drop (close without an
    answer, nothing done), unavailable (HTTP 503 from the web server, nothing done), garbage (an
    HTML error page from a proxy), lose answer (the request is carried out — the lead is stored —
    then the connection closes without an answer). `delay` slows every answer; `chaos` draws one
    of drop/503/lose-answer at random for that share of requests.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.delay = 0.0
        self._counts = {"drop": 0, "unavailable": 0, "garbage": 0, "lose_answer": 0}
        self._chaos = 0.0
        self._random = random.Random(0)
        self._lose_for: dict[str, int] = {}

    def slow(self, seconds: float) -> None:
        with self._lock:
            self.delay = seconds

    def drop_connections(self, count: int = 1) -> None:
        self._add("drop", count)

    def unavailable(self, count: int = 1) -> None:
        self._add("unavailable", count)

    def garbage(self, count: int = 1) -> None:
        self._add("garbage", count)

    def lose_answer_after_create(self, count: int = 1, method: str | None = None) -> None:
        """Lose the answers of the next N requests, or only of the next N calls of `method`
        (e.g. "crm.lead.add": the lead is stored and the caller never hears of it)."""
        if method is None:
            self._add("lose_answer", count)
            return
        with self._lock:
            self._lose_for[method.lower()] = self._lose_for.get(method.lower(), 0) + count

    def chaos(self, probability: float, seed: int = 0) -> None:
        with self._lock:
            self._chaos = probability
            self._random = random.Random(seed)

    def clear(self) -> None:
        with self._lock:
            self.delay = 0.0
            self._chaos = 0.0
            self._counts = dict.fromkeys(self._counts, 0)
            self._lose_for = {}

    def _add(self, kind: str, count: int) -> None:
        with self._lock:
            self._counts[kind] += count

    def draw(self, methods: frozenset[str] = frozenset()) -> FaultPlan:
        """The plan for a request calling ``methods`` (a batch calls its commands' methods)."""
        with self._lock:
            plan = FaultPlan(delay=self.delay)
            for method in sorted(methods):
                if self._lose_for.get(method):
                    self._lose_for[method] -= 1
                    plan.lose_answer = True
                    return plan
            for kind, left in self._counts.items():
                if left:
                    self._counts[kind] = left - 1
                    setattr(plan, kind, True)
                    return plan
            if self._chaos and self._random.random() < self._chaos:
                kind = self._random.choice(("drop", "unavailable", "lose_answer"))
                setattr(plan, kind, True)
            return plan


@dataclass
class RecordedRequest:
    """One request as the portal saw it; `status` None means the connection was dropped."""

    method: str
    params: dict[str, Any]
    status: int | None = None


class Bitrix24Emulator:
    """The ASGI app of one portal: its leads, its webhook tokens, its bucket and its faults."""

    def __init__(
        self,
        *,
        user_id: int = 1,
        tokens: tuple[str, ...] = ("emulated-webhook-token",),
        rate: float = 2.0,
        burst: int = 50,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.user_id = user_id
        self.tokens = frozenset(tokens)
        self.crm = Crm()
        self.bucket = LeakyBucket(rate, burst, clock)
        self.faults = Faults()
        self.requests: list[RecordedRequest] = []
        self.closing = False  # set on shutdown, so a slow answer does not hold the server up

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = await _read_body(receive)
        match = _PATH.match(scope["path"])
        method = match["method"].lower() if match else scope["path"]
        plan = self.faults.draw(_called_methods(method, body))
        if plan.delay and not await self._slept(plan.delay):
            await _drop_connection(send)
            return
        record = RecordedRequest(method, {})
        self.requests.append(record)
        if plan.drop:
            await _drop_connection(send)
            return
        if plan.unavailable:
            record.status = 503
            await _send(
                send, 503, b"<html><body>503 Service Unavailable</body></html>", "text/html"
            )
            return
        if plan.garbage:
            record.status = 502
            await _send(send, 502, b"<html><body>502 Bad Gateway</body></html>", "text/html")
            return
        status, payload = self._answer(scope, body, match, record)
        record.status = status
        if plan.lose_answer:
            record.status = None
            await _drop_connection(send)
            return
        await _send(send, status, json.dumps(payload).encode())

    async def _slept(self, seconds: float) -> bool:
        """Sleep in slices; False when the server is shutting down meanwhile."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.closing:
                return False
            await asyncio.sleep(min(0.02, max(0.0, deadline - time.monotonic())))
        return True

    def _answer(
        self, scope: Scope, body: bytes, match: re.Match[str] | None, record: RecordedRequest
    ) -> tuple[int, dict[str, Any]]:
        started = time.time()
        try:
            if match is None:
                raise RestError(404, "ERROR_METHOD_NOT_FOUND", "Method not found!")
            # Credentials before the bucket: an unknown caller should not drain a portal's budget.
            if int(match["user"]) != self.user_id or unquote(match["token"]) not in self.tokens:
                raise RestError(401, "INVALID_CREDENTIALS", "Invalid request credentials")
            if not self.bucket.try_acquire():
                raise RestError(503, "QUERY_LIMIT_EXCEEDED", "Too many requests")
            record.params = _params(scope, body)
            if record.method == "batch":
                return 200, {
                    "result": run_batch(self.crm, record.params),
                    "time": time_block(started),
                }
            answer = self.crm.call(record.method, record.params)
        except RestError as error:
            return error.status, error.body()
        payload: dict[str, Any] = {"result": answer.result}
        if answer.next is not None:
            payload["next"] = answer.next
        if answer.total is not None:
            payload["total"] = answer.total
        payload["time"] = time_block(started)
        return 200, payload


def _called_methods(method: str, body: bytes) -> frozenset[str]:
    """The method, and for a batch the methods of its commands (read from the raw body)."""
    if method != "batch":
        return frozenset({method})
    found = re.findall(rb"crm\.[a-z_.]+", body.lower())
    return frozenset({method, *(name.decode().rstrip(".") for name in found)})


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def _params(scope: Scope, body: bytes) -> dict[str, Any]:
    """Query string, then the body on top: JSON or form-encoded, both accepted by the REST."""
    params = parse_php_query(scope.get("query_string", b"").decode("latin-1"))
    headers = dict(scope.get("headers", []))
    content_type = headers.get(b"content-type", b"").decode("latin-1").lower()
    if not body.strip():
        return params
    if "json" in content_type:
        try:
            decoded = json.loads(body)
        except ValueError as error:
            raise RestError(400, "", "Request body is not valid JSON") from error
        if not isinstance(decoded, dict):
            raise RestError(400, "", "Request body must be a JSON object")
        return {**params, **decoded}
    return {**params, **parse_php_query(body.decode("utf-8"))}


async def _send(
    send: Send, status: int, body: bytes, content_type: str = "application/json"
) -> None:
    headers = [
        (b"content-type", f"{content_type}; charset=utf-8".encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _drop_connection(send: Send) -> None:
    """Close the TCP connection without a byte of answer, as a crashed portal or proxy would.

    ASGI has no verb for this, and uvicorn answers 500 to an app that returns silently. Its
    h11 `send` is a bound method of the request cycle that owns the transport, so the emulator
    closes that transport and waits until uvicorn has noticed (then it sends nothing). If a
    future uvicorn hides the transport, fall back to headers without the promised body, which a
    client also sees as a broken connection.
    """
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        headers = [(b"content-length", b"1000")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        return
    transport.close()
    for _ in range(1000):
        if getattr(cycle, "disconnected", True):
            return
        await asyncio.sleep(0.001)


@dataclass
class Portal:
    """A running emulator: where to call it and what it holds."""

    emulator: Bitrix24Emulator
    base_url: str
    token: str
    user_id: int
    server: uvicorn.Server = field(repr=False)

    @property
    def webhook_url(self) -> str:
        return self.webhook_url_with(self.token)

    def webhook_url_with(self, token: str) -> str:
        return f"{self.base_url}/rest/{self.user_id}/{token}/"

    @property
    def leads(self) -> dict[int, Lead]:
        return self.emulator.crm.leads

    @property
    def faults(self) -> Faults:
        return self.emulator.faults

    @property
    def requests(self) -> list[RecordedRequest]:
        return self.emulator.requests

    @property
    def bucket(self) -> LeakyBucket:
        return self.emulator.bucket

    def leads_with_origin(self, origin_id: str) -> list[Lead]:
        return [
            lead for lead in list(self.leads.values()) if lead.fields.get("ORIGIN_ID") == origin_id
        ]


@contextmanager
def running_bitrix24(
    *,
    token: str = "emulated-webhook-token",  # noqa: S107 - a test portal's token
    user_id: int = 1,
    rate: float = 2.0,
    burst: int = 50,
) -> Iterator[Portal]:
    """Run an emulated portal on a free local port in a background thread (xdist-safe).

    The socket is bound here (port 0) and handed to uvicorn, so there is no race for the port.
    """
    emulator = Bitrix24Emulator(user_id=user_id, tokens=(token,), rate=rate, burst=burst)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        emulator,
        http="h11",
        lifespan="off",
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError("the Bitrix24 emulator did not start")
        time.sleep(0.01)
    try:
        yield Portal(emulator, f"http://127.0.0.1:{port}", token, user_id, server)
    finally:
        emulator.closing = True
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
