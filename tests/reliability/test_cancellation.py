"""Cancelling requests at random points leaks no connection, no task and no warning."""

from __future__ import annotations

import asyncio
import random
import time

import anyio
import pytest

import stripe_identity as si
from stripe_identity.emulator import Emulator
from tests.conftest import TEST_KEY
from tests.scale import scale

pytestmark = pytest.mark.anyio

POOL = 10


def acquired_connections(client: si.AsyncStripeIdentity) -> int:
    # aiohttp has no public gauge of connections in use; its connector's set is the truth.
    pool = client._transport._pool
    assert pool is not None and pool.session.connector is not None
    return len(pool.session.connector._acquired)


async def cancelled_at_random(client: si.AsyncStripeIdentity, i: int, delay: float) -> str:
    """One call, cancelled after ``delay`` by one of three mechanisms; says how it ended."""
    call = (
        client.verification_sessions.create({"type": "document"})
        if i % 2
        else client.verification_sessions.list({"limit": 3})
    )
    how = i % 3
    if how == 0:  # an anyio cancel scope
        with anyio.move_on_after(delay):
            await call
            return "done"
        return "cancelled"
    if how == 1:  # asyncio.wait_for
        try:
            await asyncio.wait_for(call, delay)
        except asyncio.TimeoutError:
            return "cancelled"
        return "done"
    task = asyncio.ensure_future(call)  # a task cancelled from outside
    await asyncio.sleep(delay)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        return "cancelled"
    return "done"


async def test_random_cancellations_leave_nothing_behind() -> None:
    total = scale(300, 1_000)
    rng = random.Random(5)
    # The emulator runs on its own loop in a thread, so this loop holds the client's tasks only.
    with Emulator(latency=0.004) as emu:
        async with si.AsyncStripeIdentity(
            TEST_KEY, api_base=emu.api_base, max_connections=POOL
        ) as client:
            await client.verification_sessions.list()  # warm the pool
            baseline = {t for t in asyncio.all_tasks() if not t.done()}
            results: list[str] = []

            async def run(i: int) -> None:
                results.append(await cancelled_at_random(client, i, rng.uniform(0, 0.03)))

            for start in range(0, total, 50):
                async with anyio.create_task_group() as tg:
                    for i in range(start, min(start + 50, total)):
                        tg.start_soon(run, i)
            assert len(results) == total
            assert 0 < results.count("cancelled") < total
            await anyio.sleep(0.05)
            assert acquired_connections(client) == 0
            assert {t for t in asyncio.all_tasks() if not t.done()} - baseline == set()
            # Every slot of the pool still works: POOL concurrent calls finish together.
            started = time.monotonic()
            async with anyio.create_task_group() as tg:
                for _ in range(POOL):
                    tg.start_soon(client.verification_sessions.list)
            assert time.monotonic() - started < 1.0
    print(f"\n{results.count('cancelled')} of {total} requests cancelled; pool and tasks clean")
