"""The per-attempt timeout is a read timeout: a connection that waits ``timeout`` seconds for its next
bytes fails with :class:`APITimeoutError`; a response that keeps arriving, however slowly, does not,
and neither does the time spent waiting for a pooled connection (DESIGN §7, pitfalls 5 and 10).

The pool keeps those deadlines itself (``_read_deadlines.py``), with one timer for all its
connections instead of aiohttp's timer per read: the last test pins that, so a new aiohttp that no
longer lets the SDK do so shows here rather than as a silent slowdown.
"""

from __future__ import annotations

import asyncio
import json
import time

import anyio
import pytest
from aiohttp import web

import stripe_identity as si
from stripe_identity import _transport
from tests.conftest import TEST_KEY
from tests.fake_api import FakeStripe, Handler, session_json

pytestmark = pytest.mark.anyio

BODY = json.dumps(session_json("vs_1")).encode()


def drip(pieces: int, pause: float, *, stall_after: int | None = None) -> Handler:
    """A handler that sends the session's body in ``pieces`` parts, ``pause`` seconds apart; with
    ``stall_after``, it goes silent for good after that many parts."""

    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.content_length = len(BODY)
        await response.prepare(request)
        size = -(-len(BODY) // pieces)
        for number, start in enumerate(range(0, len(BODY), size)):
            if number == stall_after:
                await anyio.sleep(30)
            await response.write(BODY[start : start + size])
            await anyio.sleep(pause)
        await response.write_eof()
        return response

    return handler


def client_of(fake_api: FakeStripe, **options: object) -> si.AsyncStripeIdentity:
    return si.AsyncStripeIdentity(TEST_KEY, api_base=fake_api.url, max_retries=0, **options)  # type: ignore[arg-type]


async def test_a_body_that_stops_arriving_times_out(fake_api: FakeStripe) -> None:
    fake_api.queue(drip(4, 0.0, stall_after=2))
    async with client_of(fake_api, timeout=0.3) as client:
        started = time.monotonic()
        with anyio.fail_after(10), pytest.raises(si.APITimeoutError):
            await client.verification_sessions.retrieve("vs_1")
    assert 0.25 <= time.monotonic() - started < 5


# The server shares the client's event loop: a pause of the whole loop delays the next piece and
# brings the deadline nearer alike, so the pieces are a fifth of the timeout apart, leaving a loaded
# machine 0.8 s of slack.
SLOW_BODY = drip(10, 0.2)  # twice the timeout in all


async def test_a_body_that_keeps_arriving_is_not_cut_off(fake_api: FakeStripe) -> None:
    fake_api.queue(SLOW_BODY)
    async with client_of(fake_api, timeout=1.0) as client:
        started = time.monotonic()
        session = await client.verification_sessions.retrieve("vs_1")
    assert session.id == "vs_1"
    assert time.monotonic() - started > 1.5


async def test_waiting_for_a_pooled_connection_does_not_count(fake_api: FakeStripe) -> None:
    # The second call waits for the only connection for twice its timeout.
    fake_api.queue(SLOW_BODY, drip(1, 0.0))
    async with client_of(fake_api, timeout=1.0, max_connections=1) as client:
        first, second = await asyncio.gather(
            client.verification_sessions.retrieve("vs_1"),
            client.verification_sessions.retrieve("vs_1"),
        )
    assert first.id == second.id == "vs_1"


async def test_a_shorter_timeout_is_kept_beside_a_longer_one(fake_api: FakeStripe) -> None:
    # The pool's one timer is set for a 30 s deadline first; a 0.3 s one armed after it must still
    # expire on time.
    fake_api.queue(drip(10, 0.15), drip(4, 0.0, stall_after=1))
    async with client_of(fake_api, timeout=30) as client:
        sessions = client.verification_sessions
        slow = asyncio.ensure_future(sessions.retrieve("vs_1"))
        await anyio.sleep(0.1)
        started = time.monotonic()
        with anyio.fail_after(10), pytest.raises(si.APITimeoutError):
            await sessions.retrieve("vs_1", opts={"timeout": 0.3})
        assert time.monotonic() - started < 5
        assert (await slow).id == "vs_1"


async def test_read_timeouts_take_no_event_loop_timer_per_request(fake_api: FakeStripe) -> None:
    async with client_of(fake_api) as client:
        await client.verification_sessions.retrieve("vs_1")  # the pool is open
        loop = asyncio.get_running_loop()
        timers = 0
        call_at = loop.call_at

        def counting_call_at(*args: object, **kwargs: object) -> asyncio.TimerHandle:
            nonlocal timers
            timers += 1
            return call_at(*args, **kwargs)  # type: ignore[arg-type]

        loop.call_at = counting_call_at  # type: ignore[method-assign]
        try:
            for _ in range(50):
                await client.verification_sessions.retrieve("vs_1")
        finally:
            del loop.call_at
        pool = client._transport._pool
        assert pool is not None and len(pool.deadlines) == 0  # nothing left waiting
    assert _transport._OWN_READ_TIMEOUTS
    assert timers <= 2, f"{timers} event-loop timers for 50 requests"
