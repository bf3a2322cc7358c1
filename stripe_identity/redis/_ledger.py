"""``RedisEventLedger``: the :class:`~stripe_identity.EventLedger` every worker that reaches one Redis
shares.

One key per event, ``prefix:{event_id}``, holding ``lease:TOKEN`` (expiring with the lease) or
``done:TOKEN`` (expiring after ``remember_days``); each method is one Lua script, so claiming,
completing and releasing are each atomic, on a single key (any Redis Cluster slot will do). Redis
must keep the ``done`` marks across a restart for them to mean anything: give it persistence
(``appendonly yes``), unlike a rate limiter's state.

A claim cancelled while Redis answers is given back at once, not left to run out its lease.
Redis's failures raise :class:`~stripe_identity.SharedStoreError`: answer the delivery with a 5xx and
Stripe will try again later; nothing local can stand in for what other workers have claimed.
"""

from __future__ import annotations

import anyio
from anyio.lowlevel import checkpoint

from .._errors import LeaseLostError, SharedStoreError
from .._ledger import (
    DEFAULT_LEASE,
    DEFAULT_REMEMBER_DAYS,
    Claim,
    checked_event_id,
    checked_ledger_times,
    default_worker_name,
    new_token,
)
from ._store import Client, Store, checked_name

__all__ = ["RedisEventLedger"]

# ARGV: token, lease (ms). Answers the claim's status.
_CLAIM = """
local held = redis.call('GET', KEYS[1])
if not held then
  redis.call('SET', KEYS[1], 'lease:' .. ARGV[1], 'PX', ARGV[2])
  return 'claimed'
end
if string.sub(held, 1, 5) == 'done:' then return 'done' end
return 'busy'
"""

# ARGV: token, memory (ms). 'ok' (done now, or done by this token before) or 'lost'.
_COMPLETE = """
local held = redis.call('GET', KEYS[1])
if held == 'done:' .. ARGV[1] then return 'ok' end
if held and held ~= 'lease:' .. ARGV[1] then return 'lost' end
redis.call('SET', KEYS[1], 'done:' .. ARGV[1], 'PX', ARGV[2])
return 'ok'
"""

# ARGV: token. Drops the lease if it is still this token's.
_RELEASE = """
if redis.call('GET', KEYS[1]) == 'lease:' .. ARGV[1] then redis.call('DEL', KEYS[1]) end
return 'ok'
"""


class RedisEventLedger:
    """An :class:`~stripe_identity.EventLedger` in Redis, for workers in any number of processes.

    Args:
        redis: a URL (a client is made per event loop and closed with it), or a
            ``redis.asyncio.Redis`` or ``RedisCluster`` (used on its own loop, never closed).
        lease: seconds a claim holds an event (default 60): longer than handling one takes, and
            much shorter than Stripe's retries (days), which bring a dead worker's events back.
        remember_days: days a completed event is remembered (default 4: Stripe retries for three).
        prefix: the start of each event's key (``prefix:{evt_...}``).
        worker: this process's name in claim tokens (default ``host:pid``), for debugging.
        timeout: seconds one call to Redis may take before it raises ``SharedStoreError``.
    """

    def __init__(
        self,
        redis: str | Client,
        *,
        lease: float = DEFAULT_LEASE,
        remember_days: float = DEFAULT_REMEMBER_DAYS,
        prefix: str = "stripe_identity:event",
        worker: str | None = None,
        timeout: float = 2.0,
    ) -> None:
        lease_s, remember_s = checked_ledger_times(lease, remember_days)
        self._lease_ms = max(1, round(lease_s * 1000))
        self._remember_ms = round(remember_s * 1000)
        self._prefix = checked_name("prefix", prefix)
        self._worker = worker or default_worker_name()
        self._store = Store(redis, timeout)

    @property
    def lease(self) -> float:
        """Seconds a claim holds an event."""
        return self._lease_ms / 1000

    def __repr__(self) -> str:
        return f"RedisEventLedger(redis={self._store.where!r}, lease={self.lease:g})"

    def key(self, event_id: str) -> str:
        """The Redis key of an event's record."""
        return f"{self._prefix}:{{{checked_event_id(event_id)}}}"

    async def claim(self, event_id: str) -> Claim:
        """See :meth:`stripe_identity.EventLedger.claim`."""
        key = self.key(event_id)
        token = new_token(self._worker)
        # Shielded: a lease Redis granted must not be lost to a cancellation before we hear of it.
        status = _text(await self._store.run(_CLAIM, [key], [token, self._lease_ms], shield=True))
        if status not in ("claimed", "done", "busy"):
            raise SharedStoreError(f"Redis at {self._store.where} answered a claim with {status!r}")
        claim = Claim(event_id, status, token if status == "claimed" else "")  # type: ignore[arg-type]
        if claim.won:
            try:
                await checkpoint()
            except BaseException:
                with anyio.CancelScope(shield=True):
                    await self.release(claim)
                raise
        return claim

    async def complete(self, claim: Claim) -> None:
        """See :meth:`stripe_identity.EventLedger.complete`."""
        if not claim.won:
            raise ValueError(f"only a won claim can be completed; this one is {claim.status!r}")
        key = self.key(claim.event_id)
        # Shielded: the work is done, so its completion is recorded even if the caller is cancelled.
        args: list[str | int] = [claim.token, self._remember_ms]
        status = _text(await self._store.run(_COMPLETE, [key], args, shield=True))
        if status == "lost":
            raise LeaseLostError(
                f"event {claim.event_id} was taken over by another worker before this one "
                "completed it (the lease ran out): make the lease longer than handling takes",
                claim.event_id,
            )

    async def release(self, claim: Claim) -> None:
        """See :meth:`stripe_identity.EventLedger.release`."""
        if not claim.won:
            raise ValueError(f"only a won claim can be released; this one is {claim.status!r}")
        await self._store.run(_RELEASE, [self.key(claim.event_id)], [claim.token])

    async def aclose(self) -> None:
        """Close the Redis client made for the running loop (one given to the ledger stays open).
        Not required: a client the ledger made is closed when its event loop ends."""
        await self._store.aclose()


def _text(reply: object) -> str:
    return reply.decode() if isinstance(reply, bytes) else str(reply)
