"""``AsyncStripeIdentity``: configuration, the request pipeline, and the services on top of it."""

from __future__ import annotations

import functools
import ssl
import sys
from collections.abc import Iterable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ._defaults import (
    DEFAULT_API_BASE,
    DEFAULT_FILES_BASE,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
)
from ._headers import AppInfo
from ._logging import configure_from_env
from ._middleware import Middleware
from ._models import RawObject
from ._options import RequestOptions
from ._requestor import Base, Requestor
from ._retry import RetryPolicy
from ._settings import Settings, ViewOptions
from ._transport import AIOHTTP_VERSION, AiohttpTransport

if TYPE_CHECKING:
    from ._limiter import Limiter
    from ._resources import (
        AsyncEphemeralKeyService,
        AsyncEventService,
        AsyncFileLinkService,
        AsyncFileService,
        AsyncJobService,
        AsyncThinEventService,
        AsyncVerificationReportService,
        AsyncVerificationSessionService,
    )

    if sys.version_info >= (3, 11):
        from typing import Unpack
    else:
        from typing_extensions import Unpack

__all__ = ["DEFAULT_API_BASE", "DEFAULT_FILES_BASE", "AsyncStripeIdentity"]


class AsyncStripeIdentity:
    """The async client. Use it as ``async with AsyncStripeIdentity(...) as client:``.

    Args:
        api_key: secret or restricted key; defaults to the ``STRIPE_API_KEY`` environment variable.
            Without one (or with an empty one), each call raises :class:`AuthenticationError`
            before sending anything.
        api_base: where the API lives: ``$STRIPE_API_BASE`` if set, else ``https://api.stripe.com``.
            An emulator's ``api_base`` for local work.
        files_base: where file contents live: ``$STRIPE_FILES_BASE`` if set, else ``api_base``
            when that is not Stripe's (an emulator serves both), else ``https://files.stripe.com``.
        stripe_version: the ``Stripe-Version`` header (default: the spec's ``2026-09-30.endive``).
        stripe_account: a connected account id, sent as ``Stripe-Account``.
        stripe_context: sent as ``Stripe-Context`` (organization API keys).
        max_retries: retries after the first attempt (see :class:`RetryPolicy`).
        timeout: seconds each attempt may spend connecting or waiting for data.
        max_connections: size of the connection pool; more concurrent calls queue for a connection.
        middlewares: ``async (request, call_next) -> response`` callables, run once per attempt,
            outermost first.
        operation_middlewares: the same, run once per call around all its attempts (tracing spans
            for a whole operation, say).
        retry_policy: backoff settings; ``RetryPolicy.no_wait()`` in tests.
        ssl_context: TLS settings (a private CA, say); certificates are verified by default.
        allow_insecure_http: plain ``http://`` is refused except to loopback; name the hosts it may
            reach (``"emulator"`` in a Compose network, say), or ``True`` for any. Default:
            ``$STRIPE_INSECURE_HTTP_HOSTS`` (comma-separated), else none.
        max_response_bytes: larger responses are refused with :class:`APIError`.
        proxy: an ``http://`` or ``https://`` proxy URL, credentials included if needed.
        trust_env: without ``proxy``, honour ``HTTPS_PROXY``, ``HTTP_PROXY`` and ``NO_PROXY``.
        default_headers: headers added to every request.
        app_info: your plugin's name, version, url and partner id, for Stripe's attribution.
        client_user_agent: send ``X-Stripe-Client-User-Agent`` (this SDK's and Python's versions).
        rate_limit: pace attempts (retries included) at this many per second, in arrival order;
            or any :class:`Limiter` (an :class:`AdaptiveRateLimiter`, one of your own). Shared by
            ``with_options`` views and by every thread of a sync client. Off by default.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        api_base: str | None = None,
        files_base: str | None = None,
        stripe_version: str | None = None,
        stripe_account: str | None = None,
        stripe_context: str | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        timeout: float = DEFAULT_TIMEOUT,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        middlewares: Sequence[Middleware] = (),
        operation_middlewares: Sequence[Middleware] = (),
        retry_policy: RetryPolicy | None = None,
        ssl_context: ssl.SSLContext | None = None,
        allow_insecure_http: bool | str | Iterable[str] | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        proxy: str | None = None,
        trust_env: bool = True,
        default_headers: Mapping[str, str] | None = None,
        app_info: AppInfo | Mapping[str, str] | None = None,
        client_user_agent: bool = True,
        rate_limit: float | Limiter | None = None,
    ) -> None:
        configure_from_env()
        # The arguments are Settings' fields, one for one (a test holds them together).
        arguments = dict(locals())
        del arguments["self"]
        settings = Settings.from_arguments(arguments)
        transport = AiohttpTransport(
            max_connections=settings.max_connections,
            ssl_context=settings.ssl_context,
            max_response_bytes=settings.max_response_bytes,
            proxy=settings.proxy,
            trust_env=settings.trust_env,
            uses_tls=any(base.startswith("https:") for base in (settings.api_base, settings.files_base)),
        )
        self._bind(settings, transport, _pacing(settings.rate_limit), owner=True)

    def _bind(
        self,
        settings: Settings,
        transport: AiohttpTransport,
        pacing: Middleware | None,
        *,
        owner: bool,
    ) -> None:
        self._settings = settings
        self._transport = transport
        self._pacing = pacing
        self._owner = owner
        self._requestor = Requestor(
            settings, transport=transport, pacing=pacing, aiohttp_version=AIOHTTP_VERSION
        )

    # --- services (created on first use, their modules imported then; a with_options view gets its
    # own) ---------------------------------------------------------------------------------------------

    @functools.cached_property
    def verification_sessions(self) -> AsyncVerificationSessionService:
        """Create, list, retrieve, update, cancel and redact VerificationSessions."""
        from ._resources.verification_sessions import AsyncVerificationSessionService

        return AsyncVerificationSessionService(self._requestor)

    @functools.cached_property
    def verification_reports(self) -> AsyncVerificationReportService:
        """List and retrieve the VerificationReports that sessions produce."""
        from ._resources.verification_reports import AsyncVerificationReportService

        return AsyncVerificationReportService(self._requestor)

    @functools.cached_property
    def ephemeral_keys(self) -> AsyncEphemeralKeyService:
        """Create and delete the ephemeral keys Stripe's mobile Identity SDKs start from."""
        from ._resources.ephemeral_keys import AsyncEphemeralKeyService

        return AsyncEphemeralKeyService(self._requestor)

    @functools.cached_property
    def files(self) -> AsyncFileService:
        """File metadata, and downloads of document and selfie images."""
        from ._resources.files import AsyncFileService

        return AsyncFileService(self._requestor)

    @functools.cached_property
    def file_links(self) -> AsyncFileLinkService:
        """Short-lived public URLs of files, to show an image in a browser."""
        from ._resources.file_links import AsyncFileLinkService

        return AsyncFileLinkService(self._requestor)

    @functools.cached_property
    def events(self) -> AsyncEventService:
        """The account's events, to catch up on missed webhooks."""
        from ._resources.events import AsyncEventService

        return AsyncEventService(self._requestor)

    @functools.cached_property
    def thin_events(self) -> AsyncThinEventService:
        """Thin events (``v2.core.event``) and the sessions their notifications name."""
        from ._resources.thin_events import AsyncThinEventService

        return AsyncThinEventService(self._requestor)

    @functools.cached_property
    def jobs(self) -> AsyncJobService:
        """Bulk jobs over sessions: redaction by retention policy, exports of results."""
        from ._resources.jobs import AsyncJobService

        return AsyncJobService(self._requestor)

    # --- everything else -------------------------------------------------------------------------

    async def raw_request(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | Any | None = None,
        opts: RequestOptions | Mapping[str, Any] | None = None,
        *,
        base: Base = "api",
    ) -> RawObject:
        """Call any endpoint (``"GET"``, ``"POST"`` or ``"DELETE"`` on ``/v1/...``) as a dict.

        The same pipeline as the typed calls: idempotency key on POST, retries, typed errors, and
        ``last_response`` on the result. ``base="files"`` sends it to ``files_base``.
        """
        return await self._requestor.request_raw(method, path, params, opts, base)

    def with_options(self, **changes: Unpack[ViewOptions]) -> AsyncStripeIdentity:
        """A view of this client with some settings changed, sharing its connection pool.

        Cheap to make (per tenant, per endpoint...). Closing a view closes nothing: the pool belongs
        to the client the views came from. Pool settings (``max_connections``, TLS, proxies, the
        response size cap) and pacing (``rate_limit``) are shared, not changed.
        """
        view = object.__new__(type(self))
        view._bind(self._settings.evolve(changes), self._transport, self._pacing, owner=False)
        return view

    @property
    def api_base(self) -> str:
        """The API's address."""
        return self._settings.api_base

    @property
    def files_base(self) -> str:
        """The files host's address (file contents)."""
        return self._settings.files_base

    @property
    def closed(self) -> bool:
        """Whether the connection pool has been closed (it then refuses new requests)."""
        return self._transport.closed

    def __repr__(self) -> str:
        view = "" if self._owner else ", view"
        return f"{type(self).__name__}(api_base={self.api_base!r}{view})"

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
        """Close the connection pool; safe to call twice (later calls raise ``RuntimeError``).

        On a ``with_options`` view this does nothing: close the client it came from.
        """
        if self._owner:
            await self._transport.aclose()


def _pacing(rate_limit: float | Limiter | None) -> Middleware | None:
    if rate_limit is None:
        return None
    # Imported only by clients that pace: it brings anyio, which nothing else needs at start-up.
    from ._limiter import RateLimiter, limiter_middleware

    if isinstance(rate_limit, bool):
        raise TypeError("rate_limit must be requests per second or a Limiter, not a bool")
    if isinstance(rate_limit, (int, float)):
        return limiter_middleware(RateLimiter(rate_limit))
    if callable(getattr(rate_limit, "acquire", None)):
        return limiter_middleware(rate_limit)
    raise TypeError(
        f"rate_limit must be requests per second or a Limiter, not {type(rate_limit).__name__}"
    )
