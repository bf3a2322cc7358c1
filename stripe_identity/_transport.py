"""The only module that speaks aiohttp: one attempt of one request.

Its contract with the rest of the SDK is small: take a :class:`Request`, return a :class:`Response`
whose body has been read in full (so the connection is back in the pool) or, for a request with a
``sink``, streamed into it; or raise :class:`APIConnectionError` / :class:`APITimeoutError` /
:class:`APIError`. No aiohttp or OS exception leaves this module; a sink's own errors (a full disk, a
file too large) pass through as they are.

The connection pool belongs to the event loop it was opened on. A transport follows the loop it is
called from: when that loop has changed because the old one ended (``asyncio.run`` twice, a new loop
per test), a new pool is opened on the new loop. The old pool has already been closed by then: each
pool registers an async generator with its loop, and every standard runner (``asyncio.run``,
``asyncio.Runner``, anyio, the pytest plugins) closes those as the loop shuts down. Two loops
running at once cannot share a pool: that is :class:`EventLoopError`. Each pool keeps the per-read
timeouts of its connections itself (:mod:`._read_deadlines`), with one timer for all of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import ssl
import time
import warnings
from collections.abc import AsyncGenerator
from typing import Any

from yarl import URL

from . import _tls
from ._defaults import DEFAULT_MAX_RESPONSE_BYTES
from ._errors import APIConnectionError, APIError, APITimeoutError, EventLoopError
from ._proxy import ProxyResolver, mask
from ._read_deadlines import ReadDeadlines
from ._response import BodySink, Request, Response

# aiohttp's default TLS contexts load the CA bundle on their first handshake, not at this import.
with _tls.deferred_ca_loading():
    import aiohttp
    from aiohttp.client_proto import ResponseHandler

__all__ = ["AIOHTTP_VERSION", "AiohttpTransport"]

AIOHTTP_VERSION: str = aiohttp.__version__

_CHUNK = 64 * 1024


class _SinkFailed(Exception):
    """Carries an exception a body sink raised past the transport's error mapping."""

    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self.error = error


class AiohttpTransport:
    """Sends requests through one ``aiohttp.ClientSession`` created on the running loop."""

    def __init__(
        self,
        *,
        max_connections: int = 100,
        ssl_context: ssl.SSLContext | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        proxy: str | None = None,
        trust_env: bool = True,
        uses_tls: bool = True,
    ) -> None:
        """``uses_tls``: whether the client's URLs are ``https``, so that the pool loads the CA
        certificates on a worker thread as it opens (``_tls``), not in the event loop."""
        # What __del__ reads comes first: a constructor that raises (a bad proxy URL) leaves an
        # object that is still collected.
        self._pool: _Pool | None = None
        self._closed = False
        self._max_connections = max_connections
        self._ssl: ssl.SSLContext | bool = ssl_context if ssl_context is not None else True
        self._preload_cas = uses_tls and ssl_context is None
        self._max_response_bytes = max_response_bytes
        resolver = ProxyResolver(proxy, trust_env)
        self._proxies = resolver if resolver.enabled else None
        self._timeouts: dict[float | None, aiohttp.ClientTimeout] = {}

    @property
    def closed(self) -> bool:
        return self._closed

    async def _open(self) -> _Pool:
        """The pool of the running loop: the current one, or a new one if the loop changed."""
        if self._closed:
            raise RuntimeError("this client is closed: create a new one to send more requests")
        loop = asyncio.get_running_loop()
        old = self._pool
        if old is not None and old.loop is loop and not old.closed:
            return old
        if old is not None and not old.closed:
            if old.loop.is_running():
                raise EventLoopError(
                    "this AsyncStripeIdentity client's connections belong to an event loop that "
                    "is still running in another thread. Create one client per event loop, or use "
                    "the sync StripeIdentity client from threads: it runs one loop for all of them."
                )
            old.drop()  # its loop stopped without closing it (a hand-run loop.close())
        if self._preload_cas and _tls.pending():
            # aiohttp's default context would read the CA bundle from disk inside the loop.
            await loop.run_in_executor(None, _tls.load_deferred)
        deadlines = ReadDeadlines(loop)
        pool = _Pool(self._new_session(deadlines), deadlines)
        self._pool = pool
        await pool.arm()
        return pool

    def _new_session(self, deadlines: ReadDeadlines) -> aiohttp.ClientSession:
        # A ClientSession belongs to the loop it is created on; this runs inside that loop.
        connector = aiohttp.TCPConnector(limit=self._max_connections, ssl=self._ssl)
        if _OWN_READ_TIMEOUTS and hasattr(connector, "_factory"):
            # mypy holds partial invariant; a _Connection is a ResponseHandler.
            connector._factory = functools.partial(_Connection, deadlines)  # type: ignore[assignment]
        session = aiohttp.ClientSession(
            connector=connector,
            # Cookies are meaningless to the API and cost a jar update per response.
            cookie_jar=aiohttp.DummyCookieJar(),
            # Timeouts are per attempt (see _timeout); the session-wide total would also count the
            # time spent queueing for a pooled connection.
            timeout=aiohttp.ClientTimeout(total=None),
            raise_for_status=False,
            # Proxies come from our own resolver (once per origin); aiohttp's trust_env would read
            # the environment and ~/.netrc in a worker thread on every request.
            trust_env=False,
        )
        # aiohttp resends a GET or DELETE once, on its own, when a pooled connection turns out to
        # be dead; the SDK's retry middleware does that instead, counted against max_retries (so
        # max_retries=0 is one attempt on the wire). A private switch, read since aiohttp 3.11.
        session._retry_connection = False
        return session

    async def start(self) -> None:
        """Open the connection pool on the running loop now instead of on the first request."""
        await self._open()

    def _timeout(self, seconds: float | None) -> aiohttp.ClientTimeout:
        timeout = self._timeouts.get(seconds)
        if timeout is None:
            # Connecting and each read must progress within ``seconds``; waiting for a free
            # connection in the pool does not count against the attempt.
            timeout = aiohttp.ClientTimeout(total=None, sock_connect=seconds, sock_read=seconds)
            self._timeouts[seconds] = timeout
        return timeout

    async def __call__(self, request: Request) -> Response:
        pool = self._pool
        if pool is None or pool.loop is not asyncio.get_running_loop() or pool.closed:
            pool = await self._open()
        session = pool.session
        started = time.perf_counter()
        proxy = self._proxies.for_url(request.url) if self._proxies is not None else None
        headers = request.headers
        if proxy is not None and proxy.headers is not None and not request.url.startswith("https:"):
            # aiohttp sends ``proxy_headers`` only with a CONNECT (https targets); a plain http
            # request goes to the proxy itself, so it must carry the credentials.
            headers = {**headers, **proxy.headers}
        try:
            async with session.request(
                request.method,
                # The SDK builds URLs already escaped; skipping yarl's re-quoting saves time per call.
                URL(request.url, encoded=True),
                data=request.body,
                headers=headers,
                allow_redirects=False,
                timeout=self._timeout(request.timeout),
                proxy=proxy.url if proxy is not None else None,
                proxy_headers=proxy.headers if proxy is not None else None,
            ) as resp:
                length = resp.content_length
                if request.sink is not None and 200 <= resp.status < 300:
                    await _stream(resp, request.sink)
                    body = b""
                elif length is not None and length <= self._max_response_bytes:
                    body = await resp.read()  # the usual case, without another coroutine
                else:
                    body = await self._read_big_body(resp, request, length)
                if not pool.used_tls and request.url.startswith("https:"):
                    pool.used_tls = True
                elapsed = time.perf_counter() - started
                return Response(resp.status, resp.headers, body, request, elapsed)
        except _SinkFailed as failed:
            raise failed.error from None
        except APIError:
            raise
        except asyncio.TimeoutError as exc:
            raise APITimeoutError(
                f"{request.method} {request.path} timed out after {request.timeout}s",
                idempotency_key=request.idempotency_key,
            ) from exc
        except (
            aiohttp.ClientConnectorCertificateError,
            aiohttp.ClientSSLError,
            ssl.SSLError,
        ) as exc:
            # A certificate problem does not go away on a retry, and must not be papered over.
            raise APIConnectionError(
                f"TLS error talking to the API ({request.method} {request.path}): {exc}",
                should_retry=False,
                idempotency_key=request.idempotency_key,
            ) from exc
        except aiohttp.ClientHttpProxyError as exc:
            # Raised below, outside this block, so that it is neither the cause nor the context of
            # the error: its request_info holds the CONNECT's headers, Proxy-Authorization included,
            # which any repr of the chain (a debugger, an error tracker) would show.
            refusal = f"the proxy answered {exc.status} {exc.message}"
            # Wrong or missing proxy credentials (407) will not be right on the next attempt.
            retry = exc.status != 407
        except aiohttp.InvalidURL as exc:
            raise APIConnectionError(
                f"invalid URL for {request.method} {request.path}: {mask(str(exc))}",
                should_retry=False,
                idempotency_key=request.idempotency_key,
            ) from exc
        except (aiohttp.ClientError, OSError) as exc:
            via = f" (via proxy {proxy.url})" if proxy is not None else ""
            raise APIConnectionError(
                f"could not complete {request.method} {request.path}{via}: "
                f"{type(exc).__name__}: {mask(str(exc))}",
                idempotency_key=request.idempotency_key,
            ) from exc
        via = f" (via proxy {proxy.url})" if proxy is not None else ""
        raise APIConnectionError(
            f"could not complete {request.method} {request.path}{via}: {refusal}",
            should_retry=retry,
            idempotency_key=request.idempotency_key,
        )

    async def _read_big_body(
        self, resp: aiohttp.ClientResponse, request: Request, length: int | None
    ) -> bytes:
        """A body of unknown length (chunked), read up to the limit; or a refusal."""
        limit = self._max_response_bytes
        if length is not None:
            resp.close()  # do not drain a body we refuse: drop the connection instead
            raise self._too_large(resp, request)
        chunks = []
        size = 0
        async for chunk in resp.content.iter_chunked(_CHUNK):
            size += len(chunk)
            if size > limit:
                resp.close()
                raise self._too_large(resp, request)
            chunks.append(chunk)
        return b"".join(chunks)

    def _too_large(self, resp: aiohttp.ClientResponse, request: Request) -> APIError:
        return APIError(
            f"the response to {request.method} {request.path} exceeds "
            f"{self._max_response_bytes} bytes and was refused",
            http_status=resp.status,
            request_id=resp.headers.get("Request-Id"),
            headers=resp.headers,
            idempotency_key=request.idempotency_key,
        )

    async def aclose(self) -> None:
        """Close the session and its connections; safe to call more than once, from any loop."""
        self._closed = True
        pool, self._pool = self._pool, None
        if pool is None or pool.closed:
            return
        running = asyncio.get_running_loop()
        if pool.loop is running:
            await pool.aclose()
        elif pool.loop.is_running():  # opened on a loop that still runs in another thread
            await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(pool.aclose(), pool.loop))
        else:
            pool.drop()

    def __del__(self, _warn: Any = warnings.warn, _getpid: Any = os.getpid) -> None:
        pool = getattr(self, "_pool", None)
        if pool is None or pool.closed:
            return  # closed, or closed by its loop's end: nothing is left open
        if pool.pid != _getpid():
            # A forked child's copy of its parent's pool: its sockets and the loop's selector are
            # the parent's too, and closing them here would unregister them from under the parent.
            return
        # One warning that says what to do, instead of aiohttp's "Unclosed client session" and the
        # connection objects it lists: close the pool quietly, then name the fix.
        pool.drop()
        _warn(
            "an AsyncStripeIdentity client was never closed: use `async with "
            "AsyncStripeIdentity(...) as client:` or call `await client.aclose()`",
            ResourceWarning,
            source=self,
            stacklevel=2,
        )


class _Pool:
    """One ``ClientSession`` on one event loop, closed by the client or, failing that, by its loop.

    :meth:`arm` starts an async generator on the loop; the loop keeps a weak reference to it, and its
    shutdown (``loop.shutdown_asyncgens()``, which ``asyncio.run`` and every runner call) closes it,
    which closes the session while the loop can still close sockets. :meth:`aclose` does the same
    on demand. :meth:`drop` is the last resort when the loop no longer runs: the connections are
    closed without waiting, as aiohttp's own finaliser would.
    """

    def __init__(self, session: aiohttp.ClientSession, deadlines: ReadDeadlines) -> None:
        self.session = session
        self.deadlines = deadlines
        self.loop = deadlines.loop
        self.pid = os.getpid()
        self.used_tls = False
        self.closed = False
        self._dropping = False
        self._guard = self._until_closed()

    async def arm(self) -> None:
        await self._guard.__anext__()  # runs to its yield at once; the loop now knows of it

    async def aclose(self) -> None:
        await self._guard.aclose()

    def drop(self) -> None:
        """Close without a running loop: finish the guard synchronously."""
        self._dropping = True
        closing = self._guard.aclose()
        with contextlib.suppress(StopIteration):
            closing.send(None)
        self._abandon()  # if the guard never started, its finally did not run

    async def _until_closed(self) -> AsyncGenerator[None, None]:
        try:
            yield
        finally:
            self.closed = True
            self.deadlines.close()
            if self._dropping:
                self._abandon()
            else:
                await self.session.close()
                if self.used_tls:
                    # Lets SSL transports finish their shutdown so Python does not warn about them.
                    await asyncio.sleep(0.25)

    def _abandon(self) -> None:
        self.closed = True
        self.deadlines.close()
        connector = self.session.connector
        if connector is not None and not connector.closed:
            with contextlib.suppress(Exception):
                connector._close()  # closes each socket's transport, no await needed


# The hooks _Connection overrides: aiohttp's own, the same from 3.11 (the oldest supported) to 3.14;
# an aiohttp without them gets its stock protocol, and its timer per read.
_OWN_READ_TIMEOUTS = all(
    callable(getattr(ResponseHandler, name, None))
    for name in ("_reschedule_timeout", "_drop_timeout", "_on_read_timeout")
)


class _Connection(ResponseHandler):
    """aiohttp's protocol for one connection, its read timeout kept by the pool's
    :class:`ReadDeadlines` instead of an event-loop timer per read (``sock_read`` is unchanged)."""

    def __init__(self, deadlines: ReadDeadlines) -> None:
        self._deadlines = deadlines  # first: aiohttp's own __init__ may drop a timeout
        super().__init__(deadlines.loop)

    def _reschedule_timeout(self) -> None:
        seconds = self._read_timeout
        if seconds:
            self._deadlines.arm(self, seconds)
        else:
            self._deadlines.disarm(self)

    def _drop_timeout(self) -> None:
        self._deadlines.disarm(self)

    def read_timed_out(self) -> None:
        self._on_read_timeout()


async def _stream(resp: aiohttp.ClientResponse, sink: BodySink) -> None:
    """Hand a success body to ``sink`` chunk by chunk; the sink's own errors pass through as they are."""
    try:
        await sink.start(resp.content_length)
    except Exception as exc:
        resp.close()  # do not drain a body we refuse
        raise _SinkFailed(exc) from None
    # Whatever the socket delivered, as it is: iter_chunked(n) slices the reader's buffer into copies
    # of n bytes, one more copy of the whole file.
    async for chunk in resp.content.iter_any():
        try:
            await sink.write(chunk)
        except Exception as exc:
            resp.close()
            raise _SinkFailed(exc) from None
