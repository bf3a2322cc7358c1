"""Fault injection: the failures a client must survive, reproducible from a seed.

Each request to the API draws at most one fault, in arrival order, from the emulator's seeded RNG,
so the same seed and the same sequence of requests replay the same faults.
"""

from __future__ import annotations

import random
from collections.abc import Mapping

import attrs

__all__ = ["FAULT_KINDS", "Faults", "FaultPlan"]

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
    ``"update"``, ``"cancel"``, ``"redact"``, ``"list_reports"``, ``"retrieve_report"``).
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
        self._rng = random.Random(f"{seed}:faults")
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
