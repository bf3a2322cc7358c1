"""Signed webhook delivery from the emulator to an integration's endpoints.

An endpoint is the platform's own, or a Connect endpoint (``connect=True``), as on Stripe: the
platform's endpoints get the platform's own events, Connect endpoints the events of its connected
accounts (each with ``account`` set), and no endpoint gets the other kind. An endpoint registered
with an ``api_version`` receives each event with that ``api_version``; otherwise the event's own, the
account's default (the emulator renders every object in its one version either way).

Each event goes to each endpoint as a delivery of its own: one task per (event, endpoint), so a
delivery that keeps failing never holds up another, and events may arrive out of order, as Stripe
warns they can. An attempt fails on a connection error, on a timeout (``WebhookRetries.timeout``) or
on any answer outside 2xx; a failed delivery is tried again after each of ``WebhookRetries.delays``
in turn, then given up for that endpoint. The API never waits for any of it, and at most a few
attempts per endpoint are on the wire at once.

Logging (logger ``stripe_identity.emulator``): one WARNING per failed attempt, the last of which says
the delivery was given up; one INFO line when a delivery succeeds after failing; and, when the
emulator stops with deliveries given up or unfinished, one WARNING that sums them up.

As an adversary for exactly-once handling, the sender can deliver an event to an endpoint more than
once: with ``duplicates=p``, each delivery gets a twin with probability ``p``, sent on its own after
a random pause of up to half a second (so it may overlap the original or follow it), drawn from the
sender's ``rng``: a seeded emulator duplicates the same deliveries every run. A twin is retried like
any delivery; it does not count in ``pending_webhooks``, and ``stats()`` counts twins as
``duplicated`` when the option is on.

An event's ``pending_webhooks`` counts the endpoints that have not received it yet (Stripe's
meaning): it stays above 0 for an endpoint that gave up. :meth:`WebhookSender.stop` lets attempts
under way finish for a short grace period, then cancels what is left; unfinished deliveries resume
if the emulator starts again. :meth:`WebhookSender.reset` (``emu.reset()``) drops them for good.

A sender made with ``track_pending=False`` posts payloads without that field (thin event
notifications, see ``_destinations``) and leaves them as they are.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import re
from collections.abc import Sequence
from typing import Any

import aiohttp
import attrs
import orjson

from ..webhooks import generate_test_header

__all__ = ["WebhookEndpoint", "WebhookRetries", "WebhookSender"]

logger = logging.getLogger("stripe_identity.emulator")

_USER_AGENT = "Stripe/1.0 (+https://stripe.com/docs/webhooks) stripe-identity-emulator"
_CONCURRENCY = 8  # attempts on the wire at once per endpoint: a burst of events is not a flood
_STOP_GRACE = 1.0  # seconds attempts under way get to finish when the emulator stops
_TWIN_SPREAD = 0.5  # seconds: a duplicate delivery starts up to this long after its original


def _delays(value: Sequence[float]) -> tuple[float, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TypeError("delays must be a sequence of seconds")
    delays = tuple(float(delay) for delay in value)
    if not all(math.isfinite(delay) and delay >= 0 for delay in delays):
        raise ValueError(f"retry delays are finite seconds, 0 or more, not {list(value)!r}")
    return delays


def _positive(instance: object, attribute: object, value: float) -> None:
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"the timeout is a positive number of seconds, not {value!r}")


@attrs.frozen(kw_only=True)
class WebhookRetries:
    """When the emulator tries a failed webhook delivery again, and for how long an attempt may run.

    * ``delays``: seconds to wait after each failed attempt before the next; a delivery gets
      ``len(delays) + 1`` attempts, then is given up (``()``: one attempt, no retry);
    * ``timeout``: seconds an attempt may take before it counts as failed.

    Stripe retries a failed delivery with exponential backoff for up to three days in live mode (in
    a sandbox, three times over a few hours) and does not publish the individual intervals. The
    default keeps the live shape on a compressed clock: eight retries, the first after 0.25 s, each
    wait twice the one before, about a minute in all.
    """

    delays: tuple[float, ...] = attrs.field(
        default=(0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0), converter=_delays
    )
    timeout: float = attrs.field(default=5.0, converter=float, validator=_positive)

    @classmethod
    def exponential(
        cls, first: float, retries: int, factor: float = 2.0, timeout: float = 5.0
    ) -> WebhookRetries:
        """``retries`` retries, the first ``first`` seconds after the first failure, each wait
        ``factor`` times the one before."""
        if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
            raise ValueError(f"retries is a whole number, 0 or more, not {retries!r}")
        return cls(delays=[first * factor**n for n in range(retries)], timeout=timeout)

    @property
    def attempts(self) -> int:
        """Attempts a delivery gets before it is given up."""
        return len(self.delays) + 1


_API_VERSION = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(\.[a-z]+)?\Z")


def _api_version(instance: object, attribute: object, value: str | None) -> None:
    if value is not None and not (isinstance(value, str) and _API_VERSION.match(value)):
        raise ValueError(f"api_version is an API version such as 2026-09-30.endive, not {value!r}")


def _secret(instance: object, attribute: object, value: str) -> None:
    if not isinstance(value, str) or not value:
        raise ValueError("a webhook endpoint needs its signing secret (whsec_...)")


@attrs.frozen(eq=False)
class WebhookEndpoint:
    """Where events go, and the secret that signs them (never shown in a repr).

    * ``connect``: a Connect endpoint, which gets the events of connected accounts (each carrying
      ``account``) and none of the platform's own; otherwise the platform's own events only;
    * ``api_version``: the API version its events are sent with (default: each event's own, the
      account's default version).

    Two registrations of one URL are two endpoints, as on Stripe: each gets its events.
    """

    url: str
    secret: str = attrs.field(repr=False, validator=_secret)
    connect: bool = attrs.field(default=False, kw_only=True, converter=bool)
    api_version: str | None = attrs.field(default=None, kw_only=True, validator=_api_version)

    def wants(self, event: dict[str, Any]) -> bool:
        """Whether the event is this endpoint's: a connected account's for a Connect endpoint,
        the platform's own otherwise."""
        return self.connect == ("account" in event)


@attrs.define
class _Counts:
    attempted: int = 0
    succeeded: int = 0
    failed_attempts: int = 0
    given_up: int = 0


@attrs.define(eq=False)
class _Delivery:
    event: dict[str, Any]
    endpoint: WebhookEndpoint
    attempts: int = 0  # made so far
    on_the_wire: bool = False  # an attempt is under way (or waiting for its turn)
    done: bool = False  # delivered, or given up
    twin_delay: float | None = None  # a duplicate: seconds before its first attempt


class WebhookSender:
    """Delivers each event to each endpoint it is for, each delivery on its own task."""

    def __init__(
        self,
        endpoints: Sequence[WebhookEndpoint],
        retries: WebhookRetries,
        duplicates: float = 0.0,
        rng: random.Random | None = None,
        *,
        track_pending: bool = True,
    ) -> None:
        self.endpoints = tuple(endpoints)
        self.retries = retries
        self.track_pending = track_pending
        if isinstance(duplicates, bool) or not (
            isinstance(duplicates, (int, float)) and 0 <= duplicates <= 1
        ):
            raise ValueError(f"the duplicate rate is a share from 0 to 1, not {duplicates!r}")
        self.duplicates = float(duplicates)
        self._rng = rng if rng is not None else random.Random()
        self._duplicated = 0
        self._counts = {endpoint: _Counts() for endpoint in self.endpoints}
        self._waiting: list[_Delivery] = []  # to start when the sender (re)starts
        self._tasks: dict[asyncio.Task[None], _Delivery] = {}
        self._turns: dict[WebhookEndpoint, asyncio.Semaphore] = {}
        self._session: aiohttp.ClientSession | None = None
        self._stopping = False

    def enqueue(self, event: dict[str, Any]) -> None:
        endpoints = [endpoint for endpoint in self.endpoints if endpoint.wants(event)]
        if self.track_pending:
            event["pending_webhooks"] = len(endpoints)
        for endpoint in endpoints:
            deliveries = [_Delivery(event, endpoint)]
            if self.duplicates and self._rng.random() < self.duplicates:
                self._duplicated += 1
                twin_delay = self._rng.random() * _TWIN_SPREAD
                deliveries.append(_Delivery(event, endpoint, twin_delay=twin_delay))
            for delivery in deliveries:
                if self._session is None or self._stopping:
                    self._waiting.append(delivery)
                else:
                    self._spawn(delivery)

    @property
    def pending(self) -> int:
        """Deliveries neither made nor given up."""
        return len(self._waiting) + len(self._tasks)

    def stats(self) -> dict[str, int]:
        """Attempts made, deliveries that succeeded, attempts that failed, deliveries given up,
        deliveries still to make: over every endpoint."""
        totals = {field.name: 0 for field in attrs.fields(_Counts)}
        for counts in self._counts.values():
            for name, value in attrs.asdict(counts).items():
                totals[name] += value
        if self.duplicates:
            totals["duplicated"] = self._duplicated
        return {**totals, "pending": self.pending}

    def reset(self) -> None:
        """Drop every delivery not yet made and zero the counters (the emulator forgot the events)."""
        tasks, self._tasks = self._tasks, {}
        for task, delivery in tasks.items():
            delivery.done = True  # abandoned: not to resume
            task.cancel()
        self._waiting.clear()
        self._counts = {endpoint: _Counts() for endpoint in self.endpoints}
        self._duplicated = 0

    # --- lifecycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        self._stopping = False
        self._turns = {endpoint: asyncio.Semaphore(_CONCURRENCY) for endpoint in self.endpoints}
        self._session = aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar())
        waiting, self._waiting = self._waiting, []
        for delivery in waiting:
            self._spawn(delivery)

    async def stop(self, grace: float = _STOP_GRACE) -> None:
        """Give attempts under way ``grace`` seconds, cancel the rest, and sum up what failed."""
        self._stopping = True
        for task, delivery in list(self._tasks.items()):
            if not delivery.on_the_wire:  # waiting to retry: no attempt to finish
                task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=grace)
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None
        stats = self.stats()
        if stats["given_up"] or stats["pending"]:
            logger.warning(
                "webhooks at stop: %d delivered, %d given up, %d unfinished",
                stats["succeeded"],
                stats["given_up"],
                stats["pending"],
            )

    # --- one delivery ----------------------------------------------------------------------------

    def _spawn(self, delivery: _Delivery) -> None:
        delivery.on_the_wire = True
        task = asyncio.create_task(self._deliver(delivery), name=f"webhook {delivery.event['id']}")
        self._tasks[task] = delivery
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        delivery = self._tasks.pop(task, None)
        if delivery is None:  # dropped by reset()
            return
        if not delivery.done:  # cut short by stop(): it resumes if the sender starts again
            self._waiting.append(delivery)
        error = None if task.cancelled() else task.exception()
        if error is not None:
            logger.error("webhook delivery of %s crashed", delivery.event["id"], exc_info=error)

    async def _deliver(self, delivery: _Delivery) -> None:
        event, endpoint = delivery.event, delivery.endpoint
        counts = self._counts[endpoint]
        if delivery.twin_delay is not None and delivery.attempts == 0:
            delivery.on_the_wire = False  # a pause, not an attempt: stop() need not wait for it
            await asyncio.sleep(delivery.twin_delay)
        while True:
            delivery.on_the_wire = True
            async with self._turns[endpoint]:
                problem = await self._attempt(event, endpoint)
            delivery.on_the_wire = False
            delivery.attempts += 1
            counts.attempted += 1
            where = f"webhook {event['id']} ({event['type']}) to {endpoint.url}"
            if problem is None:
                counts.succeeded += 1
                delivery.done = True
                if self.track_pending and delivery.twin_delay is None:
                    event["pending_webhooks"] -= 1
                if delivery.attempts > 1:
                    logger.info("%s delivered on attempt %d", where, delivery.attempts)
                return
            counts.failed_attempts += 1
            total = self.retries.attempts
            if delivery.attempts >= total:
                counts.given_up += 1
                delivery.done = True
                logger.warning("%s %s; given up after %d attempts", where, problem, total)
                return
            delay = self.retries.delays[delivery.attempts - 1]
            logger.warning(
                "%s %s (attempt %d of %d, next in %gs)", where, problem, delivery.attempts, total, delay
            )
            if self._stopping:
                return
            await asyncio.sleep(delay)

    async def _attempt(self, event: dict[str, Any], endpoint: WebhookEndpoint) -> str | None:
        """Post the event once; what went wrong, or None."""
        assert self._session is not None
        # A snapshot event is sent in the endpoint's API version when it has one; a thin
        # notification carries no version at all.
        if endpoint.api_version is not None and "api_version" in event:
            event = {**event, "api_version": endpoint.api_version}
        payload = orjson.dumps(event)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": _USER_AGENT,
            "Stripe-Signature": generate_test_header(payload, endpoint.secret),
        }
        timeout = aiohttp.ClientTimeout(total=self.retries.timeout)
        try:
            async with self._session.post(
                endpoint.url, data=payload, headers=headers, timeout=timeout
            ) as response:
                await response.read()
        except asyncio.TimeoutError:
            return f"failed: no answer within {self.retries.timeout:g}s"
        except (aiohttp.ClientError, OSError) as exc:
            return f"failed: {exc or type(exc).__name__}"
        if 200 <= response.status < 300:
            return None
        return f"answered {response.status}"
