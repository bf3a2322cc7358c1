"""``Emulator``: start, stop and drive a local Stripe Identity API.

    async with Emulator() as emu:          # on the running event loop
        ...
    with Emulator() as emu:                # on its own loop in a background thread
        ...

Either way it binds 127.0.0.1 on a free port (unless told otherwise) and ``emu.api_base`` is its URL
for clients in this process. ``emu.public_url`` is the URL it advertises to everyone else (in
``session.url``, file URLs and file links): ``api_base`` unless ``public_url=`` says otherwise.
"""

from __future__ import annotations

import contextlib
import ssl
import threading
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, TypeVar

from aiohttp import web
from anyio.from_thread import BlockingPortal, start_blocking_portal

from ._app import EmulatorApp
from ._failures import APIFailure
from ._faults import Faults
from ._ratelimit import RateLimits
from ._urls import advertised_host, http_url
from ._webhooks import WebhookEndpoint, WebhookRetries, WebhookSender

__all__ = ["Emulator"]

T = TypeVar("T")


class Emulator:
    """A stateful, in-memory emulator of the Identity API.

    Args:
        host, port: where to listen (default: 127.0.0.1 and a free port).
        faults: a :class:`Faults` for every operation, or a mapping of operation name to Faults.
        latency: seconds added to every API request.
        seed: makes ids, tokens and injected faults reproducible (without one, each emulator
            draws its own, so a restarted emulator never repeats the ids of an earlier run).
        webhook_url, webhook_secret: where to post signed events (an absolute http(s) URL), and
            the secret to sign them with. Each event is delivered on its own, in no set order.
        webhook_retries: a :class:`WebhookRetries`, or the delays in seconds between attempts: when
            a failed delivery is tried again before it is given up (default: Stripe's live-mode
            backoff, compressed from three days to about a minute).
        processing_delay: seconds a submitted session stays ``processing`` (0: it completes at once).
        redaction_delay: seconds before a redaction completes (0: on the next loop iteration).
        ssl_context: serve HTTPS with this server context (a trustme CA's, say) instead of HTTP.
        public_url: the URL others reach the emulator at (``http://emulator:12111`` from another
            container, say), advertised in ``session.url``, file URLs and file links. Without it,
            the emulator advertises :attr:`api_base`, a loopback address when ``host`` is a
            wildcard such as ``0.0.0.0``.
        rate_limits: enforce Stripe's rate limits: ``"test"`` or ``"live"`` (Stripe's documented
            figures, per-endpoint limits included), an int N (N requests per second per API key and
            nothing lower per endpoint), or a :class:`RateLimits`. Off by default.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: Faults | Mapping[str, Faults] | None = None,
        latency: float = 0.0,
        seed: int | str | None = None,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        processing_delay: float = 0.0,
        redaction_delay: float = 0.0,
        ssl_context: ssl.SSLContext | None = None,
        rate_limits: RateLimits | int | str | None = None,
        webhook_retries: WebhookRetries | Sequence[float] | None = None,
        public_url: str | None = None,
    ) -> None:
        if (webhook_url is None) != (webhook_secret is None):
            raise ValueError("webhook_url and webhook_secret go together")
        self.host = host
        self.port = port
        self._ssl_context = ssl_context
        self._public_url = http_url(public_url, "public_url", query=False) if public_url else None
        retries = _webhook_retries(webhook_retries)
        self._webhooks = None
        if webhook_url is not None and webhook_secret is not None:
            endpoint = WebhookEndpoint(http_url(webhook_url, "webhook_url"), webhook_secret)
            self._webhooks = WebhookSender([endpoint], retries)
        self._app = EmulatorApp(
            faults=dict(faults) if isinstance(faults, Mapping) else faults,
            latency=latency,
            seed=seed,
            processing_delay=processing_delay,
            redaction_delay=redaction_delay,
            rate_limits=_rate_limits(rate_limits),
            webhooks=self._webhooks,
            base_url=lambda: self.public_url,
        )
        self._runner: web.AppRunner | None = None
        self._portal_cm: contextlib.AbstractContextManager[BlockingPortal] | None = None
        self._portal: BlockingPortal | None = None
        self._loop_thread: int | None = None

    @property
    def api_base(self) -> str:
        """The emulator's URL from this machine, for ``api_base=`` (loopback if bound to a wildcard)."""
        if self._runner is None:
            raise RuntimeError("the emulator is not running")
        scheme = "https" if self._ssl_context is not None else "http"
        return f"{scheme}://{advertised_host(self.host)}:{self.port}"

    @property
    def public_url(self) -> str:
        """The URL the emulator advertises: ``public_url=`` if given, else :attr:`api_base`."""
        return self._public_url if self._public_url is not None else self.api_base

    @property
    def files_base(self) -> str:
        """Where the emulator serves file contents, for ``files_base=`` (its one address)."""
        return self.api_base

    @property
    def url(self) -> str:
        """The same as :attr:`api_base`."""
        return self.api_base

    # --- async lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Start serving on the running event loop (what ``async with`` does); idempotent."""
        if self._runner is not None:
            return
        self._loop_thread = threading.get_ident()
        runner = web.AppRunner(
            self._app.app,
            access_log=None,
            handle_signals=False,
            shutdown_timeout=0.5,
            # Room for ids and query params of 5000 characters each (the spec's maxLength), even
            # percent-encoded from 4-byte UTF-8.
            max_line_size=1024 * 1024,
            max_field_size=65536,
        )
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port, ssl_context=self._ssl_context)
        try:
            await site.start()
        except BaseException:  # the port is taken, the host unknown...: leave nothing behind
            await runner.cleanup()
            raise
        self.port = runner.addresses[0][1]
        self._runner = runner
        if self._webhooks is not None:
            await self._webhooks.start()

    async def stop(self) -> None:
        """Stop serving, giving webhook attempts under way a second to finish; what ``async with``
        does."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        if self._webhooks is not None:
            await self._webhooks.stop()
        await runner.cleanup()

    async def __aenter__(self) -> Emulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # --- background-thread lifecycle -------------------------------------------------------------

    def __enter__(self) -> Emulator:
        cm = start_blocking_portal("asyncio", name="stripe-identity-emulator")
        portal = cm.__enter__()
        try:
            portal.call(self.start)
        except BaseException:
            cm.__exit__(None, None, None)
            raise
        self._portal_cm, self._portal = cm, portal
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop a background-thread emulator (``with Emulator()``)."""
        portal, cm = self._portal, self._portal_cm
        self._portal = self._portal_cm = None
        if portal is None or cm is None:
            return
        try:
            portal.call(self.stop)
        finally:
            cm.__exit__(None, None, None)

    def _on_loop(self, func: Callable[[], T]) -> T:
        """Run a state operation on the emulator's loop, from whichever thread asks."""
        portal = self._portal
        if portal is not None and threading.get_ident() != self._loop_thread:
            return portal.call(func)
        return func()

    # --- driving it ------------------------------------------------------------------------------

    def submit(
        self, session_id: str, outcome: str = "verified", error_code: str | None = None
    ) -> dict[str, Any]:
        """Play the end user: submit the session's verification flow.

        ``outcome="verified"`` verifies it (with ``verified_outputs`` and a VerificationReport);
        ``"requires_input"`` fails a check, leaving ``last_error`` with ``error_code`` (or the check's
        generic code). Returns the session as the API would show it.
        """
        try:
            return self._on_loop(lambda: self._app.state.submit(session_id, outcome, error_code))
        except APIFailure as failure:
            raise ValueError(failure.message) from None

    def reset(self) -> None:
        """Forget every session, report, event, idempotency key and counter, and drop the webhook
        deliveries not yet made."""
        self._on_loop(self._app.reset)

    def stats(self) -> dict[str, Any]:
        """Counters, as ``GET /_emulator/stats`` answers them: requests by operation and status,
        faults injected, replays, objects held, rate-limited requests, and with a webhook endpoint
        ``webhooks``: ``attempted``, ``succeeded``, ``failed_attempts``, ``given_up`` and
        ``pending`` (deliveries neither made nor given up)."""
        return self._on_loop(self._app.stats)

    def requests(self, operation: str | None = None) -> list[dict[str, Any]]:
        """The API requests answered so far, oldest first (the latest 100,000), as
        ``GET /_emulator/requests`` lists them; with ``operation`` (``"redact"``, ``"create"``...) only
        that operation's.

        Each is a dict: ``method``, ``path``, ``operation``, ``status`` (``None`` when the connection
        was reset instead of answered), ``request_id``, ``idempotency_key`` (the header sent, or
        ``None``) and ``replayed``: whether the answer came from the idempotency store, as its
        ``Idempotent-Replayed: true`` header says, instead of running the request again.
        """
        return self._on_loop(lambda: self._app.requests(operation))

    def create_file(
        self,
        size: int,
        purpose: str = "identity_document_downloadable",
        cut_after: int | None = None,
    ) -> dict[str, Any]:
        """Add a File of ``size`` generated bytes (a big download, say).

        With ``cut_after``, every download of it breaks off after that many bytes, as a dropped
        connection would. Returns the File object as the API shows it.
        """
        return self._on_loop(lambda: self._app.files.create(purpose, size, cut_after))

    def events(self, session_id: str | None = None) -> list[dict[str, Any]]:
        """The events emitted so far (oldest first), optionally for one session."""
        return self._on_loop(lambda: self._app.state.events_for([session_id] if session_id else None))

    def sessions(self) -> list[dict[str, Any]]:
        """Every session held, oldest first (as JSON objects)."""
        return self._on_loop(
            lambda: [dict(self._app.state.sessions[i]) for i in self._app.state.session_order]
        )


def _webhook_retries(value: WebhookRetries | Sequence[float] | None) -> WebhookRetries:
    if value is None:
        return WebhookRetries()
    if isinstance(value, WebhookRetries):
        return value
    return WebhookRetries(delays=value)


def _rate_limits(value: RateLimits | int | str | None) -> RateLimits | None:
    if value is None or isinstance(value, RateLimits):
        return value
    if isinstance(value, bool):
        raise TypeError("rate_limits must be 'test', 'live', a number per second or RateLimits")
    if isinstance(value, int):
        return RateLimits.scaled(value)
    return RateLimits.parse(value)
