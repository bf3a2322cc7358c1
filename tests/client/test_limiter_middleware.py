"""The pacing middleware: one acquisition per attempt, each attempt's status fed back to a limiter
that listens, and an adaptive limiter in a real client."""

from __future__ import annotations

import pytest

import stripe_identity as si
from stripe_identity._adaptive import AdaptiveRateLimiter
from stripe_identity._errors import APIConnectionError
from stripe_identity._limiter import (
    Limiter,
    limiter_middleware,
)
from stripe_identity._middleware import Handler, build_chain
from stripe_identity._response import Request, Response
from stripe_identity._retry import RetryMiddleware, RetryPolicy
from tests.conftest import TEST_KEY
from tests.fake_api import FakeStripe, Reply, error_json

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
