"""The only module that speaks aiohttp: one attempt of one request.

Its contract with the rest of the SDK is small: take a :class:`Request`, return a :class:`Response`
whose body has been read in full (so the connection is back in the pool) or, for a request with a
``sink``, streamed into it; or raise :class:`APIConnectionError` / :class:`APITimeoutError` /
:class:`APIError`. No aiohttp or OS exception leaves this module; a sink's own errors (a full disk, a
file too large) pass through as they are.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
import warnings
from typing import Any

import aiohttp
from yarl import URL

from ._errors import APIConnectionError, APIError, APITimeoutError
from ._proxy import ProxyResolver, mask
from ._response import BodySink, Request, Response

__all__ = ["AiohttpTransport", "DEFAULT_MAX_RESPONSE_BYTES"]

#: Stripe's largest objects are a few kB; a list of 100 stays well under 1 MB.
DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024

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
    ) -> None:
        # What __del__ reads comes first: a constructor that raises (a bad proxy URL) leaves an
        # object that is still collected.
        self._session: aiohttp.ClientSession | None = None
        self._closed = False
        self._max_connections = max_connections
        self._ssl: ssl.SSLContext | bool = ssl_context if ssl_context is not None else True
        self._max_response_bytes = max_response_bytes
        resolver = ProxyResolver(proxy, trust_env)
        self._proxies = resolver if resolver.enabled else None
        self._timeouts: dict[float | None, aiohttp.ClientTimeout] = {}
        self._used_tls = False

    @property
    def closed(self) -> bool:
        return self._closed

    def _open(self) -> aiohttp.ClientSession:
        # A ClientSession belongs to the loop it is created on; this runs inside that loop.
        if self._closed:
            raise RuntimeError("this client is closed: create a new one to send more requests")
        connector = aiohttp.TCPConnector(limit=self._max_connections, ssl=self._ssl)
        self._session = aiohttp.ClientSession(
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
        return self._session

    async def start(self) -> None:
        """Create the session now instead of on the first request."""
        if self._session is None:
            self._open()

    def _timeout(self, seconds: float | None) -> aiohttp.ClientTimeout:
        timeout = self._timeouts.get(seconds)
        if timeout is None:
            # Connecting and each read must progress within ``seconds``; waiting for a free
            # connection in the pool does not count against the attempt.
            timeout = aiohttp.ClientTimeout(total=None, sock_connect=seconds, sock_read=seconds)
            self._timeouts[seconds] = timeout
        return timeout

    async def __call__(self, request: Request) -> Response:
        session = self._session or self._open()
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
                if not self._used_tls and request.url.startswith("https:"):
                    self._used_tls = True
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
        """Close the session and its connections; safe to call more than once."""
        self._closed = True
        session, self._session = self._session, None
        if session is not None:
            await session.close()
            if self._used_tls:
                # Lets SSL transports finish their shutdown so Python does not warn about them.
                await asyncio.sleep(0.25)

    def __del__(self, _warn: Any = warnings.warn) -> None:
        session = self._session
        if session is None or self._closed:
            return
        self._closed = True
        # One warning that says what to do, instead of aiohttp's "Unclosed client session" and the
        # connection objects it lists: close the pool quietly, then name the fix.
        with contextlib.suppress(Exception):
            connector = session.connector
            if connector is not None:
                connector._close()
        _warn(
            "an AsyncStripeIdentity client was never closed: use `async with "
            "AsyncStripeIdentity(...) as client:` or call `await client.aclose()`",
            ResourceWarning,
            source=self,
            stacklevel=2,
        )


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
