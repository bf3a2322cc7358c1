"""Fault injection: the failures a client must survive, reproducible from a seed.

Each request to the API draws at most one fault, in arrival order, from the emulator's RNG, so the
same seed and the same sequence of requests replay the same faults (without a seed, each run draws
its own). Faults are middlewares: :func:`fault_middleware` strikes before the request runs (or drops
the connection after it ran), :func:`latency_middleware` delays it while its idempotency key is held.
Both read the plan and the latency from a :class:`FaultSource` (the app) on each request.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

import attrs
from aiohttp import web

from ._context import call_of
from ._failures import APIFailure, ConnectionReset

__all__ = [
    "FAULT_KINDS",
    "FaultPlan",
    "FaultSource",
    "Faults",
    "fault_middleware",
    "latency_middleware",
]

Next = Callable[[web.Request], Awaitable[web.StreamResponse]]

FAULT_KINDS = ("server_error", "rate_limit", "reset_before_commit", "reset_after_commit")


def _operations(value: object) -> frozenset[str] | None:
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, (list, tuple, set, frozenset)):
        raise TypeError("operations must be a collection of operation names")
    return frozenset(str(v) for v in value)


def _rate(value: float) -> float:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"fault rates are probabilities between 0 and 1, not {value!r}")
    return value


@attrs.frozen(kw_only=True)
class Faults:
    """How often each fault strikes (a probability per request).

    * ``server_error``: answer a 5xx (one of ``server_error_statuses``) without running the request;
    * ``rate_limit``: answer 429 ``lock_timeout``, with ``Retry-After: retry_after`` when it is set;
    * ``reset_before_commit``: drop the connection before the request runs;
    * ``reset_after_commit``: run the request (and store its idempotent result), then drop the
      connection before the answer is written: the client cannot know it succeeded;
    * ``latency``: seconds added to every request (before it runs).

    ``operations`` limits the faults to some operations (``"create"``, ``"list"``, ``"retrieve"``,
    ``"update"``, ``"cancel"``, ``"redact"``, ``"list_reports"``, ``"retrieve_report"``,
    ``"create_ephemeral_key"``, ``"delete_ephemeral_key"``, ``"list_files"``, ``"retrieve_file"``,
    ``"download_file"``, ``"create_file_link"``, ``"retrieve_file_link"``, ``"update_file_link"``,
    ``"list_file_links"``, ``"list_events"``, ``"retrieve_event"``).
    """

    server_error: float = attrs.field(default=0.0, converter=_rate)
    rate_limit: float = attrs.field(default=0.0, converter=_rate)
    reset_before_commit: float = attrs.field(default=0.0, converter=_rate)
    reset_after_commit: float = attrs.field(default=0.0, converter=_rate)
    latency: float = 0.0
    retry_after: float | None = None
    server_error_statuses: tuple[int, ...] = (500, 502, 503)
    operations: frozenset[str] | None = attrs.field(default=None, converter=_operations)

    def __attrs_post_init__(self) -> None:
        total = self.server_error + self.rate_limit + self.reset_before_commit
        if total + self.reset_after_commit > 1.0:
            raise ValueError("fault rates add up to more than 1")
        if self.latency < 0:
            raise ValueError("latency cannot be negative")

    @classmethod
    def uniform(cls, total: float, **kwargs: object) -> Faults:
        """``total`` split evenly between the four kinds of fault."""
        share = total / 4
        return cls(
            server_error=share,
            rate_limit=share,
            reset_before_commit=share,
            reset_after_commit=share,
            **kwargs,  # type: ignore[arg-type]
        )


class FaultPlan:
    """Draws the fault (if any) for each request."""

    def __init__(self, faults: Faults | Mapping[str, Faults] | None, seed: object) -> None:
        self._global = faults if isinstance(faults, Faults) else None
        self._per_operation = dict(faults) if isinstance(faults, Mapping) else {}
        self._rng = random.Random(f"{seed}:faults") if seed is not None else random.Random()
        self.counts = dict.fromkeys(FAULT_KINDS, 0)

    def faults_for(self, operation: str) -> Faults | None:
        faults = self._per_operation.get(operation, self._global)
        if faults is None or (faults.operations is not None and operation not in faults.operations):
            return None
        return faults

    def draw(self, faults: Faults) -> str | None:
        roll = self._rng.random()
        for kind in FAULT_KINDS:
            rate: float = getattr(faults, kind)
            if roll < rate:
                self.counts[kind] += 1
                return kind
            roll -= rate
        return None

    def status(self, faults: Faults) -> int:
        return self._rng.choice(faults.server_error_statuses)


def _strike(fault: str | None, faults: Faults, plan: FaultPlan) -> None:
    """Faults that strike before the request runs (and so are never stored for idempotency)."""
    if fault == "server_error":
        raise APIFailure(
            plan.status(faults),
            "There was an unexpected error processing this request (injected by the "
            "emulator's fault settings).",
            type_="api_error",
        )
    if fault == "rate_limit":
        headers = {}
        if faults.retry_after is not None:
            headers["Retry-After"] = f"{faults.retry_after:g}"
        raise APIFailure(
            429,
            "This object cannot be accessed right now because another API request or Stripe "
            "process is currently accessing it. If you see this error intermittently, retry "
            "the request.",
            code="lock_timeout",
            headers=headers,
        )
    if fault == "reset_before_commit":
        raise ConnectionReset


class FaultSource(Protocol):
    """What the fault middlewares read of the emulator: its plan, and the latency of every request."""

    faults: FaultPlan
    latency: float


def fault_middleware(source: FaultSource) -> Any:
    @web.middleware
    async def faults(request: web.Request, handler: Next) -> web.StreamResponse:
        call = call_of(request)
        assert call.route is not None
        plan = source.faults
        chosen = plan.faults_for(call.operation) if call.route.kind in ("api", "files") else None
        if chosen is None:
            return await handler(request)
        call.fault = plan.draw(chosen)
        _strike(call.fault, chosen, plan)
        response = await handler(request)
        if call.fault == "reset_after_commit":
            raise ConnectionReset
        return response

    return faults


def latency_middleware(source: FaultSource) -> Any:
    @web.middleware
    async def latency(request: web.Request, handler: Next) -> web.StreamResponse:
        call = call_of(request)
        assert call.route is not None
        if call.route.kind in ("api", "files"):
            chosen = source.faults.faults_for(call.operation)
            seconds = source.latency + (chosen.latency if chosen is not None else 0.0)
            if seconds > 0:
                await asyncio.sleep(seconds)
        return await handler(request)

    return latency
