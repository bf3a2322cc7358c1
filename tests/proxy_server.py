"""A small forward proxy on 127.0.0.1, for tests of the SDK's proxy support.

    async with ForwardProxy(auth=("user", "pa@ss")) as proxy:
        client = AsyncStripeIdentity(..., proxy=proxy.url_with("user:pa%40ss"))

It speaks the two things clients ask of a forward proxy: ``CONNECT host:port`` (a byte tunnel, what
clients use for https targets) and absolute-URI requests (``GET http://host/path``, for http
targets, forwarded one per connection with ``Connection: close``). With ``ssl_context`` it is an
https proxy: clients speak TLS to it (and, for https targets, TLS again inside the tunnel).

With ``auth`` it wants a matching Basic ``Proxy-Authorization`` and answers ``407`` otherwise.
``mode`` picks a failure for every request: ``"refuse"`` answers ``403``, ``"drop"`` closes the
connection without answering. It records what it saw: the request lines, the CONNECT targets, the
``Proxy-Authorization`` values, the tunnels opened, the URIs forwarded.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import ssl
from types import TracebackType
from typing import Literal
from urllib.parse import urlsplit

__all__ = ["ForwardProxy", "Mode"]

Mode = Literal["forward", "refuse", "drop"]

_CHUNK = 64 * 1024
_HEAD_LIMIT = 64 * 1024
# Hop-by-hop headers a proxy does not pass on (RFC 9110, 7.6.1), and the ones it consumes.
_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authorization",
        "proxy-authenticate",
        "proxy-connection",
        "te",
        "trailer",
        "upgrade",
    }
)


class _BadRequest(Exception):
    pass


class ForwardProxy:
    """An asyncio forward proxy; start and stop it with ``async with``."""

    def __init__(
        self,
        *,
        auth: tuple[str, str] | None = None,
        mode: Mode = "forward",
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.auth = auth
        self.mode: Mode = mode
        self.ssl_context = ssl_context
        #: Every request line received ("CONNECT 127.0.0.1:443 HTTP/1.1", "GET http://... HTTP/1.1").
        self.requests: list[str] = []
        #: The target of every CONNECT received ("127.0.0.1:443"), answered or not.
        self.connects: list[str] = []
        #: The ``Proxy-Authorization`` header of every request received (None when absent).
        self.authorizations: list[str | None] = []
        #: Absolute URIs forwarded (plain http targets).
        self.forwarded: list[str] = []
        #: Tunnels established (CONNECTs answered 200).
        self.tunnels = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    # --- lifecycle ---------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the proxy is not running")
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    @property
    def url(self) -> str:
        """The proxy's URL, without credentials (``https://`` when it serves TLS)."""
        return f"{self._scheme}://127.0.0.1:{self.port}"

    def url_with(self, userinfo: str) -> str:
        """The proxy's URL with ``userinfo`` ("user:password", already percent-encoded) in it."""
        return f"{self._scheme}://{userinfo}@127.0.0.1:{self.port}"

    @property
    def _scheme(self) -> str:
        return "https" if self.ssl_context is not None else "http"

    @property
    def credentials(self) -> list[str | None]:
        """Each request's Basic credentials, decoded ("user:password"); None where there were none."""
        decoded: list[str | None] = []
        for value in self.authorizations:
            scheme, _, token = (value or "").partition(" ")
            ok = value is not None and scheme.lower() == "basic"
            decoded.append(base64.b64decode(token).decode("utf-8") if ok else None)
        return decoded

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            self._accept, "127.0.0.1", 0, limit=_HEAD_LIMIT, ssl=self.ssl_context
        )

    async def aclose(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        # Closing every socket ends every relay (its reads see EOF); then the handlers finish.
        for writer in list(self._writers):
            writer.close()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        await server.wait_closed()

    async def __aenter__(self) -> ForwardProxy:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # --- one client connection ---------------------------------------------------------------------

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._writers.add(writer)
        upstream: asyncio.StreamWriter | None = None
        try:
            upstream = await self._serve(reader, writer)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, _BadRequest):
            pass  # the client went away, or sent something this proxy does not speak
        finally:
            for each in (writer, upstream):
                if each is not None:
                    await _close(each)
                    self._writers.discard(each)
            self._tasks.discard(task)

    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> asyncio.StreamWriter | None:
        """Answer one request; returns the upstream connection it opened, for closing."""
        request_line, headers = _parse_head(await reader.readuntil(b"\r\n\r\n"))
        method, target, _ = request_line.split(" ", 2)
        self.requests.append(request_line)
        self.authorizations.append(headers.get("proxy-authorization"))
        if method == "CONNECT":
            self.connects.append(target)
        if self.mode == "drop":
            return None
        if self.mode == "refuse":
            await _answer(writer, 403, "Forbidden")
            return None
        if self.auth is not None and headers.get("proxy-authorization") != _basic(*self.auth):
            await _answer(writer, 407, "Proxy Authentication Required", 'Basic realm="test proxy"')
            return None
        if method == "CONNECT":
            return await self._tunnel(target, reader, writer)
        return await self._forward(method, target, headers, reader, writer)

    async def _tunnel(
        self, target: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> asyncio.StreamWriter | None:
        host, _, port = target.rpartition(":")
        try:
            up_reader, up_writer = await asyncio.open_connection(host.strip("[]"), int(port))
        except (OSError, ValueError):
            await _answer(writer, 502, "Bad Gateway")
            return None
        self._writers.add(up_writer)
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await writer.drain()
        self.tunnels += 1
        await _relay(reader, writer, up_reader, up_writer)
        return up_writer

    async def _forward(
        self,
        method: str,
        target: str,
        headers: dict[str, str],
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> asyncio.StreamWriter | None:
        url = urlsplit(target)
        if url.scheme != "http" or not url.hostname:
            await _answer(writer, 400, "Bad Request")
            return None
        if "chunked" in headers.get("transfer-encoding", "").lower():
            await _answer(writer, 411, "Length Required")  # the SDK always sends a length
            return None
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        try:
            up_reader, up_writer = await asyncio.open_connection(url.hostname, url.port or 80)
        except OSError:
            await _answer(writer, 502, "Bad Gateway")
            return None
        self._writers.add(up_writer)
        self.forwarded.append(target)
        path = (url.path or "/") + (f"?{url.query}" if url.query else "")
        lines = [f"{method} {path} HTTP/1.1"]
        lines += [f"{name}: {value}" for name, value in headers.items() if name not in _HOP_BY_HOP]
        lines.append("Connection: close")
        up_writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        await up_writer.drain()
        # The answer goes back as it came, but with "Connection: close": one request per connection.
        status_line, reply_headers = _parse_head(await up_reader.readuntil(b"\r\n\r\n"))
        lines = [status_line]
        lines += [f"{name}: {value}" for name, value in reply_headers.items() if name != "connection"]
        lines.append("Connection: close")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        await _pump(up_reader, writer)
        return up_writer


def _parse_head(head: bytes) -> tuple[str, dict[str, str]]:
    """The first line and the headers (names lowercased) of a request or response head."""
    first, *rest = head.decode("latin-1").split("\r\n")
    if first.count(" ") < 2:
        raise _BadRequest(first)
    headers = {}
    for line in rest:
        if line:
            name, sep, value = line.partition(":")
            if not sep:
                raise _BadRequest(line)
            headers[name.strip().lower()] = value.strip()
    return first, headers


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


async def _answer(
    writer: asyncio.StreamWriter, status: int, reason: str, authenticate: str | None = None
) -> None:
    lines = [f"HTTP/1.1 {status} {reason}", "Content-Length: 0", "Connection: close"]
    if authenticate is not None:
        lines.append(f"Proxy-Authenticate: {authenticate}")
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
    await writer.drain()


async def _pump(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    """Copy ``source`` into ``sink`` until EOF or a reset on either side."""
    with contextlib.suppress(OSError):
        while data := await source.read(_CHUNK):
            sink.write(data)
            await sink.drain()


async def _relay(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    up_reader: asyncio.StreamReader,
    up_writer: asyncio.StreamWriter,
) -> None:
    """Both directions of a tunnel, until either side closes (HTTP needs no half-closed tunnel)."""
    pumps = {
        asyncio.ensure_future(_pump(reader, up_writer)),
        asyncio.ensure_future(_pump(up_reader, writer)),
    }
    try:
        await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for pump in pumps:
            pump.cancel()
        await asyncio.gather(*pumps, return_exceptions=True)


async def _close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
