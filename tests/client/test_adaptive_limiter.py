"""Adaptive pacing (AIMD): cutting once per window, climbing back to what the server admitted, never
below the floor, converging near an unknown limit with few 429s; on a fake clock."""

from __future__ import annotations

import collections

import pytest

from stripe_identity._adaptive import AdaptiveRateLimiter
from tests.client.limiting import FakeClock

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
