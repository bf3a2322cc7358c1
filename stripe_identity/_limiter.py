"""Client-side pacing: at most ``rate`` attempts per second leave, in the order their callers asked.

A :class:`Limiter` is anything with ``async acquire()``: the call returns when one more request may
be sent. :class:`RateLimiter` is a token bucket serving its callers first come, first served, and a
caller cancelled while it waits leaves no trace: no token spent, no place kept. An
:class:`AdaptiveLimiter` also hears how each attempt ended (``record(status)``);
``_adaptive.AdaptiveRateLimiter`` uses that to find an unknown limit, AIMD style.
:func:`limiter_middleware` puts any of them in the request pipeline, once per attempt.

A limiter serves one event loop. The sync client runs every thread's calls on its one loop, so one
limiter per sync client is right; two clients (two loops) need a limiter each.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol, runtime_checkable

import anyio
from anyio.lowlevel import checkpoint_if_cancelled

from ._errors import APIConnectionError
from ._middleware import Handler, Middleware
from ._response import Request, Response

__all__ = ["AdaptiveLimiter", "Limiter", "RateLimiter", "limiter_middleware", "positive_rate"]

# Float arithmetic on refills can leave 0.999999999 where 1 was meant: that is a token.
_EPSILON = 1e-9

# While callers wait, the one asleep at the front wakes a little after its token is due (timer
# granularity, a busy loop: about a millisecond). Capped at ``burst``, the bucket would drop those
# fractions, and with the default burst of 1 every interval would stretch by the delay: 6% of the
# rate lost at 100/s, 15% at 1,000/s. So a waiting caller keeps up to this much of a token earned
# late, and the next one is due on schedule. Less than one token: a bucket of ``burst + 0.5``
# still lets no more than ``burst + rate * T`` requests through in T seconds when ``rate * T`` is
# a whole number.
_LATE_CREDIT = 0.5


class Limiter(Protocol):
    """Anything that can pace requests: ``await acquire()`` returns when one may be sent.

    Implement it to share a budget beyond one process, as ``stripe_identity.redis.RedisRateLimiter``
    does. ``acquire`` should give up cleanly when cancelled: the request it was guarding will not be
    sent.
    """

    async def acquire(self) -> None:
        """Return when one more request may be sent (wait for it, if need be)."""
        ...


@runtime_checkable
class AdaptiveLimiter(Limiter, Protocol):
    """A :class:`Limiter` that also hears how each attempt it let through ended.

    ``record`` is called once per attempt, after its response: with the HTTP status, or ``None``
    when there was no response (a connection error or a timeout). It is not called for an attempt
    that was cancelled or failed inside the SDK, since those say nothing about the server's limit.
    It runs on the event loop between requests, so it must be quick and must not block.
    """

    def record(self, status: int | None) -> None:
        """Hear how an attempt ended: its HTTP status, or ``None`` without a response."""
        ...


def positive_rate(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be a number of requests per second, not {value!r}")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(
            f"{name} must be a positive, finite number of requests per second, not {value!r}"
        )
    return float(value)


def _burst(burst: object, rate: float) -> int:
    if burst is None:
        return 1
    if isinstance(burst, bool) or not isinstance(burst, int) or burst < 1:
        raise ValueError(f"burst must be a positive int, not {burst!r}")
    # A bucket holds at most one second's worth, so no one-second window sees more than twice the
    # rate. Below 1 request per second the bucket still holds the one token it takes to send.
    if burst > max(1.0, rate):
        raise ValueError(f"burst ({burst}) must be at most the rate ({rate:g} per second)")
    return burst


class _Waiter:
    """One caller in line; ``turn`` is set when it reaches the front."""

    __slots__ = ("turn",)

    def __init__(self) -> None:
        self.turn = anyio.Event()


class RateLimiter:
    """A token bucket: ``rate`` tokens a second, at most ``burst`` kept; one per request.

    ``burst`` defaults to 1: requests leave evenly spaced, ``1/rate`` seconds apart, and idle time
    banks at most one, so no one-second window sees more than ``rate + 1`` whether the server counts
    with a bucket or by the second; it costs a request at most ``1/rate`` seconds of waiting. A
    larger burst (at most ``rate``) lets that many go at once after a quiet spell.

    While tokens last and no one waits, ``acquire`` takes one and returns with no sleep and no task
    switch. Otherwise the caller joins a first-come, first-served line: only its front sleeps, until
    the next token is due, and then hands the front to the next caller. Waking late does not slow
    the line down: up to half a token earned after it was due is kept for the next caller, so a
    busy line runs at the rate itself, not at the rate the event loop's timers manage. Above a few
    hundred requests a second the timers' millisecond is more than half an interval: give such a
    limiter a burst of a few (``rate / 100``, say) to keep it at its rate. A caller cancelled in line
    leaves it and spends nothing, so the callers behind it and the rate are as if it never came.

    No event loop objects live in the limiter between calls, so it may be built outside any loop;
    it serves one loop at a time (see the module's notes). ``clock`` (seconds, monotonic) is for
    tests; waits are real ``anyio.sleep`` calls computed from its readings.
    """

    def __init__(
        self,
        rate: float,
        burst: int | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        rate = positive_rate("rate", rate)
        self._burst = _burst(burst, rate)
        self._rate = rate
        self._capacity = float(self._burst)
        self._clock = clock
        self._tokens = self._capacity
        self._updated = clock()
        # An OrderedDict is a queue that can also drop any member in O(1), as cancellation needs.
        self._line: OrderedDict[_Waiter, None] = OrderedDict()
        self._owner: tuple[int, int] = (0, 0)

    @property
    def rate(self) -> float:
        """Tokens added per second (requests per second, in the long run)."""
        return self._rate

    @property
    def burst(self) -> int:
        """The most tokens the bucket keeps: how many requests may leave at once."""
        return self._burst

    @property
    def waiting(self) -> int:
        """Callers in line for a token."""
        return len(self._line)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(rate={self._rate:g}, burst={self._burst}, waiting={self.waiting})"

    async def acquire(self) -> None:
        """Return when a request may be sent; first come, first served."""
        # A caller already cancelled must not take a token it cannot use; this switches tasks only
        # in that case.
        await checkpoint_if_cancelled()
        if not self._line and self._take(self._clock()):
            return
        await self._wait_in_line()

    async def _wait_in_line(self) -> None:
        line = self._line
        waiter = _Waiter()
        self._check_owner()
        line[waiter] = None
        try:
            if next(iter(line)) is not waiter:
                await waiter.turn.wait()
            # At the front: nobody else sleeps for a token, so the next one is ours. Not a poll: each
            # sleep lasts until the next token is due (again only if the rate fell meanwhile).
            while not self._take(self._clock()):  # noqa: ASYNC110
                await anyio.sleep((1.0 - self._tokens) / self._rate)
        finally:
            # Taking the token and leaving happen with no await between them: a cancellation lands
            # either before the take (nothing spent) or after return (the token was used).
            was_front = bool(line) and next(iter(line)) is waiter
            line.pop(waiter, None)
            if was_front and line:
                next(iter(line)).turn.set()

    def _check_owner(self) -> None:
        here = (os.getpid(), threading.get_ident())
        if self._line and self._owner != here:
            if self._owner[0] != here[0]:
                # Forked while callers waited: they live on in the parent only, and would block this
                # process's line forever.
                self._line.clear()
            else:
                raise RuntimeError(
                    f"{type(self).__name__} is waited on from two event loops at once; a limiter "
                    "serves one loop: give each event loop (each sync client) its own limiter"
                )
        self._owner = here

    def _refill(self, now: float) -> None:
        elapsed = now - self._updated
        if elapsed > 0:
            # With callers in line the bucket has not been idle since it was last refilled (someone
            # has been waiting for every token since), so what it earned past ``burst`` was earned
            # while its waiter was late: keep a little of it (see _LATE_CREDIT).
            limit = self._capacity + _LATE_CREDIT if self._line else self._capacity
            self._tokens = min(limit, self._tokens + elapsed * self._rate)
            self._updated = now

    def _take(self, now: float) -> bool:
        self._refill(now)
        if self._tokens >= 1.0 - _EPSILON:
            self._tokens -= 1.0
            return True
        return False

    def _set_rate(self, rate: float) -> None:
        # Tokens earned so far were earned at the old rate.
        self._refill(self._clock())
        self._rate = rate
        self._capacity = float(min(self._burst, max(1, math.floor(rate))))
        self._tokens = min(self._tokens, self._capacity)
        # The front of the line may be asleep for longer than the new rate needs; it wakes at its
        # old time and recomputes, so a rise takes effect within one old interval.


def limiter_middleware(limiter: Limiter) -> Middleware:
    """A middleware that waits for ``limiter`` before each attempt.

    Put it among the client's ``middlewares`` (they run once per attempt, inside the retries), so
    a retry queues for a token like any other request. When ``limiter`` is an
    :class:`AdaptiveLimiter` (checked once, here), each attempt's status is fed back to it.
    """
    acquire = limiter.acquire
    if not isinstance(limiter, AdaptiveLimiter):

        async def paced(request: Request, call_next: Handler) -> Response:
            await acquire()
            return await call_next(request)

        return paced

    record = limiter.record

    async def adaptive(request: Request, call_next: Handler) -> Response:
        await acquire()
        try:
            response = await call_next(request)
        except APIConnectionError:
            record(None)
            raise
        record(response.status)
        return response

    return adaptive
