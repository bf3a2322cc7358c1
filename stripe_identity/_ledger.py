"""Exactly-once handling of webhook events across workers: a ledger of who handles which event.

Stripe delivers each event at least once: a delivery that timed out is sent again, two endpoints
each get every event, and now and then an event simply arrives twice. An :class:`EventLedger`
turns that into "handled once" for workers that share it:

* ``claim(event_id)`` returns a :class:`Claim`. At most one worker holds an event at a time: the
  first claim wins a *lease* of ``lease`` seconds; while it lasts, other claims are ``busy``.
* ``complete(claim)`` records the event as handled, for ``remember_days`` days (long enough to
  cover Stripe's retries, three days in live mode): later claims say ``done``.
* ``release(claim)`` gives the event back when handling failed, so the next delivery takes it.
* A worker that dies holding a lease loses it when the lease runs out; the next delivery of the
  event (Stripe retries a delivery that got no answer) is then claimed by another worker.

The ledger takes any event id string, so it serves snapshot events (``construct_event``) and thin
event notifications alike. Answer a ``busy`` claim with a non-2xx status (409): the event is not
handled yet, and if its holder dies, only Stripe's retry brings it back. Exactly once is about the
*completion*: a worker killed between its side effect and ``complete`` leaves the event to be handled
again after its lease, so make the effect idempotent, or commit it together with the completion.

:class:`MemoryEventLedger` serves the workers of one process (tests, one-process services);
``stripe_identity.redis.RedisEventLedger`` serves every process and machine that reach one Redis.
"""

from __future__ import annotations

import math
import os
import secrets
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Literal, Protocol

import attrs

from ._errors import LeaseLostError

__all__ = [
    "DEFAULT_LEASE",
    "DEFAULT_REMEMBER_DAYS",
    "Claim",
    "EventLedger",
    "MemoryEventLedger",
    "checked_event_id",
    "checked_ledger_times",
    "default_worker_name",
    "new_token",
]

#: Seconds a claim holds an event before another worker may take it over.
DEFAULT_LEASE = 60.0
#: Days a completed event is remembered: Stripe retries a delivery for up to three days.
DEFAULT_REMEMBER_DAYS = 4.0

_MAX_ID = 255  # Stripe's ids are about 30 characters; anything far longer is not an event id

ClaimStatus = Literal["claimed", "done", "busy"]


@attrs.frozen
class Claim:
    """What claiming an event gave: ``status`` is ``"claimed"`` (the event is yours to handle, until
    ``lease`` runs out), ``"done"`` (handled already: acknowledge it) or ``"busy"`` (another worker
    holds it now: answer non-2xx so that it comes back). ``token`` tells this claim from others."""

    event_id: str
    status: ClaimStatus
    token: str = ""

    @property
    def won(self) -> bool:
        """True when this worker now holds the event and should handle it."""
        return self.status == "claimed"

    @property
    def done(self) -> bool:
        """True when the event was handled already (a duplicate delivery)."""
        return self.status == "done"

    @property
    def busy(self) -> bool:
        """True when another worker holds the event's lease right now."""
        return self.status == "busy"


class EventLedger(Protocol):
    """Who handles which event, shared by the workers that must not handle one twice.

    Implementations: :class:`MemoryEventLedger` (one process), ``stripe_identity.redis``'s
    ``RedisEventLedger`` (any number). Each method is one atomic step in the shared store.
    """

    async def claim(self, event_id: str) -> Claim:
        """Try to take ``event_id``: a won claim, or why not (``done``, ``busy``)."""
        ...

    async def complete(self, claim: Claim) -> None:
        """Record the claimed event as handled; :class:`LeaseLostError` if another worker took it
        over meanwhile (the lease ran out first)."""
        ...

    async def release(self, claim: Claim) -> None:
        """Give a claimed event back unhandled, so that its next delivery is taken at once."""
        ...


def checked_event_id(event_id: object) -> str:
    """``event_id`` if it can be one, else a ``TypeError`` or ``ValueError`` saying why."""
    if not isinstance(event_id, str):
        raise TypeError(f"an event id is a str (event.id), not {type(event_id).__name__}")
    if not event_id or len(event_id) > _MAX_ID or event_id != event_id.strip():
        raise ValueError(
            f"an event id is 1 to {_MAX_ID} characters without surrounding blanks, not {event_id!r}"
        )
    return event_id


def _seconds(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} is a number, not {type(value).__name__}")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be positive and finite, not {value!r}")
    return float(value)


def checked_ledger_times(lease: object, remember_days: object) -> tuple[float, float]:
    """``(lease, remember)`` in seconds, checked: the lease is shorter than the memory."""
    lease_s = _seconds("lease", lease)
    remember_s = _seconds("remember_days", remember_days) * 86_400
    if lease_s >= remember_s:
        raise ValueError("the lease must be shorter than the time completed events are remembered")
    return lease_s, remember_s


def default_worker_name() -> str:
    """This process, as claims name it: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def new_token(worker: str) -> str:
    """A claim's token: the worker's name and a random part, unique to one claim."""
    return f"{worker}/{secrets.token_hex(8)}"


def _not_won(claim: Claim, action: str) -> ValueError:
    return ValueError(f"only a won claim can be {action}; this one is {claim.status!r}")


@attrs.define
class _Entry:
    token: str
    done: bool
    expires: float


class MemoryEventLedger:
    """An :class:`EventLedger` in this process's memory: for the workers (tasks, threads, event
    loops) of one process, and for tests. It forgets everything when the process ends.

    ``lease`` (seconds, default 60) and ``remember_days`` (default 4) as described in the module's
    notes; ``worker`` names this process in claim tokens; ``clock`` (monotonic seconds) is for tests.
    """

    def __init__(
        self,
        *,
        lease: float = DEFAULT_LEASE,
        remember_days: float = DEFAULT_REMEMBER_DAYS,
        worker: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lease, self._remember = checked_ledger_times(lease, remember_days)
        self._worker = worker or default_worker_name()
        self._clock = clock
        self._entries: dict[str, _Entry] = {}
        # (expiry, event id) of every lease and completion, to forget them in time: each kind
        # expires in the order it was written, so two queues stay sorted.
        self._leases: deque[tuple[float, str]] = deque()
        self._done: deque[tuple[float, str]] = deque()
        self._lock = threading.Lock()  # methods never await: a plain lock makes each one atomic

    @property
    def lease(self) -> float:
        """Seconds a claim holds an event."""
        return self._lease

    def __len__(self) -> int:
        """Events held or remembered right now."""
        with self._lock:
            self._forget(self._clock())
            return len(self._entries)

    def __repr__(self) -> str:
        return f"MemoryEventLedger(lease={self._lease:g}, remember_days={self._remember / 86_400:g})"

    async def claim(self, event_id: str) -> Claim:
        """See :meth:`EventLedger.claim`."""
        event_id = checked_event_id(event_id)
        with self._lock:
            now = self._clock()
            self._forget(now)
            entry = self._entries.get(event_id)
            if entry is not None and (entry.done or entry.expires > now):
                return Claim(event_id, "done" if entry.done else "busy")
            token = new_token(self._worker)
            self._entries[event_id] = _Entry(token, False, now + self._lease)
            self._leases.append((now + self._lease, event_id))
            return Claim(event_id, "claimed", token)

    async def complete(self, claim: Claim) -> None:
        """See :meth:`EventLedger.complete`."""
        if not claim.won:
            raise _not_won(claim, "completed")
        with self._lock:
            now = self._clock()
            entry = self._entries.get(claim.event_id)
            if entry is not None and entry.token != claim.token:
                raise LeaseLostError(
                    f"event {claim.event_id} was taken over by another worker before this one "
                    "completed it (the lease ran out): make the lease longer than handling takes",
                    claim.event_id,
                )
            if entry is not None and entry.done:
                return
            expires = now + self._remember
            self._entries[claim.event_id] = _Entry(claim.token, True, expires)
            self._done.append((expires, claim.event_id))

    async def release(self, claim: Claim) -> None:
        """See :meth:`EventLedger.release`."""
        if not claim.won:
            raise _not_won(claim, "released")
        with self._lock:
            entry = self._entries.get(claim.event_id)
            if entry is not None and entry.token == claim.token and not entry.done:
                del self._entries[claim.event_id]

    def _forget(self, now: float) -> None:
        """Drop leases and completions past their time (an entry rewritten since is left alone)."""
        for queue in (self._leases, self._done):
            while queue and queue[0][0] <= now:
                _, event_id = queue.popleft()
                entry = self._entries.get(event_id)
                if entry is not None and entry.expires <= now:
                    del self._entries[event_id]
