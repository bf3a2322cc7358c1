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

import random
import ssl
import threading
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, TypeVar

from aiohttp import web

from .._loop_thread import LoopThread
from ._app import EmulatorApp
from ._checks import ErrorCodeRefused
from ._destinations import Destinations, EventDestination, destination_of
from ._failures import APIFailure
from ._faults import Faults
from ._flows import FlowRegistry
from ._ratelimit import RateLimits
from ._urls import advertised_host, http_url
from ._webhooks import WebhookEndpoint, WebhookRetries, WebhookSender

__all__ = ["Emulator", "SubmitError"]

T = TypeVar("T")


class SubmitError(ValueError):
    """:meth:`Emulator.submit` was refused, as ``POST /_emulator/.../submit`` refuses it with a 400.

    ``param`` names what was wrong (``outcome``, ``error_code``, ``session``...). When the error
    code belongs to a check the session does not run, ``error_code`` is that code and ``checks``
    the checks the session runs; otherwise they are ``None`` and ``()``.
    """

    def __init__(
        self,
        message: str,
        param: str | None = None,
        error_code: str | None = None,
        checks: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message)
        self.param = param
        self.error_code = error_code
        self.checks = checks


class Emulator:
    """A stateful, in-memory emulator of the Identity API.

    Args:
        host, port: where to listen (default: 127.0.0.1 and a free port).
        faults: a :class:`Faults` for every operation, or a mapping of operation name to Faults.
        latency: seconds added to every API request.
        seed: makes ids, tokens and injected faults reproducible (without one, each emulator
            draws its own, so a restarted emulator never repeats the ids of an earlier run).
        webhook_url, webhook_secret: where to post signed events (an absolute http(s) URL), and
            the secret to sign them with: the platform's endpoint, which gets the platform's own
            events. Each event is delivered on its own, in no set order.
        webhook_endpoints: more endpoints, each a :class:`WebhookEndpoint`: a Connect endpoint
            (``connect=True``) gets the events of connected accounts (the objects created with
            ``Stripe-Account`` or ``Stripe-Context``), each carrying ``account``; an endpoint with
            an ``api_version`` gets its events with that version.
        webhook_retries: a :class:`WebhookRetries`, or the delays in seconds between attempts: when
            a failed delivery is tried again before it is given up (default: Stripe's live-mode
            backoff, compressed from three days to about a minute).
        webhook_duplicates: the share of deliveries (0 to 1) that are made twice, the twin up to
            half a second after the original: the at-least-once delivery an endpoint must handle
            exactly once. Which ones is drawn from ``seed`` when there is one.
        processing_delay: seconds a submitted session stays ``processing`` (0: it completes at once).
        redaction_delay: seconds before a redaction completes (0: on the next loop iteration).
        ssl_context: serve HTTPS with this server context (a trustme CA's, say) instead of HTTP.
        public_url: the URL others reach the emulator at (``http://emulator:12111`` from another
            container, say), advertised in ``session.url``, file URLs and file links. Without it,
            the emulator advertises :attr:`api_base`, a loopback address when ``host`` is a
            wildcard such as ``0.0.0.0``.
        rate_limits: enforce Stripe's rate limits: ``"test"`` or ``"live"`` (Stripe's documented
            figures, per-endpoint limits included), an int N (N requests per second per API key and
            nothing lower per endpoint), or a :class:`RateLimits`. Off by default. Each API key has
            its own limits; ``RateLimits(..., scope="account")`` (or ``limits.account_wide()``)
            makes every key of the account share them, as Stripe counts.
        event_destinations: :class:`EventDestination` objects (or ``(url, secret)`` pairs) that receive
            a signed thin event notification for each Identity event, delivered and retried as
            webhooks are (``webhook_retries``); ``GET /v2/core/events`` lists the thin events.
        verification_flows: the verification flows sessions can be created from
            (``verification_flow="vf_..."``), a mapping of flow id to flow (``{"type": "document",
            "options": {...}}``: see ``DEFAULT_VERIFICATION_FLOWS``, the ones held without it).
            A flow is the only way to run email and phone one-time-code checks and matching.
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
        event_destinations: Sequence[EventDestination | tuple[str, str]] = (),
        webhook_endpoints: Sequence[WebhookEndpoint] = (),
        verification_flows: Mapping[str, Mapping[str, Any]] | None = None,
        webhook_duplicates: float = 0.0,
    ) -> None:
        if (webhook_url is None) != (webhook_secret is None):
            raise ValueError("webhook_url and webhook_secret go together")
        if webhook_duplicates and webhook_url is None and not webhook_endpoints:
            raise ValueError(
                "webhook_duplicates needs a webhook endpoint: there is nothing to duplicate"
            )
        self.host = host
        self.port = port
        self._ssl_context = ssl_context
        self._public_url = http_url(public_url, "public_url", query=False) if public_url else None
        retries = _webhook_retries(webhook_retries)
        endpoints = _endpoints(webhook_endpoints)
        if webhook_url is not None and webhook_secret is not None:
            own = WebhookEndpoint(http_url(webhook_url, "webhook_url"), webhook_secret)
            endpoints.insert(0, own)
        rng = random.Random(f"{seed}:webhook-duplicates") if seed is not None else None
        self._webhooks = (
            WebhookSender(endpoints, retries, webhook_duplicates, rng) if endpoints else None
        )
        destinations = [destination_of(value) for value in event_destinations]
        self._destinations = Destinations(destinations, retries) if destinations else None
        self._app = EmulatorApp(
            faults=dict(faults) if isinstance(faults, Mapping) else faults,
            latency=latency,
            seed=seed,
            processing_delay=processing_delay,
            redaction_delay=redaction_delay,
            rate_limits=_rate_limits(rate_limits),
            webhooks=self._webhooks,
            base_url=lambda: self.public_url,
            destinations=self._destinations,
            flows=FlowRegistry(verification_flows),
        )
        self._runner: web.AppRunner | None = None
        self._thread: LoopThread | None = None  # with Emulator(): the loop it serves on
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
        if self._destinations is not None:
            await self._destinations.start()

    async def stop(self) -> None:
        """Stop serving, giving webhook attempts under way a second to finish; what ``async with``
        does."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        if self._webhooks is not None:
            await self._webhooks.stop()
        if self._destinations is not None:
            await self._destinations.stop()
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
        thread = LoopThread("stripe-identity-emulator")
        try:
            thread.run(self.start)
        except BaseException:
            thread.stop()
            raise
        self._thread = thread
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
        thread, self._thread = self._thread, None
        if thread is None:
            return
        try:
            thread.run(self.stop)
        finally:
            thread.stop()

    def _on_loop(self, func: Callable[[], T]) -> T:
        """Run a state operation on the emulator's loop, from whichever thread asks."""
        thread = self._thread
        if thread is not None and threading.get_ident() != self._loop_thread:

            async def on_loop() -> T:
                return func()

            return thread.run(on_loop)
        return func()

    # --- driving it ------------------------------------------------------------------------------

    def submit(
        self, session_id: str, outcome: str = "verified", error_code: str | None = None
    ) -> dict[str, Any]:
        """Play the end user: submit the session's verification flow.

        ``outcome="verified"`` verifies it (with ``verified_outputs`` and a VerificationReport;
        email and phone one-time codes count as typed right); ``"requires_input"`` fails a check,
        leaving ``last_error`` with ``error_code`` (or the main check's generic code). The code must
        be one of a check the session runs, or a session-level one (``abandoned``...). Returns the
        session as the API would show it; raises :class:`SubmitError` when refused.
        """
        try:
            return self._on_loop(lambda: self._app.state.submit(session_id, outcome, error_code))
        except ErrorCodeRefused as refused:
            raise SubmitError(
                refused.message, refused.param, refused.error_code, refused.checks
            ) from None
        except APIFailure as failure:
            raise SubmitError(failure.message, failure.param) from None

    def reset(self) -> None:
        """Forget every session, report, event, idempotency key and counter, and drop the webhook
        deliveries not yet made."""
        self._on_loop(self._app.reset)

    def stats(self) -> dict[str, Any]:
        """Counters, as ``GET /_emulator/stats`` answers them: requests by operation and status,
        faults injected, replays, objects held, rate-limited requests, and with a webhook endpoint
        ``webhooks``: ``attempted``, ``succeeded``, ``failed_attempts``, ``given_up`` and
        ``pending`` (deliveries neither made nor given up); the same under
        ``event_destinations`` with event destinations."""
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
        account: str | None = None,
    ) -> dict[str, Any]:
        """Add a File of ``size`` generated bytes (a big download, say).

        With ``cut_after``, every download of it breaks off after that many bytes, as a dropped
        connection would. It belongs to the platform, or to the connected ``account``. Returns the
        File object as the API shows it.
        """
        return self._on_loop(lambda: self._app.files.create(purpose, size, cut_after, account))

    def events(self, session_id: str | None = None) -> list[dict[str, Any]]:
        """The events emitted so far (oldest first), optionally for one session."""
        return self._on_loop(lambda: self._app.state.events_for([session_id] if session_id else None))

    def thin_events(self, session_id: str | None = None) -> list[dict[str, Any]]:
        """The thin events (``v2.core.event``) emitted so far, oldest first, optionally for one
        session."""

        def collect() -> list[dict[str, Any]]:
            store = self._app.thin_events
            events = [store.events[event_id] for event_id in store.order]
            return [e for e in events if session_id in (None, e["related_object"]["id"])]

        return self._on_loop(collect)

    def sessions(self) -> list[dict[str, Any]]:
        """Every session held, oldest first (as JSON objects)."""
        return self._on_loop(
            lambda: [dict(self._app.state.sessions[i]) for i in self._app.state.session_order]
        )


def _endpoints(value: Sequence[WebhookEndpoint]) -> list[WebhookEndpoint]:
    if isinstance(value, WebhookEndpoint) or not isinstance(value, Sequence):
        raise TypeError("webhook_endpoints is a list of WebhookEndpoint")
    for endpoint in value:
        if not isinstance(endpoint, WebhookEndpoint):
            raise TypeError(f"webhook_endpoints holds WebhookEndpoint, not {type(endpoint).__name__}")
        http_url(endpoint.url, "a webhook endpoint's url")
    return list(value)


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
