"""Client-side pacing: the token bucket's arguments, order, burst, rate and cancellation.

Most tests drive the bucket with a fake clock that only moves when told, so what they check is exact
and does not depend on how busy the machine is. The one real-time test bounds the rate from above
exactly (a limiter can never run ahead of its clock) and from below generously.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import anyio
import anyio.lowlevel
import pytest

from stripe_identity._adaptive import AdaptiveRateLimiter
from stripe_identity._limiter import (
    AdaptiveLimiter,
    RateLimiter,
)
from tests.client.limiting import PATIENCE, FakeClock, line_of, until

# --- arguments -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        ((0,), {}, "positive"),
        ((-5,), {}, "positive"),
        ((math.nan,), {}, "positive"),
        ((math.inf,), {}, "positive"),
        (("25",), {}, "number"),
        ((True,), {}, "number"),
        ((25,), {"burst": 0}, "positive int"),
        ((25,), {"burst": 2.0}, "positive int"),
        ((25,), {"burst": True}, "positive int"),
        ((25,), {"burst": 26}, "at most the rate"),
        ((0.5,), {"burst": 2}, "at most the rate"),
    ],
)
def test_rate_limiter_rejects_bad_arguments(
    args: tuple[object, ...], kwargs: dict[str, object], match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        RateLimiter(*args, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"min_rate": 60}, "min_rate <= rate <= max_rate"),
        ({"max_rate": 40}, "min_rate <= rate <= max_rate"),
        ({"min_rate": 0}, "positive"),
        ({"decrease": 0}, "between 0 and 1"),
        ({"decrease": 1}, "between 0 and 1"),
        ({"decrease": math.nan}, "between 0 and 1"),
        ({"increase": 0}, "positive"),
        ({"recovery": 0}, "positive"),
        ({"recovery": math.inf}, "positive"),
        ({"recovery": True}, "positive"),
        ({"window": -1}, "non-negative"),
        ({"window": math.inf}, "non-negative"),
        ({"burst": 51}, "at most the rate"),
    ],
)
def test_adaptive_limiter_rejects_bad_arguments(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        AdaptiveRateLimiter(50, **kwargs)  # type: ignore[arg-type]


def test_defaults_and_inspection() -> None:
    limiter = RateLimiter(25)
    assert (limiter.rate, limiter.burst, limiter.waiting) == (25.0, 1, 0)
    assert repr(limiter) == "RateLimiter(rate=25, burst=1, waiting=0)"
    assert RateLimiter(0.5).burst == 1  # below 1/s the bucket still holds the one token it needs
    assert RateLimiter(25, burst=25).burst == 25
    adaptive = AdaptiveRateLimiter(50)
    assert (adaptive.rate, adaptive.min_rate, adaptive.max_rate, adaptive.decreases) == (50, 1, 50, 0)
    assert isinstance(adaptive, AdaptiveLimiter)
    assert not isinstance(limiter, AdaptiveLimiter)


# --- the bucket ----------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_burst_goes_at_once_without_a_task_switch() -> None:
    clock = FakeClock()
    limiter = RateLimiter(100, burst=5, clock=clock)
    others_ran = False

    def mark() -> None:
        nonlocal others_ran
        others_ran = True

    async with anyio.create_task_group() as tg:
        tg.start_soon(_call, mark)
        for _ in range(5):
            await limiter.acquire()
        # Five tokens, five acquires, and the task started above never got to run.
        assert not others_ran
        assert limiter.waiting == 0

        sixth = anyio.Event()

        async def one_more() -> None:
            await limiter.acquire()
            sixth.set()

        tg.start_soon(one_more)
        await until(lambda: limiter.waiting == 1)
        await anyio.sleep(0.05)  # the clock stands still: no token, however long we wait
        assert not sixth.is_set()
        clock.advance(0.01)  # one token's worth
        with anyio.fail_after(PATIENCE):
            await sixth.wait()
        assert limiter.waiting == 0


async def _call(func: Callable[[], None]) -> None:
    func()


@pytest.mark.anyio
async def test_callers_are_served_in_arrival_order() -> None:
    clock = FakeClock()
    limiter = RateLimiter(100, burst=20, clock=clock)
    for _ in range(20):
        await limiter.acquire()  # the bucket is empty now: everyone below waits in line
    served: list[int] = []

    async def caller(index: int) -> None:
        await limiter.acquire()
        served.append(index)

    async with anyio.create_task_group() as tg:
        for index in range(20):
            tg.start_soon(caller, index)
            await line_of(limiter, index + 1)
        clock.advance(1.0)  # twenty tokens at once: only the order can tell who came first
    assert served == list(range(20))


@pytest.mark.anyio
async def test_a_latecomer_waits_behind_the_line_even_when_tokens_are_due() -> None:
    clock = FakeClock()
    limiter = RateLimiter(100, burst=3, clock=clock)
    for _ in range(3):
        await limiter.acquire()
    served: list[str] = []

    async def caller(name: str) -> None:
        await limiter.acquire()
        served.append(name)

    async with anyio.create_task_group() as tg:
        tg.start_soon(caller, "first")
        tg.start_soon(caller, "second")
        await until(lambda: limiter.waiting == 2)
        # Three tokens become due while the front of the line is still asleep. A newcomer must not
        # take one on the fast path: the two in line came first.
        clock.advance(1.0)
        tg.start_soon(caller, "late")
        await until(lambda: len(served) == 3)
    assert served == ["first", "second", "late"]


@pytest.mark.anyio
async def test_a_late_wake_up_does_not_push_the_next_token_back() -> None:
    clock = FakeClock()
    limiter = RateLimiter(100, clock=clock)  # burst 1: a token every 10 ms
    await limiter.acquire()
    served: list[int] = []

    async def caller(index: int) -> None:
        await limiter.acquire()
        served.append(index)

    async with anyio.create_task_group() as tg:
        for index in range(4):
            tg.start_soon(caller, index)
            await line_of(limiter, index + 1)
        # The front's token was due at 10 ms, and it wakes at 14 ms: the next is still due at 20 ms,
        # not at 24 ms, though a bucket of one cannot hold the 1.4 tokens earned by then.
        clock.advance(0.014)
        await until(lambda: served == [0])
        clock.advance(0.006)
        await until(lambda: served == [0, 1])
        # Half a token of lateness at most: woken at 45 ms, the next one is due at 50 + 5 = 55 ms.
        clock.advance(0.025)
        await until(lambda: served == [0, 1, 2])
        clock.advance(0.0049)
        await anyio.sleep(0.05)
        assert served == [0, 1, 2]
        clock.advance(0.0001)
        await until(lambda: served == [0, 1, 2, 3])


@pytest.mark.anyio
async def test_idle_time_banks_no_more_than_the_burst() -> None:
    clock = FakeClock()
    limiter = RateLimiter(100, clock=clock)
    await limiter.acquire()
    clock.advance(10.0)  # nobody waiting: the bucket fills to one token and stops
    await limiter.acquire()
    done = False

    async def second() -> None:
        nonlocal done
        await limiter.acquire()
        done = True

    async with anyio.create_task_group() as tg:
        tg.start_soon(second)
        await line_of(limiter, 1)
        clock.advance(0.0099)
        await anyio.sleep(0.05)
        assert not done
        clock.advance(0.0001)
        await until(lambda: done)


@pytest.mark.anyio
async def test_long_run_rate() -> None:
    rate, seconds = 50, 2.0
    limiter = RateLimiter(rate)
    count = 0

    async def worker() -> None:
        nonlocal count
        while True:
            await limiter.acquire()
            count += 1

    started = time.monotonic()
    with anyio.move_on_after(seconds):
        async with anyio.create_task_group() as tg:
            for _ in range(10):
                tg.start_soon(worker)
    elapsed = time.monotonic() - started
    # Never more than the bucket allows for the time that really passed (its clock is this clock);
    # fewer only if the machine is too busy to keep up, hence the loose lower bound.
    assert count <= limiter.burst + rate * elapsed + 1
    assert count >= rate * seconds * 0.5
    assert limiter.waiting == 0


@pytest.mark.anyio
async def test_cancelling_a_thousand_waiters_leaves_no_trace() -> None:
    clock = FakeClock()
    limiter = RateLimiter(100, burst=10, clock=clock)
    for _ in range(10):
        await limiter.acquire()

    async with anyio.create_task_group() as tg:
        for _ in range(1000):
            tg.start_soon(limiter.acquire)
        await until(lambda: limiter.waiting == 1000)
        tg.cancel_scope.cancel()
    assert limiter.waiting == 0

    # Exactly what the clock has earned since the bucket was emptied, and no more: the cancelled
    # callers neither spent tokens nor left a debt.
    clock.advance(0.05)
    others_ran = False

    def mark() -> None:
        nonlocal others_ran
        others_ran = True

    async with anyio.create_task_group() as tg:
        tg.start_soon(_call, mark)
        for _ in range(5):
            await limiter.acquire()
        assert not others_ran  # five fast-path acquires
        tg.start_soon(limiter.acquire)
        await until(lambda: limiter.waiting == 1)  # the sixth waits for the clock
        tg.cancel_scope.cancel()
    assert limiter.waiting == 0


@pytest.mark.anyio
async def test_cancelled_waiters_hand_their_place_on() -> None:
    clock = FakeClock()
    limiter = RateLimiter(100, burst=10, clock=clock)
    for _ in range(10):
        await limiter.acquire()
    scopes: list[anyio.CancelScope] = []
    served: list[int] = []

    async def caller(index: int) -> None:
        with anyio.CancelScope() as scope:
            scopes.append(scope)
            await limiter.acquire()
            served.append(index)

    async with anyio.create_task_group() as tg:
        for index in range(10):
            tg.start_soon(caller, index)
            await line_of(limiter, index + 1)
        for index in (0, 3, 4, 9):  # the front of the line among them
            scopes[index].cancel()
        await line_of(limiter, 6)
        clock.advance(1.0)
    assert served == [1, 2, 5, 6, 7, 8]
    assert limiter.waiting == 0


@pytest.mark.anyio
async def test_an_already_cancelled_caller_takes_no_token() -> None:
    clock = FakeClock()
    limiter = RateLimiter(100, burst=1, clock=clock)
    with anyio.CancelScope() as scope:
        scope.cancel()
        await limiter.acquire()
    assert scope.cancelled_caught
    await limiter.acquire()  # the one token is still there
    assert limiter.waiting == 0


def test_built_outside_a_loop_then_used_on_one_loop_after_another() -> None:
    limiter = RateLimiter(1000)

    async def use() -> None:
        async with anyio.create_task_group() as tg:
            for _ in range(5):
                tg.start_soon(limiter.acquire)
        assert limiter.waiting == 0

    for _ in range(2):
        anyio.run(use, backend="asyncio")


@pytest.mark.anyio
async def test_two_loops_waiting_at_once_is_refused() -> None:
    clock = FakeClock()
    limiter = RateLimiter(100, burst=1, clock=clock)
    await limiter.acquire()
    async with anyio.create_task_group() as tg:
        tg.start_soon(limiter.acquire)
        await until(lambda: limiter.waiting == 1)

        def other_loop() -> None:
            anyio.run(limiter.acquire, backend="asyncio")

        with pytest.raises(RuntimeError, match="two event loops"):
            await anyio.to_thread.run_sync(other_loop)
        tg.cancel_scope.cancel()
    assert limiter.waiting == 0


@pytest.mark.anyio
async def test_a_forked_child_drops_the_parents_line(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FakeClock()
    limiter = RateLimiter(100, burst=1, clock=clock)
    await limiter.acquire()
    async with anyio.create_task_group() as tg:
        tg.start_soon(limiter.acquire)  # the "parent's" waiter
        await until(lambda: limiter.waiting == 1)
        monkeypatch.setattr("stripe_identity._limiter.os.getpid", lambda: -1)
        clock.advance(0.01)
        # In the "child", the parent's waiter is gone, and the new caller is first in line.
        tg.start_soon(limiter.acquire)
        await until(lambda: limiter.waiting == 0)
        tg.cancel_scope.cancel()
    assert limiter.waiting == 0
