"""``AsyncStripeIdentity``: configuration, the request pipeline, and the services on top of it."""

from __future__ import annotations

import ipaddress
import ssl
from collections.abc import Sequence
from types import TracebackType
from urllib.parse import urlsplit

from ._middleware import Middleware, build_chain, idempotency_middleware
from ._reports import AsyncVerificationReportService
from ._requestor import Requestor
from ._retry import RetryMiddleware, RetryPolicy
from ._sessions import AsyncVerificationSessionService
from ._transport import DEFAULT_MAX_RESPONSE_BYTES, AiohttpTransport

__all__ = ["AsyncStripeIdentity", "DEFAULT_API_BASE"]

DEFAULT_API_BASE = "https://api.stripe.com"


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_api_base(api_base: str, allow_insecure_http: bool) -> str:
    parts = urlsplit(api_base)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"api_base must be an http(s) URL with a host, not {api_base!r}")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError("api_base must not carry credentials, a query or a fragment")
    if parts.scheme == "http" and not allow_insecure_http and not _is_loopback(parts.hostname):
        raise ValueError(
            f"refusing plain http:// to {parts.hostname}: the API key would travel in clear text. "
            "Use https://, or pass allow_insecure_http=True if you really mean it."
        )
    return api_base


class AsyncStripeIdentity:
    """The async client. Use it as ``async with AsyncStripeIdentity(...) as client:``.

    Args:
        api_key: secret or restricted key; defaults to the ``STRIPE_API_KEY`` environment variable.
            Without one, each call raises :class:`AuthenticationError` before sending anything.
        api_base: where the API lives; an emulator's ``api_base`` for local work.
        stripe_version: the ``Stripe-Version`` header (default: the spec's ``2026-09-30.endive``).
        stripe_account: a connected account id, sent as ``Stripe-Account``.
        max_retries: retries after the first attempt (see :class:`RetryPolicy`).
        timeout: seconds each attempt may spend connecting or waiting for data.
        max_connections: size of the connection pool; more concurrent calls queue for a connection.
        middlewares: ``async (request, call_next) -> response`` callables, run once per attempt,
            outermost first.
        retry_policy: backoff settings; ``RetryPolicy.no_wait()`` in tests.
        ssl_context: TLS settings (a private CA, say); certificates are verified by default.
        allow_insecure_http: allow ``http://`` to hosts other than loopback.
        max_response_bytes: larger responses are refused with :class:`APIError`.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        api_base: str = DEFAULT_API_BASE,
        stripe_version: str | None = None,
        stripe_account: str | None = None,
        max_retries: int = 2,
        timeout: float = 80.0,
        max_connections: int = 100,
        middlewares: Sequence[Middleware] = (),
        retry_policy: RetryPolicy | None = None,
        ssl_context: ssl.SSLContext | None = None,
        allow_insecure_http: bool = False,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        if not isinstance(max_retries, int) or max_retries < 0:
            raise ValueError(f"max_retries must be a non-negative int, not {max_retries!r}")
        if not timeout > 0:
            raise ValueError(f"timeout must be a positive number of seconds, not {timeout!r}")
        if not isinstance(max_connections, int) or max_connections < 1:
            raise ValueError(f"max_connections must be a positive int, not {max_connections!r}")
        self._api_base = _check_api_base(api_base, allow_insecure_http)
        self._transport = AiohttpTransport(
            max_connections=max_connections,
            ssl_context=ssl_context,
            max_response_bytes=max_response_bytes,
        )
        self.retry_policy = retry_policy if retry_policy is not None else RetryPolicy()
        handler = build_chain(
            [idempotency_middleware, RetryMiddleware(self.retry_policy), *middlewares],
            self._transport,
        )
        requestor = Requestor(
            api_key=api_key,
            api_base=api_base,
            stripe_version=stripe_version,
            stripe_account=stripe_account,
            max_retries=max_retries,
            timeout=timeout,
            handler=handler,
        )
        self.verification_sessions = AsyncVerificationSessionService(requestor)
        self.verification_reports = AsyncVerificationReportService(requestor)

    @property
    def api_base(self) -> str:
        return self._api_base

    @property
    def closed(self) -> bool:
        return self._transport.closed

    def __repr__(self) -> str:
        return f"{type(self).__name__}(api_base={self._api_base!r})"

    async def __aenter__(self) -> AsyncStripeIdentity:
        await self._transport.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool. Safe to call twice; later calls raise ``RuntimeError``."""
        await self._transport.aclose()
