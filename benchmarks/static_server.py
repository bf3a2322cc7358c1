"""A static loopback HTTP/1.1 server of the six VerificationSession endpoints.

It answers every request with a pre-serialized body and Stripe's response headers, so what the
benchmarks measure is the client. It is a raw ``asyncio.Protocol`` (no framework: an aiohttp.web server
costs several times more CPU per request) running in its own spawned process, pinned to a core the
client does not use, and it reports its own CPU time so each table can show it was not the bottleneck.

Routes (the API's, plus one for the harness):

* ``POST /v1/identity/verification_sessions``           -> the session (create)
* ``GET  /v1/identity/verification_sessions``           -> a list of three sessions
* ``GET  /v1/identity/verification_sessions/{id}``      -> the session
* ``POST /v1/identity/verification_sessions/{id}``      -> the session (update)
* ``POST /v1/identity/verification_sessions/{id}/cancel`` -> the session, canceled
* ``POST /v1/identity/verification_sessions/{id}/redact`` -> the session, redacted
* ``GET  /v1/files/{id}/contents``                       -> a 20 MiB body (the download benchmark)
* ``GET  /_bench/stats``                                 -> this process's CPU time and counters
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import http.client
import json
import multiprocessing
import resource
import selectors
import time
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any

from . import fixtures, sysinfo

__all__ = ["StaticServer", "serve", "server_stats"]

_PREFIX = b"/v1/identity/verification_sessions"
_STATS_PATH = b"/_bench/stats"

# Header set observed on real API responses (shared/spec/STRIPE_CONVENTIONS.md section 3). Stripe sends
# lowercase names; clients treat names case-insensitively.
_STATIC_HEADERS = (
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

_NOT_FOUND_BODY = (
    json.dumps(
        {
            "error": {
                "code": "resource_missing",
                "message": "Unrecognized request URL. Please see https://stripe.com/docs.",
                "type": "invalid_request_error",
            }
        },
        indent=2,
    )
    + "\n"
).encode()


def _head(status: bytes, body: bytes, headers: bytes = _STATIC_HEADERS) -> bytes:
    return (
        b"HTTP/1.1 "
        + status
        + b"\r\n"
        + headers
        + b"content-length: "
        + str(len(body)).encode()
        + b"\r\n"
    )


#: The download benchmark's file: 20 MiB, the size the target names.
FILE_SIZE = 20 * 1024 * 1024
_FILE_HEADERS = (
    b"server: nginx\r\ncontent-type: image/png\r\ncache-control: no-cache, no-store\r\n"
    b"connection: keep-alive\r\n"
)
_FILES_PREFIX = b"/v1/files/"
_CONTENTS_SUFFIX = b"/contents"


class _Route:
    __slots__ = ("body", "head", "name")

    def __init__(self, name: str, status: bytes, body: bytes, headers: bytes = _STATIC_HEADERS) -> None:
        self.name = name
        self.head = _head(status, body, headers)
        self.body = body


_CREATE = _Route("create", b"200 OK", fixtures.SESSION_BODY)
_LIST = _Route("list", b"200 OK", fixtures.LIST_BODY)
_RETRIEVE = _Route("retrieve", b"200 OK", fixtures.SESSION_BODY)
_UPDATE = _Route("update", b"200 OK", fixtures.SESSION_BODY)
_CANCEL = _Route("cancel", b"200 OK", fixtures.CANCELED_BODY)
_REDACT = _Route("redact", b"200 OK", fixtures.REDACTED_BODY)
_NOT_FOUND = _Route("not_found", b"404 Not Found", _NOT_FOUND_BODY)


_file_route: _Route | None = None


def _contents() -> _Route:
    global _file_route
    if _file_route is None:  # built on the first download only: 20 MiB
        _file_route = _Route(
            "file_contents", b"200 OK", bytes(range(256)) * (FILE_SIZE // 256), _FILE_HEADERS
        )
    return _file_route


def _route(method: bytes, path: bytes) -> _Route:
    if method == b"GET" and path.startswith(_FILES_PREFIX) and path.endswith(_CONTENTS_SUFFIX):
        return _contents()
    if not path.startswith(_PREFIX):
        return _NOT_FOUND
    rest = path[len(_PREFIX) :]
    if not rest:
        return _CREATE if method == b"POST" else _LIST if method == b"GET" else _NOT_FOUND
    parts = rest.split(b"/")
    # rest is "/{id}" or "/{id}/{action}"
    if parts[0] or not parts[1]:
        return _NOT_FOUND
    if len(parts) == 2:
        return _RETRIEVE if method == b"GET" else _UPDATE if method == b"POST" else _NOT_FOUND
    if len(parts) == 3 and method == b"POST":
        return _CANCEL if parts[2] == b"cancel" else _REDACT if parts[2] == b"redact" else _NOT_FOUND
    return _NOT_FOUND


class _State:
    def __init__(self) -> None:
        self.requests = 0
        self.by_route: dict[str, int] = {}
        self.open_connections = 0
        self.max_open_connections = 0
        self.connections_total = 0
        self.date = b""
        self.refresh_date()

    def refresh_date(self) -> None:
        self.date = b"date: " + email.utils.formatdate(usegmt=True).encode() + b"\r\n"

    def stats_body(self) -> bytes:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return json.dumps(
            {
                "cpu_s": usage.ru_utime + usage.ru_stime,
                "requests": self.requests,
                "by_route": self.by_route,
                "open_connections": self.open_connections,
                "max_open_connections": self.max_open_connections,
                "connections_total": self.connections_total,
            }
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
        state = self._state
        state.open_connections += 1
        state.connections_total += 1
        state.max_open_connections = max(state.max_open_connections, state.open_connections)

    def connection_lost(self, exc: Exception | None) -> None:
        self._state.open_connections -= 1
        self._transport = None

    def data_received(self, data: bytes) -> None:
        buf = self._buf + data if self._buf else data
        transport = self._transport
        state = self._state
        while transport is not None:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                break
            head = buf[:end]
            lower = head.lower()
            length = 0
            at = lower.find(b"\r\ncontent-length:")
            if at >= 0:
                stop = lower.find(b"\r\n", at + 2)
                length = int(head[at + 17 : stop if stop >= 0 else len(head)])
            total = end + 4 + length
            if len(buf) < total:
                break  # wait for the rest of the body
            buf = buf[total:]
            line_end = head.find(b"\r\n")
            method, target, _ = head[: line_end if line_end >= 0 else len(head)].split(b" ", 2)
            path = target.partition(b"?")[0]
            if path == _STATS_PATH:
                body = state.stats_body()
                transport.write(_head(b"200 OK", body) + b"\r\n" + body)
                continue
            route = _route(method, path)
            state.requests += 1
            state.by_route[route.name] = state.by_route.get(route.name, 0) + 1
            request_id = b"req_%014d" % state.requests
            extra = b"request-id: " + request_id + b"\r\n" + state.date
            if method == b"POST":
                extra += b"original-request: " + request_id + b"\r\n"
                at = lower.find(b"\r\nidempotency-key:")
                if at >= 0:
                    stop = lower.find(b"\r\n", at + 2)
                    key = head[at + 18 : stop if stop >= 0 else len(head)].strip()
                    extra += b"idempotency-key: " + key + b"\r\n"
            if route is _file_route:  # no 20 MiB join: the head, then the body as it is
                transport.write(b"".join((route.head, extra, b"\r\n")))
                transport.write(route.body)
            else:
                transport.write(b"".join((route.head, extra, b"\r\n", route.body)))
            if b"\r\nconnection: close" in lower:
                transport.close()
                break
        self._buf = buf


class _PollingSelector(selectors.DefaultSelector):
    """Never sleeps: polls (a zero timeout) until something is ready or the timeout has passed.

    A server that sleeps in ``epoll_wait`` between requests must be woken by the kernel when a request
    arrives, and on loopback the client pays for that wake-up inside its ``send()``: across vCPUs of a
    VM it costs tens of µs, and more often the slower the client is (the server is idle more of the
    time). A polling server is always awake, so a client's CPU per request is its own work only.
    """

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        deadline = None if timeout is None else time.monotonic() + timeout
        poll = super().select
        while True:
            ready: list[tuple[selectors.SelectorKey, int]] = poll(0)
            if ready or (deadline is not None and time.monotonic() >= deadline):
                return ready


def serve(conn: Connection, core: int | None, poll: bool = False) -> None:
    """Process entry point: serve on a free loopback port until ``conn`` receives anything."""
    sysinfo.pin(core)
    if poll:
        loop = asyncio.SelectorEventLoop(_PollingSelector())
        try:
            loop.run_until_complete(_serve(conn))
        finally:
            loop.close()
    else:
        asyncio.run(_serve(conn))


async def _serve(conn: Connection) -> None:
    loop = asyncio.get_running_loop()
    state = _State()
    server = await loop.create_server(
        lambda: _HttpProtocol(state), "127.0.0.1", 0, backlog=4096, reuse_address=True
    )
    port = server.sockets[0].getsockname()[1]
    stop: asyncio.Future[None] = loop.create_future()

    def on_message() -> None:
        if not stop.done():
            stop.set_result(None)

    loop.add_reader(conn.fileno(), on_message)

    def tick() -> None:
        state.refresh_date()
        loop.call_later(1.0, tick)

    tick()
    conn.send(port)
    await stop
    server.close()
    await server.wait_closed()


class StaticServer:
    """The server process, seen from the harness: ``with StaticServer(core) as server: server.url``."""

    def __init__(self, core: int | None = None, poll: bool = True) -> None:
        """``poll``: busy-poll instead of sleeping between requests (see ``_PollingSelector``)."""
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self.poll = poll
        self._proc = ctx.Process(
            target=serve, args=(child, core, poll), name="static-server", daemon=True
        )
        self._proc.start()
        child.close()
        if not self._conn.poll(30):
            self._proc.kill()
            raise RuntimeError("the static server did not start within 30 s")
        self.port: int = self._conn.recv()
        self.url = f"http://127.0.0.1:{self.port}"
        self.core = core

    @property
    def pid(self) -> int | None:
        return self._proc.pid

    def stats(self) -> dict[str, Any]:
        """The server's own CPU time and counters (the stats request itself is not counted)."""
        return server_stats(self.port)

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
    """:meth:`StaticServer.stats` for code in another process that only knows the port."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", _STATS_PATH.decode())
        data: dict[str, Any] = json.loads(conn.getresponse().read())
    finally:
        conn.close()
    return data
