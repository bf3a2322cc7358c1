"""Client-side pacing: the token bucket's order, burst, rate and cancellation; AIMD; the middleware.

Most tests drive the bucket with a fake clock that only moves when told, so what they check is exact
and does not depend on how busy the machine is. The one real-time test bounds the rate from above
exactly (a limiter can never run ahead of its clock) and from below generously.
"""

from __future__ import annotations

import collections
import math
import time
from collections.abc import Callable

import anyio
import anyio.lowlevel
import pytest

import stripe_identity as si
from stripe_identity._errors import APIConnectionError
from stripe_identity._limiter import (
    AdaptiveLimiter,
    AdaptiveRateLimiter,
    Limiter,
    RateLimiter,
    limiter_middleware,
)
from stripe_identity._middleware import Handler, build_chain
from stripe_identity._response import Request, Response
from stripe_identity._retry import RetryMiddleware, RetryPolicy
from tests.conftest import TEST_KEY
from tests.fake_api import FakeStripe, Reply, error_json

# Generous bounds for anything that waits on real time: they catch a hang, never a slow machine.
PATIENCE = 20.0


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


async def until(condition: Callable[[], bool]) -> None:
    """Let other tasks run until ``condition`` holds."""
    with anyio.fail_after(PATIENCE):
        while not condition():
            await anyio.lowlevel.checkpoint()


async def line_of(limiter: RateLimiter, length: int) -> None:
    await until(lambda: limiter.waiting == length)


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


# --- AIMD ----------------------------------------------------------------------------------------


def test_aimd_cuts_once_per_window_and_recovers() -> None:
    clock = FakeClock()
    limiter = AdaptiveRateLimiter(50, clock=clock)
    limiter.record(429)
    assert limiter.rate == pytest.approx(35)
    for _ in range(10):  # the rest of the burst: requests already in flight
        limiter.record(429)
    assert limiter.rate == pytest.approx(35)
    assert limiter.decreases == 1
    clock.advance(1.0)
    limiter.record(429)
    assert limiter.rate == pytest.approx(24.5)
    assert limiter.decreases == 2

    for status in (None, 500, 503):  # no news about the limit
        limiter.record(status)
    assert limiter.rate == pytest.approx(24.5)

    # In the window after a cut, answers are as stale as its 429s: only the slow climb.
    limiter.record(200)
    assert limiter.rate == pytest.approx(24.5 + 50 / 200 / 24.5)
    # Then a second of traffic (`rate` answers) closes over half the way back to 95 % of the rate
    # the cut started from, 35 (no answer came in the window before it: the limit is about there).
    clock.advance(1.0)
    goal = 0.95 * 35
    for _ in range(round(limiter.rate)):
        limiter.record(200)
    assert 24.5 + 0.5 * (goal - 24.5) < limiter.rate < goal
    while limiter.rate < goal:
        limiter.record(200)
    # Past it, +increase per second of traffic at the current rate: `rate` successes add `increase`.
    increase = 50 / 200
    before = limiter.rate
    for _ in range(round(before)):
        limiter.record(200)
    assert limiter.rate == pytest.approx(before + increase, rel=0.02)
    for _ in range(10_000):
        limiter.record(404)  # any answer but 429 and 5xx passed the server's limiter
    assert limiter.rate == 50  # the ceiling, never above


def test_aimd_aims_back_at_what_the_server_admitted() -> None:
    clock = FakeClock()
    limiter = AdaptiveRateLimiter(100, clock=clock)
    for _ in range(40):  # 40 answers in the second before the first 429: 40/s got through
        clock.advance(1 / 40)
        limiter.record(200)
    limiter.record(429)
    assert limiter.rate == pytest.approx(70)  # the cut starts from the rate
    clock.advance(1.0)
    for _ in range(1000):
        limiter.record(200)
    # The goal is 95 % of the 40/s admitted, not of the 100/s sent: already past it, only the slow
    # probe (+0.5/s per second of traffic), where aiming at 95/s would have climbed there.
    assert 70 < limiter.rate < 80


def test_aimd_never_goes_below_min_rate() -> None:
    clock = FakeClock()
    limiter = AdaptiveRateLimiter(50, min_rate=5, clock=clock)
    for _ in range(20):
        limiter.record(429)
        clock.advance(1.0)
    assert limiter.rate == 5


def test_aimd_keeps_the_bucket_within_the_rate() -> None:
    clock = FakeClock()
    limiter = AdaptiveRateLimiter(20, burst=10, clock=clock)
    for _ in range(3):
        limiter.record(429)
        clock.advance(1.0)
    assert limiter.rate == pytest.approx(6.86)
    clock.advance(100.0)
    taken = 0
    while limiter._take(clock()):
        taken += 1
    assert taken == 6  # not the 10 of the configured burst


def test_aimd_converges_near_an_unknown_limit_with_few_429s() -> None:
    """A simulated server (a bucket of L per second) and a client starting at twice L.

    Requests leave at the limiter's current rate; each answer comes back 0.2 s later. Deterministic:
    a fake clock, no sleeping.
    """
    limit = 25.0
    clock = FakeClock(0.0)
    limiter = AdaptiveRateLimiter(2 * limit, clock=clock)
    server_tokens, server_updated = limit, 0.0
    in_flight: collections.deque[tuple[float, int]] = collections.deque()
    statuses: list[tuple[float, int]] = []
    rates: list[float] = []
    while clock.now < 120.0:
        clock.advance(1.0 / limiter.rate)
        while in_flight and in_flight[0][0] <= clock.now:
            limiter.record(in_flight.popleft()[1])
        server_tokens = min(limit, server_tokens + (clock.now - server_updated) * limit)
        server_updated = clock.now
        if server_tokens >= 1:
            server_tokens -= 1
            status = 200
        else:
            status = 429
        in_flight.append((clock.now + 0.2, status))
        statuses.append((clock.now, status))
        rates.append(limiter.rate)
    settled = [status for when, status in statuses if when > 30]
    ok = settled.count(200) / 90.0
    assert ok > 0.97 * limit  # uses the limit
    assert settled.count(429) / len(settled) < 0.01  # with under 1% of requests refused
    assert sum(1 for _, status in statuses if status == 429) < 100
    assert 0.6 * limit < min(rates[len(rates) // 4 :]) and max(rates[len(rates) // 4 :]) < 1.5 * limit
    # Converged within seconds: the second half of the first 30 seconds already used the limit.
    early = [status for when, status in statuses if 15 <= when < 30]
    assert early.count(200) / 15.0 > 0.97 * limit


# --- the middleware ------------------------------------------------------------------------------


class CountingLimiter:
    def __init__(self) -> None:
        self.acquired = 0

    async def acquire(self) -> None:
        self.acquired += 1


class RecordingLimiter(CountingLimiter):
    def __init__(self) -> None:
        super().__init__()
        self.recorded: list[int | None] = []

    def record(self, status: int | None) -> None:
        self.recorded.append(status)


def scripted(*outcomes: int | Exception) -> tuple[Handler, list[Request]]:
    calls: list[Request] = []
    remaining = list(outcomes)

    async def call_next(request: Request) -> Response:
        calls.append(request)
        outcome = remaining.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return Response(outcome, {}, b"{}", request)

    return call_next, calls


def request(max_retries: int = 2) -> Request:
    return Request("GET", "https://api.test/v1/x", "/v1/x", {}, max_retries=max_retries)


@pytest.mark.anyio
async def test_middleware_acquires_once_per_attempt() -> None:
    limiter = CountingLimiter()
    structural: Limiter = limiter  # a Limiter by its shape: no base class needed
    call_next, calls = scripted(500, 503, 200)
    handler = build_chain(
        [RetryMiddleware(RetryPolicy.no_wait()), limiter_middleware(structural)], call_next
    )
    response = await handler(request())
    assert response.status == 200
    assert limiter.acquired == len(calls) == 3


@pytest.mark.anyio
async def test_middleware_feeds_back_each_attempts_status() -> None:
    limiter = RecordingLimiter()
    reset = APIConnectionError("connection reset")
    call_next, calls = scripted(429, reset, 200)
    handler = build_chain(
        [RetryMiddleware(RetryPolicy.no_wait()), limiter_middleware(limiter)], call_next
    )
    response = await handler(request())
    assert response.status == 200
    assert limiter.acquired == len(calls) == 3
    assert limiter.recorded == [429, None, 200]


@pytest.mark.anyio
async def test_middleware_checks_for_feedback_once_at_construction() -> None:
    limiter = CountingLimiter()
    middleware = limiter_middleware(limiter)
    limiter.record = lambda status: pytest.fail("not an AdaptiveLimiter when the middleware was built")  # type: ignore[attr-defined]
    call_next, _ = scripted(200)
    await middleware(request(), call_next)
    assert limiter.acquired == 1


@pytest.mark.anyio
async def test_adaptive_limiter_in_a_client(fake_api: FakeStripe) -> None:
    limiter = AdaptiveRateLimiter(1000)
    fake_api.queue(Reply(429, error_json("invalid_request_error", "slow down", code="rate_limit")))
    async with si.AsyncStripeIdentity(
        TEST_KEY,
        api_base=fake_api.url,
        retry_policy=RetryPolicy.no_wait(),
        middlewares=[limiter_middleware(limiter)],
    ) as client:
        session = await client.verification_sessions.retrieve("vs_1")
    assert session.id == "vs_1"
    assert len(fake_api.seen) == 2
    assert limiter.decreases == 1
    assert limiter.rate == pytest.approx(700 + 5 / 700)  # within the cut's window: the slow climb
