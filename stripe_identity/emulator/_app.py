"""The emulator's aiohttp application: its state, and the middlewares every request passes.

Outermost first::

    request log -> envelope (Stripe's error shape) -> routing -> auth -> Stripe-Version
        -> rate limits -> faults -> params -> idempotency -> latency -> the resource's handler

Each is an aiohttp middleware of its own module and reads what the outer ones found from the
request's ``Call``. The resources (``resources/``) register their routes on one router; the router
reads the raw path, so an id holding an escaped ``/`` stays one segment. Any request, however broken,
gets an answer in Stripe's envelope: a 4xx for what the client got wrong, never a 5xx unless a fault
was asked for.

This module only wires: it builds the stores and hands each middleware and resource the ones it
uses (the fault middlewares and ``resources.routes`` take the app itself, through the small
protocols ``FaultSource`` and ``Backend``). No other module of the emulator but ``_emulator``
imports it.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from aiohttp import web

from ._accounts import Owners
from ._auth import auth_middleware
from ._context import call_of
from ._destinations import Destinations
from ._envelope import envelope_middleware, json_response
from ._faults import FaultPlan, Faults, fault_middleware, latency_middleware
from ._flows import FlowRegistry
from ._idempotency import IdempotencyStore, idempotency_middleware
from ._log import RequestLog
from ._objects import IdFactory
from ._params import params_middleware
from ._ratelimit import RateLimitChecker, RateLimits, rate_limit_middleware
from ._routing import Router, route_middleware
from ._spec import API_VERSION
from ._state import State
from ._thin_events import ThinEventStore
from ._versions import version_middleware
from ._webhooks import WebhookSender
from .resources import routes
from .resources.ephemeral_keys import EphemeralKeyStore
from .resources.file_links import FileLinkStore
from .resources.files import FileStore

__all__ = ["EmulatorApp"]

Next = Callable[[web.Request], Awaitable[web.StreamResponse]]


class EmulatorApp:
    """State plus the aiohttp application that serves it."""

    def __init__(
        self,
        *,
        faults: Faults | dict[str, Faults] | None,
        latency: float,
        seed: object,
        processing_delay: float,
        redaction_delay: float,
        rate_limits: RateLimits | None,
        webhooks: WebhookSender | None,
        base_url: Callable[[], str],
        flows: FlowRegistry,
        destinations: Destinations | None = None,
    ) -> None:
        # Without a seed, every emulator draws its own ids: a restarted one must not hand out ids
        # a user's database already holds.
        rng = random.Random(f"{seed}:ids") if seed is not None else random.Random()
        self.ids = IdFactory(rng)
        self.latency = latency
        self.faults = FaultPlan(faults, seed)
        self.idempotency = IdempotencyStore()
        self.rate_limiter = RateLimitChecker(rate_limits) if rate_limits is not None else None
        self.log = RequestLog()
        self.webhooks = webhooks
        self.destinations = destinations
        self.thin_events = ThinEventStore(self.ids, time.time)
        clock = _now
        self.owners = Owners()
        self.files = FileStore(self.ids, clock, base_url, self.owners)
        self.file_links = FileLinkStore(self.ids, clock, base_url, self.files)
        self.state = State(
            self.ids,
            api_version=API_VERSION,
            schedule=self._schedule,
            on_event=self._emitted,
            files=self.files,
            page_url=lambda token: f"{base_url()}/verify/{token}",
            owners=self.owners,
            flows=flows,
            processing_delay=processing_delay,
            redaction_delay=redaction_delay,
        )
        self.ephemeral_keys = EphemeralKeyStore(self.ids, clock, self.state)
        self._timers: set[asyncio.TimerHandle] = set()
        router = Router()
        router.add(*routes(self))
        self.app = web.Application(
            client_max_size=1024 * 1024,
            middlewares=[
                self.log.middleware(self.ids.request_id),
                envelope_middleware(),
                route_middleware(router),
                auth_middleware(self.ephemeral_keys.authorize),
                version_middleware(),
                rate_limit_middleware(self.rate_limiter),
                fault_middleware(self),
                params_middleware(),
                idempotency_middleware(self.idempotency),
                latency_middleware(self),
                _dispatch,
            ],
        )

    def _emitted(self, event: dict[str, Any]) -> None:
        """Where each snapshot event goes: the webhook endpoint, and its thin twin to the event
        destinations."""
        if self.webhooks is not None:
            self.webhooks.enqueue(event)
        thin = self.thin_events.record(event)
        if thin is not None and self.destinations is not None:
            self.destinations.deliver(thin)

    def _schedule(self, delay: float, callback: Callable[[], None]) -> None:
        loop = asyncio.get_running_loop()

        def run() -> None:
            self._timers.discard(handle)
            callback()

        handle = loop.call_later(delay, run)
        self._timers.add(handle)

    def reset(self) -> None:
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()
        self.state.reset()
        self.owners.reset()
        self.files.reset()
        self.file_links.reset()
        self.ephemeral_keys.reset()
        self.idempotency.clear()
        self.log.clear()
        if self.rate_limiter is not None:
            self.rate_limiter.reset()
        if self.webhooks is not None:
            self.webhooks.reset()
        self.thin_events.reset()
        if self.destinations is not None:
            self.destinations.reset()

    def stats(self) -> dict[str, Any]:
        """What ``emu.stats()`` and ``GET /_emulator/stats`` both answer."""
        stats = {
            **self.log.stats(),
            "faults": dict(self.faults.counts),
            "idempotent_replays": self.idempotency.replays,
            "idempotency_keys": len(self.idempotency),
            "sessions": len(self.state.sessions),
            "reports": len(self.state.reports),
            "events": len(self.state.events),
            "thin_events": len(self.thin_events.events),
            "files": len(self.files.objects),
            "file_links": len(self.file_links.objects),
            "ephemeral_keys": len(self.ephemeral_keys.objects),
        }
        if self.rate_limiter is not None:
            stats["rate_limits"] = self.rate_limiter.stats()
        if self.webhooks is not None:
            stats["webhooks"] = self.webhooks.stats()
        if self.destinations is not None:
            stats["event_destinations"] = self.destinations.stats()
        return stats

    def requests(self, operation: str | None = None) -> list[dict[str, Any]]:
        """What ``emu.requests()`` and ``GET /_emulator/requests`` both answer."""
        return self.log.entries(operation)


def _now() -> int:
    return int(time.time())


@web.middleware
async def _dispatch(request: web.Request, handler: Next) -> web.StreamResponse:
    """The innermost step: the resource answers (aiohttp's own router is never consulted)."""
    call = call_of(request)
    assert call.route is not None
    result = await call.route.handler(call)
    if isinstance(result, web.StreamResponse):
        return result
    return json_response(call, 200, orjson.dumps(result))
