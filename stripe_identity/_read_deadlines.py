"""Per-read timeouts of one connection pool, kept with one timer instead of one per read.

A read timeout is armed when a request has been written and re-armed each time bytes arrive; it
expires when a connection has waited ``seconds`` for its next bytes. aiohttp gives every re-arm an
event-loop timer of its own: two created and two cancelled per response, each a push into asyncio's
heap, whose entries compare through a Python method, while cancelled ones pile up until a sweep.
Here a re-arm writes one deadline into a dict, and one timer, at the earliest deadline, sweeps the
expired ones. Deadlines only move later as data arrives, so that timer rarely needs moving: it
fires, finds the connections it was set for long finished, and sets itself for the next deadline.

Expiry is as exact as a timer's own: a connection that waits past its deadline is told so on the
timer's first tick after it.
"""

from __future__ import annotations

import asyncio
import math
import time
from typing import Protocol

__all__ = ["ReadDeadlines", "TimesOut"]

# A timer may fire a little before its time by the clock's resolution (asyncio counts a handle due
# within it); a deadline that close is due, or the timer would be set again for the same instant.
_SLACK = time.get_clock_info("monotonic").resolution


class TimesOut(Protocol):
    """A connection whose read can time out."""

    def read_timed_out(self) -> None: ...


class ReadDeadlines:
    """The read deadlines of the connections of one event loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._due: dict[TimesOut, float] = {}
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = math.inf

    def __len__(self) -> int:
        return len(self._due)

    def arm(self, connection: TimesOut, seconds: float) -> None:
        """``connection`` must receive bytes within ``seconds`` from now."""
        when = self.loop.time() + seconds
        self._due[connection] = when
        if when < self._timer_at:
            self._set_timer(when)

    def disarm(self, connection: TimesOut) -> None:
        """``connection`` waits for nothing now (its response is complete, or it is closed)."""
        self._due.pop(connection, None)

    def close(self) -> None:
        """Forget every deadline and stop the timer (the pool is closing)."""
        self._due.clear()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._timer_at = math.inf

    def _set_timer(self, when: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = self.loop.call_at(when, self._expire)
        self._timer_at = when

    def _expire(self) -> None:
        self._timer = None
        self._timer_at = math.inf
        now = self.loop.time() + _SLACK
        late = [connection for connection, when in self._due.items() if when <= now]
        for connection in late:
            del self._due[connection]
        if self._due:
            self._set_timer(min(self._due.values()))
        # Last: a connection told of its timeout may close, which disarms it (already done).
        for connection in late:
            connection.read_timed_out()
