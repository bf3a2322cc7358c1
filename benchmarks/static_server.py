"""A static loopback HTTP/1.1 server of the endpoints the benchmarks call.

It answers every request with a pre-serialized body and Stripe's response headers, so what the
benchmarks measure is the client. It is a raw ``asyncio.Protocol`` (an aiohttp.web server costs several
times more CPU per request than the clients under test) in its own spawned process, pinned to a core
the clients do not use.

Routes:

* ``POST /v1/identity/verification_sessions``      -> the session (create)
* ``GET  /v1/identity/verification_sessions/{id}`` -> the session (retrieve)
* ``GET  /v1/files/{id}/contents``                  -> a 20 MiB body (the download section)
* ``GET  /_bench/stats``                            -> request and connection counters (not counted)
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import http.client
import json
import multiprocessing
import selectors
import time
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any

from . import fixtures, sysinfo

__all__ = ["FILE_SIZE", "StaticServer", "server_stats"]

_PREFIX = b"/v1/identity/verification_sessions"
_FILES_PREFIX = b"/v1/files/"
_STATS_PATH = b"/_bench/stats"
#: The download section's file: the size its target names.
FILE_SIZE = 20 * 1024 * 1024

# The header set of real API responses: a client parses all of them, so the benchmark should too.
_SESSION_HEADERS = (
    b"server: nginx\r\n"
    b"content-type: application/json\r\n"
    b"access-control-allow-credentials: true\r\n"
    b"access-control-allow-methods: GET, HEAD, PUT, PATCH, POST, DELETE\r\n"
    b"access-control-allow-origin: *\r\n"
    b"access-control-expose-headers: Request-Id, Stripe-Manage-Version, Stripe-Should-Retry, "
    b"X-Stripe-External-Auth-Required, X-Stripe-Privileged-Session-Required\r\n"
    b"access-control-max-age: 300\r\n"
    b"cache-control: no-cache, no-store\r\n"
    b"stripe-version: " + fixtures.STRIPE_VERSION.encode() + b"\r\n"
    b"vary: Origin\r\n"
    b"strict-transport-security: max-age=63072000; includeSubDomains; preload\r\n"
    b"connection: keep-alive\r\n"
)
_FILE_HEADERS = (
    b"server: nginx\r\ncontent-type: image/png\r\ncache-control: no-cache, no-store\r\n"
    b"connection: keep-alive\r\n"
)
_NOT_FOUND_BODY = b'{"error": {"type": "invalid_request_error", "code": "resource_missing"}}\n'


def _head(status: bytes, headers: bytes, body: bytes) -> bytes:
    return b"HTTP/1.1 " + status + b"\r\n" + headers + b"content-length: %d\r\n" % len(body)


class _Route:
    __slots__ = ("body", "head")

    def __init__(self, status: bytes, body: bytes, headers: bytes = _SESSION_HEADERS) -> None:
        self.head = _head(status, headers, body)
        self.body = body


_SESSION = _Route(b"200 OK", fixtures.SESSION_BODY)
_NOT_FOUND = _Route(b"404 Not Found", _NOT_FOUND_BODY)
_file: _Route | None = None


def _route(method: bytes, path: bytes) -> _Route:
    global _file
    if method == b"GET" and path.startswith(_FILES_PREFIX) and path.endswith(b"/contents"):
        if _file is None:  # 20 MiB: built on the first download only
            _file = _Route(b"200 OK", bytes(range(256)) * (FILE_SIZE // 256), _FILE_HEADERS)
        return _file
    if method == b"POST" and path == _PREFIX:
        return _SESSION
    rest = path[len(_PREFIX) + 1 :]
    if method == b"GET" and path.startswith(_PREFIX + b"/") and rest and b"/" not in rest:
        return _SESSION
    return _NOT_FOUND


class _State:
    def __init__(self) -> None:
        self.requests = 0
        self.connections_total = 0
        self.date = b""
        self.refresh_date()

    def refresh_date(self) -> None:
        self.date = b"date: " + email.utils.formatdate(usegmt=True).encode() + b"\r\n"

    def stats_body(self) -> bytes:
        return json.dumps(
            {"requests": self.requests, "connections_total": self.connections_total}
        ).encode()


class _HttpProtocol(asyncio.Protocol):
    """Keep-alive HTTP/1.1 with Content-Length bodies: all the clients under test send."""

    def __init__(self, state: _State) -> None:
        self._state = state
        self._buf = b""
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        self._state.connections_total += 1

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None

    def data_received(self, data: bytes) -> None:
        buf = self._buf + data if self._buf else data
        while self._transport is not None:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                break
            head = buf[:end]
            total = end + 4 + _header_int(head, b"content-length")
            if len(buf) < total:
                break  # wait for the rest of the body
            buf = buf[total:]
            self._answer(head)
        self._buf = buf

    def _answer(self, head: bytes) -> None:
        transport = self._transport
        assert transport is not None
        state = self._state
        method, target, _ = head.split(b"\r\n", 1)[0].split(b" ", 2)
        path = target.partition(b"?")[0]
        if path == _STATS_PATH:
            body = state.stats_body()
            transport.write(_head(b"200 OK", b"", body) + b"\r\n" + body)
            return
        route = _route(method, path)
        state.requests += 1
        request_id = b"req_%014d" % state.requests
        extra = b"request-id: " + request_id + b"\r\n" + state.date
        if method == b"POST":
            extra += b"original-request: " + request_id + b"\r\n"
            key = _header(head, b"idempotency-key")
            if key:
                extra += b"idempotency-key: " + key + b"\r\n"
        if route is _file:  # joining 20 MiB would measure a copy, not the client
            transport.write(b"".join((route.head, extra, b"\r\n")))
            transport.write(route.body)
        else:  # one write: the client's reads do not depend on how the server split it
            transport.write(b"".join((route.head, extra, b"\r\n", route.body)))


def _header(head: bytes, name: bytes) -> bytes:
    at = head.lower().find(b"\r\n" + name + b":")
    if at < 0:
        return b""
    start = at + len(name) + 3
    stop = head.find(b"\r\n", start)
    return head[start : stop if stop >= 0 else len(head)].strip()


def _header_int(head: bytes, name: bytes) -> int:
    value = _header(head, name)
    return int(value) if value else 0


class _PollingSelector(selectors.DefaultSelector):
    """Never sleeps: polls (a zero timeout) until something is ready or the timeout has passed.

    A server that sleeps in ``epoll_wait`` must be woken when a request arrives, and on loopback the
    client pays for that wake-up inside its own ``send()``: tens of µs across the vCPUs of a VM, and
    more often the slower the client (the server is idle more of the time), which made any client
    work look about 1.75 times its cost. A polling server is always awake, so a client's CPU per
    request is its own work. The server's own CPU is then its whole core, by design.
    """

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        deadline = None if timeout is None else time.monotonic() + timeout
        poll = super().select
        while True:
            ready: list[tuple[selectors.SelectorKey, int]] = poll(0)
            if ready or (deadline is not None and time.monotonic() >= deadline):
                return ready


def _serve_process(conn: Connection, core: int | None) -> None:
    """Process entry point: serve on a free loopback port until ``conn`` receives anything."""
    sysinfo.pin(core)
    loop = asyncio.SelectorEventLoop(_PollingSelector())
    try:
        loop.run_until_complete(_serve(conn))
    finally:
        loop.close()


async def _serve(conn: Connection) -> None:
    loop = asyncio.get_running_loop()
    state = _State()
    server = await loop.create_server(
        lambda: _HttpProtocol(state), "127.0.0.1", 0, backlog=4096, reuse_address=True
    )
    stop: asyncio.Future[None] = loop.create_future()

    def on_message() -> None:
        if not stop.done():
            stop.set_result(None)

    loop.add_reader(conn.fileno(), on_message)

    def tick() -> None:
        state.refresh_date()
        loop.call_later(1.0, tick)

    tick()
    conn.send(server.sockets[0].getsockname()[1])
    await stop
    server.close()
    await server.wait_closed()


class StaticServer:
    """The server process, seen from the harness: ``with StaticServer(core) as server: server.url``."""

    def __init__(self, core: int | None = None) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(
            target=_serve_process, args=(child, core), name="static-server", daemon=True
        )
        self._proc.start()
        child.close()
        if not self._conn.poll(30):
            self._proc.kill()
            raise RuntimeError("the static server did not start within 30 s")
        self.port: int = self._conn.recv()
        self.url = f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        if self._proc.is_alive():
            with contextlib.suppress(OSError):
                self._conn.send(None)
            self._proc.join(10)
            if self._proc.is_alive():
                self._proc.kill()
                self._proc.join()
        self._conn.close()

    def __enter__(self) -> StaticServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def server_stats(port: int) -> dict[str, Any]:
    """The server's request and connection counters (the stats request itself is not counted)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", _STATS_PATH.decode())
        data: dict[str, Any] = json.loads(conn.getresponse().read())
    finally:
        conn.close()
    return data
