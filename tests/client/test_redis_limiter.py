"""RedisRateLimiter on a real redis-server: slots one interval apart on Redis's clock, shared by every
limiter of a name, first come first served, given back when cancelled, usable by both clients, and
the behaviour chosen for when Redis cannot be reached (logged once, not per call)."""

from __future__ import annotations

import asyncio
import itertools
import logging
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
import anyio.lowlevel
import pytest
import redis.asyncio
from redis.crc import key_slot

import stripe_identity as si
from benchmarks.redis_server import RedisServer
from stripe_identity.emulator import Emulator
from stripe_identity.redis import RedisEventLedger, RedisRateLimiter
from tests.conftest import TEST_KEY
from tests.redis_server import (
    own_redis as own_redis,
    redis_cluster as redis_cluster,
    redis_server as redis_server,
    redis_url as redis_url,
)

pytestmark = pytest.mark.anyio

Make = Callable[..., RedisRateLimiter]


@pytest.fixture
async def make(redis_url: str) -> AsyncIterator[Make]:
    made: list[RedisRateLimiter] = []

    def factory(name: str = "acct_test", rate: float = 50, **options: Any) -> RedisRateLimiter:
        options.setdefault("on_unavailable", "raise")
        made.append(RedisRateLimiter(redis_url, name, rate, **options))
        return made[-1]

    yield factory
    for limiter in made:
        await limiter.aclose()


def window_max(times: list[float], window: float = 1.0) -> int:
    """The most of ``times`` inside any half-open interval ``[t, t + window)``."""
    ordered, start, best = sorted(times), 0, 0
    for end, at in enumerate(ordered):
        while at - ordered[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def is_down(limiter: RedisRateLimiter) -> bool:
    return limiter.unavailable


def micros(times: list[float]) -> list[int]:
    return sorted(round(t * 1_000_000) for t in times)


async def test_slots_are_one_interval_apart_on_redis_clock(make: Make) -> None:
    limiter = make(rate=50)
    slots = micros([await limiter.take() for _ in range(5)])
    assert [b - a for a, b in itertools.pairwise(slots)] == [20_000] * 4


async def test_limiters_sharing_a_name_share_the_rate(make: Make) -> None:
    # Two limiters on two event loops' worth of state: what two processes would do.
    first, second, other = make(rate=20), make(rate=20), make(name="acct_other", rate=20)
    slots: list[float] = []
    others: list[float] = []

    async def take(limiter: RedisRateLimiter, into: list[float]) -> None:
        into.append(await limiter.take())

    async with anyio.create_task_group() as group:
        for n in range(30):
            group.start_soon(take, first if n % 2 else second, slots)
        for _ in range(5):
            group.start_soon(take, other, others)
    spaced = micros(slots)
    assert min(b - a for a, b in itertools.pairwise(spaced)) >= 50_000
    assert window_max(slots) == 20  # never more than the rate in any second
    assert min(others) < sorted(slots)[5]  # another name is another budget: it did not queue


async def test_callers_of_one_process_are_served_in_order(make: Make) -> None:
    limiter = make(rate=100)
    order: list[int] = []

    async def call(n: int) -> None:
        await limiter.take()
        order.append(n)

    async with anyio.create_task_group() as group:
        for n in range(12):
            group.start_soon(call, n)
            await anyio.lowlevel.checkpoint()  # each one asks before the next
    assert order == list(range(12))


async def test_a_cancelled_wait_gives_its_slot_back(make: Make) -> None:
    first, second = make(rate=2), make(rate=2)
    # The first limiter holds the next two slots; the second queues the third behind them.
    results: dict[str, float] = {}

    async def take(limiter: RedisRateLimiter, name: str) -> None:
        results[name] = await limiter.take()

    async with anyio.create_task_group() as group:
        group.start_soon(take, first, "a")
        await anyio.sleep(0.05)
        with anyio.CancelScope() as cancelled:
            async with anyio.create_task_group() as inner:
                inner.start_soon(take, first, "b")  # the slot 0.5 s after a's
                await anyio.sleep(0.05)
                group.start_soon(take, second, "c")  # the slot after b's
                await anyio.sleep(0.05)
                cancelled.cancel()  # b gives its slot back: not the last one, so it is kept
        group.start_soon(take, second, "d")  # takes b's slot back, ahead of the schedule
    assert "b" not in results
    a, c, d = (round(results[k] * 1_000_000) for k in "acd")
    assert (d - a, c - a) == (500_000, 1_000_000)


async def test_the_last_slot_cancelled_moves_the_schedule_back(make: Make) -> None:
    limiter = make(rate=10)
    start = await limiter.take()
    with anyio.move_on_after(0.02):
        await limiter.take()  # would wait 0.1 s: cancelled
    assert round((await limiter.take() - start) * 1_000_000) == 100_000


async def test_keys_carry_the_name_as_a_cluster_hash_tag(make: Make, redis_url: str) -> None:
    limiter = make(name="acct_123", prefix="myapp:rate")
    await limiter.take()
    raw = redis.asyncio.Redis.from_url(redis_url)
    try:
        keys = sorted(k.decode() if isinstance(k, bytes) else k for k in await raw.keys("*"))
    finally:
        await raw.aclose()
    assert keys == ["myapp:rate:{acct_123}:tat"]
    assert key_slot(b"myapp:rate:{acct_123}:tat") == key_slot(b"myapp:rate:{acct_123}:returned")


async def test_a_client_given_to_it_is_used_and_left_open(redis_url: str) -> None:
    client = redis.asyncio.Redis.from_url(redis_url)
    try:
        limiter = RedisRateLimiter(client, "acct_given", 100, on_unavailable="raise")
        await limiter.take()
        await limiter.aclose()
        assert await client.ping()
        assert "acct_given" in repr(limiter)
    finally:
        await client.aclose()


async def test_the_async_client_paces_through_it(make: Make, emulator: Emulator) -> None:
    limiter = make(rate=40)
    async with si.AsyncStripeIdentity(TEST_KEY, api_base=emulator.api_base, rate_limit=limiter) as c:
        await asyncio.gather(*(c.verification_sessions.create({"type": "document"}) for _ in range(6)))
    assert emulator.stats()["sessions"] == 6


def test_the_sync_client_from_many_threads_paces_through_it(redis_url: str) -> None:
    limiter = RedisRateLimiter(redis_url, "acct_sync", 50, on_unavailable="raise")
    slots: list[float] = []

    class Recording:
        async def acquire(self) -> None:
            slots.append(await limiter.take())

    with (
        Emulator() as emu,
        si.StripeIdentity(TEST_KEY, api_base=emu.api_base, rate_limit=Recording()) as client,
    ):

        def work() -> None:
            for _ in range(3):
                client.verification_sessions.create({"type": "document"})

        threads = [threading.Thread(target=work) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert emu.stats()["sessions"] == 12
    spaced = micros(slots)
    assert len(spaced) == 12 and min(b - a for a, b in itertools.pairwise(spaced)) >= 20_000
    # Its loop has ended; the client the limiter made there was closed with it (no warning).


async def test_unreachable_redis_falls_back_to_a_share_locally_and_logs_once(
    own_redis: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "stripe_identity")
    url = own_redis.url.replace("redis://", "redis://:s3cretpass@")  # a password never shown
    limiter = RedisRateLimiter(
        own_redis.url, "acct_down", 100, on_unavailable="local", local_share=0.5, retry_interval=0.1
    )
    try:
        await limiter.take()
        own_redis.stop()
        before = anyio.current_time()
        for _ in range(11):
            await limiter.take()
        assert limiter.unavailable
        assert anyio.current_time() - before >= 0.19  # 10 intervals of 1/50 s: the local share
        own_redis.restart()
        with anyio.fail_after(10):
            while is_down(limiter):
                await anyio.sleep(0.05)
                await limiter.take()
    finally:
        await limiter.aclose()
    lines = [r for r in caplog.records if r.name == "stripe_identity"]
    assert [r.levelname for r in lines] == ["WARNING", "INFO"]
    assert "pacing this process alone at 50/s" in lines[0].getMessage()
    assert "answers again" in lines[1].getMessage()
    assert url not in caplog.text and "s3cretpass" not in caplog.text


async def test_unreachable_redis_raises_when_told_to(caplog: pytest.LogCaptureFixture) -> None:
    limiter = RedisRateLimiter(
        "redis://:s3cretpass@127.0.0.1:9/0", "acct_down", 10, on_unavailable="raise", timeout=2
    )
    for _ in range(3):
        with pytest.raises(si.SharedStoreError, match=r"Redis at redis://127\.0\.0\.1:9/0 failed"):
            await limiter.take()
    assert limiter.unavailable
    warnings = [r for r in caplog.records if r.name == "stripe_identity"]
    assert len(warnings) == 1 and "raise SharedStoreError" in warnings[0].getMessage()
    assert "s3cretpass" not in caplog.text


@pytest.mark.parametrize(
    ("args", "options", "error", "match"),
    [
        (("redis://x", "acct", 0), {"on_unavailable": "raise"}, ValueError, "rate must be positive"),
        (("redis://x", "acct", True), {"on_unavailable": "raise"}, TypeError, "rate is a number"),
        (("redis://x", "{acct}", 1), {"on_unavailable": "raise"}, ValueError, "without braces"),
        (("redis://x", "", 1), {"on_unavailable": "raise"}, ValueError, "1 to 200 characters"),
        (("redis://x", "acct", 1), {"on_unavailable": "wait"}, ValueError, '"local" or "raise"'),
        (("redis://x", "acct", 1), {"on_unavailable": "local"}, ValueError, "needs local_share"),
        (
            ("redis://x", "acct", 1),
            {"on_unavailable": "local", "local_share": 2},
            ValueError,
            "at most 1",
        ),
        (
            ("redis://x", "acct", 1),
            {"on_unavailable": "raise", "local_share": 0.5},
            ValueError,
            "goes with",
        ),
        (("http://x", "acct", 1), {"on_unavailable": "raise"}, ValueError, "starts with redis://"),
        ((42, "acct", 1), {"on_unavailable": "raise"}, TypeError, "a URL or a redis.asyncio"),
        (("redis://x", "acct", 1), {"on_unavailable": "raise", "timeout": 0}, ValueError, "timeout"),
    ],
)
def test_bad_arguments_are_clear_errors(
    args: tuple[Any, ...], options: dict[str, Any], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        RedisRateLimiter(*args, **options)


async def test_a_redis_cluster_serves_the_limiter_and_the_ledger(
    redis_cluster: list[RedisServer],
) -> None:
    client = redis.asyncio.RedisCluster(host="127.0.0.1", port=redis_cluster[0].port)
    try:
        # Names in slots on different nodes: each limiter's two keys hash to one slot by the tag.
        for name in ("acct_a", "acct_b", "acct_c", "acct_d"):
            limiter = RedisRateLimiter(client, name, 50, on_unavailable="raise")
            slots = micros([await limiter.take() for _ in range(3)])
            assert [b - a for a, b in itertools.pairwise(slots)] == [20_000, 20_000]
            with anyio.move_on_after(0.005):
                await limiter.take()  # cancelled: the give-back script runs on the cluster too
        assert "the Redis Cluster at 127.0.0.1:" in repr(limiter)
        ledger = RedisEventLedger(client)
        for n in range(6):
            claim = await ledger.claim(f"evt_cluster{n}")
            assert claim.won and (await ledger.claim(f"evt_cluster{n}")).busy
            await ledger.complete(claim)
            assert (await ledger.claim(f"evt_cluster{n}")).done
    finally:
        await client.aclose()
