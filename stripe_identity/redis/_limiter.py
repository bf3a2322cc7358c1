"""``RedisRateLimiter``: one rate shared by every process that reaches one Redis.

The algorithm is GCRA (the generic cell rate algorithm) in its scheduling form. Redis keeps one
number per budget: the *theoretical arrival time* (TAT) of the next request, in microseconds on
Redis's own clock. One Lua script per acquisition reserves the next slot, ``max(TAT, now)``, moves
the TAT one interval (``1/rate``) past it, and answers how long to wait for it; the caller sleeps
until then and sends. So:

* slots are at least one interval apart, on one clock, whatever the processes' clocks say: no
  1-second window ever holds more than ``rate`` of them, and the server sees requests evenly
  spaced, which a token bucket, a fixed window and a sliding window all accept;
* slots are handed out in the order the requests reach Redis: first come, first served across
  processes, with no polling (a sleeper wakes when its slot comes, not to ask again), and a late
  wake-up costs that one request a millisecond but never moves the schedule, so the rate holds;
* the state is one integer per budget and the script is O(1).

A sliding-window log was the alternative: it stores every request of the last second (``rate``
entries per budget) and lets a full second's worth go at once, which a server counting with a
bucket of the same size refuses as soon as network jitter bunches two bursts; its callers must
poll, and the fastest poller wins, which is not fair to a slower process.

Each process holds at most a few reservations at a time (``max(2, rate / 50)``: 20 ms of slots);
its other callers wait in a local first-come, first-served line. A process that dies takes at most
those few slots with it, and the others carry on at the full rate with no hand-over to wait for.
A caller cancelled while it waits gives its slot back (the script keeps returned slots in a sorted
set, for the next caller to take while they are still ahead): a cancelled wait spends no token.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
import weakref
from typing import Literal

import anyio
from anyio.lowlevel import checkpoint, checkpoint_if_cancelled

from .._errors import SharedStoreError
from .._limiter import RateLimiter
from .._logging import LOGGER_NAME
from ._store import Client, Store, checked_name, key, positive

__all__ = ["RedisRateLimiter"]

logger = logging.getLogger(LOGGER_NAME)

# KEYS: the TAT, the returned slots. ARGV: the interval (µs). Answers {slot, now} in µs. Numbers go
# out through %d: Lua's tostring would print 16-digit microsecond times in exponent notation.
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. string.format('%d', now))
local back = redis.call('ZRANGE', KEYS[2], 0, 0)
local slot
if back[1] then
  redis.call('ZREM', KEYS[2], back[1])
  slot = tonumber(back[1])
else
  slot = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), now)
  local ttl = math.ceil((slot + interval - now) / 1000) + 1000
  redis.call('SET', KEYS[1], string.format('%d', slot + interval), 'PX', ttl)
end
return {string.format('%d', slot), string.format('%d', now)}
"""

# KEYS as above. ARGV: the slot given back, the interval (µs). The last slot handed out moves the
# TAT back; any other still ahead joins the returned slots; one already past is gone.
_GIVE_BACK = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local slot = tonumber(ARGV[1])
if slot < now then return 0 end
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat == slot + tonumber(ARGV[2]) then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', math.ceil((slot - now) / 1000) + 1000)
elseif tat > slot then
  redis.call('ZADD', KEYS[2], slot, ARGV[1])
  redis.call('PEXPIRE', KEYS[2], math.ceil((tat - now) / 1000) + 1000)
end
return 1
"""

_LOOKAHEAD = 0.02  # seconds of slots one process may hold, beyond the minimum of two
OnUnavailable = Literal["local", "raise"]


class _Outage:
    """Whether Redis is out, when to try it again, and the two log lines an outage gets."""

    def __init__(self, limiter: str, where: str, fallback: str, retry_interval: float) -> None:
        self.limiter, self.where, self.fallback = limiter, where, fallback
        self.retry_interval = retry_interval
        self.since: float | None = None
        self.retry_at = 0.0
        self.error: SharedStoreError | None = None

    def should_try(self) -> bool:
        if self.since is None:
            return True
        now = time.monotonic()
        if now < self.retry_at:
            return False
        self.retry_at = now + self.retry_interval  # one caller probes; the others keep falling back
        return True

    def failed(self, error: SharedStoreError) -> None:
        self.error = error
        now = time.monotonic()
        self.retry_at = now + self.retry_interval
        if self.since is None:
            self.since = now
            logger.warning("%s: %s; %s until it answers again", self.limiter, error, self.fallback)

    def recovered(self) -> None:
        if self.since is not None:
            down = time.monotonic() - self.since
            self.since = self.error = None
            logger.info("%s: Redis at %s answers again after %.1f s", self.limiter, self.where, down)


class _Local:
    """One event loop's side: the line to Redis, and the local limiter for outages."""

    def __init__(self, holders: int, fallback_rate: float | None) -> None:
        self.gate = anyio.Semaphore(holders, fast_acquire=True)
        # One reservation at a time, in arrival order: two sent at once could reach Redis in either
        # order (each on a connection of its own), and the later caller would get the earlier slot.
        self.line = anyio.Lock()
        self.fallback = RateLimiter(fallback_rate) if fallback_rate is not None else None


class RedisRateLimiter:
    """A :class:`~stripe_identity.Limiter` whose budget, ``rate`` requests per second, is shared by
    every limiter with the same ``name`` on the same Redis, in any process on any machine.

    Args:
        redis: a URL (``redis://host:6379/0``; a client is made per event loop and closed with it),
            or a ``redis.asyncio.Redis`` or ``RedisCluster`` (used on its own loop, never closed).
        name: the budget, such as the Stripe account id; a Redis Cluster hash tag, so no braces.
        rate: requests per second, the same in every process sharing ``name``.
        on_unavailable: what happens while Redis cannot be reached: ``"local"``, pace this process
            alone at ``local_share`` of the rate (``1/P`` for P processes keeps the total in
            bounds); or ``"raise"``, every acquisition raises :class:`~stripe_identity.SharedStoreError`.
            Either way one WARNING says so when it starts and one INFO when Redis is back.
        local_share: with ``"local"``, the share of ``rate`` (above 0, at most 1).
        timeout: seconds one call to Redis may take before Redis counts as unreachable.
        retry_interval: seconds between tries of an unreachable Redis (one caller tries; the others
            fall back meanwhile).
        prefix: the start of the keys (``prefix:{name}:tat`` and ``prefix:{name}:returned``).

    ``acquire()`` waits for the next slot; ``take()`` does the same and says when the slot was, in
    seconds since the epoch on Redis's clock (on this machine's clock when paced locally).
    """

    def __init__(
        self,
        redis: str | Client,
        name: str,
        rate: float,
        *,
        on_unavailable: OnUnavailable,
        local_share: float | None = None,
        timeout: float = 1.0,
        retry_interval: float = 1.0,
        prefix: str = "stripe_identity:rate",
    ) -> None:
        self._name = checked_name("name", name)
        self._rate = positive("rate", rate)
        prefix = checked_name("prefix", prefix)
        self._keys = (key(prefix, name, "tat"), key(prefix, name, "returned"))
        self._interval = max(1, math.ceil(1_000_000 / self._rate))  # µs: rate slots span >= 1 s
        self._holders = max(2, math.ceil(self._rate * _LOOKAHEAD))
        self._fallback_rate = _fallback_rate(on_unavailable, local_share, self._rate)
        self._store = Store(redis, timeout)
        if self._fallback_rate is None:
            fallback = "acquisitions raise SharedStoreError"
        else:
            fallback = f"pacing this process alone at {self._fallback_rate:g}/s"
        self._outage = _Outage(
            f"RedisRateLimiter {name!r}",
            self._store.where,
            fallback,
            positive("retry_interval", retry_interval),
        )
        self._loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Local] = (
            weakref.WeakKeyDictionary()
        )

    @property
    def name(self) -> str:
        """The shared budget's name."""
        return self._name

    @property
    def rate(self) -> float:
        """Requests per second, across every process sharing the budget."""
        return self._rate

    @property
    def unavailable(self) -> bool:
        """True while Redis is out (and acquisitions fall back, or raise)."""
        return self._outage.since is not None

    def __repr__(self) -> str:
        return f"RedisRateLimiter(name={self._name!r}, rate={self._rate:g}, redis={self._store.where!r})"

    async def acquire(self) -> None:
        """Return when one more request may be sent, by the shared budget (see the class notes)."""
        await self.take()

    async def take(self) -> float:
        """Like :meth:`acquire`; returns the slot's time, in seconds since the epoch."""
        await checkpoint_if_cancelled()
        local = self._here()
        async with local.gate:
            if self._outage.should_try():
                try:
                    async with local.line:
                        slot, now = await self._reserve()
                except SharedStoreError as error:
                    self._outage.failed(error)
                else:
                    self._outage.recovered()
                    return await self._wait_for(slot, now)
        if local.fallback is None:
            last = self._outage.error  # read once: another thread's caller may clear it
            raise SharedStoreError(str(last or f"Redis at {self._store.where} is unavailable"))
        await local.fallback.acquire()
        return time.time()

    async def aclose(self) -> None:
        """Close the Redis client made for the running loop (one given to the limiter stays open).
        Not required: a client the limiter made is closed when its event loop ends."""
        await self._store.aclose()

    def _here(self) -> _Local:
        loop = asyncio.get_running_loop()
        local = self._loops.get(loop)
        if local is None:
            local = self._loops[loop] = _Local(self._holders, self._fallback_rate)
        return local

    async def _reserve(self) -> tuple[int, int]:
        # Shielded: a cancellation must not land after Redis reserved a slot and before we know
        # which, or the slot could not be given back.
        reply = await self._store.run(_RESERVE, self._keys, [self._interval], shield=True)
        try:
            return int(reply[0]), int(reply[1])
        except (TypeError, ValueError, IndexError):
            raise SharedStoreError(
                f"Redis at {self._store.where} answered the rate script with {reply!r}"
            ) from None

    async def _wait_for(self, slot: int, now: int) -> float:
        try:
            if slot > now:
                await anyio.sleep((slot - now) / 1_000_000)
            else:
                await checkpoint()
        except BaseException:
            # Cancelled (or worse) before the slot was used: give it back, without waiting long.
            # If Redis fails here the slot stays unused: one request's worth of the rate, once.
            with contextlib.suppress(SharedStoreError):
                await self._store.run(_GIVE_BACK, self._keys, [slot, self._interval], shield=True)
            raise
        return slot / 1_000_000


def _fallback_rate(on_unavailable: object, local_share: object, rate: float) -> float | None:
    if on_unavailable == "raise":
        if local_share is not None:
            raise ValueError('local_share goes with on_unavailable="local"')
        return None
    if on_unavailable != "local":
        raise ValueError(f'on_unavailable is "local" or "raise", not {on_unavailable!r}')
    if local_share is None:
        raise ValueError(
            'on_unavailable="local" needs local_share: the share of the rate this process may use '
            "alone while Redis is unreachable (1/P for P processes)"
        )
    share = positive("local_share", local_share)
    if share > 1:
        raise ValueError(f"local_share is at most 1, not {local_share!r}")
    return rate * share
