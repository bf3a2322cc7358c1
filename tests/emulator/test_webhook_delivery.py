"""Webhook delivery from the emulator is per event: a rejected event is retried on its own schedule
and then given up, and never holds up the others; stopping cuts retries short cleanly."""

from __future__ import annotations

import itertools
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import anyio
import pytest
from aiohttp import web

import stripe_identity as si
from stripe_identity import webhooks
from stripe_identity.emulator import Emulator, WebhookRetries
from stripe_identity.emulator._webhooks import WebhookEndpoint, WebhookSender
from tests.conftest import TEST_KEY

SECRET = "whsec_delivery0test"
PREFIX = "identity.verification_session."
CREATED = PREFIX + "created"


class Endpoint:
    """A loopback webhook endpoint: answers 500 to the types in ``refuse`` and 200 to the others,
    or never answers at all while ``hang`` is set; records when each attempt came."""

    def __init__(self, refuse: frozenset[str] = frozenset({CREATED})) -> None:
        self.refuse = refuse
        self.hang = False
        self.attempts: list[tuple[float, str, str]] = []  # (monotonic time, type, event id)
        self.accepted: list[si.Event] = []

    async def handle(self, request: web.Request) -> web.Response:
        event = webhooks.construct_event(
            await request.read(), request.headers["Stripe-Signature"], SECRET
        )
        self.attempts.append((time.monotonic(), event.type, event.id))
        if self.hang:
            await anyio.sleep_forever()
        if event.type in self.refuse:
            return web.Response(status=500)
        self.accepted.append(event)
        return web.Response(status=200)

    def tries(self, kind: str) -> list[float]:
        return [at for at, seen, _ in self.attempts if seen == kind]


async def eventually(check: Callable[[], bool], seconds: float = 20.0) -> None:
    """Wait until ``check()`` holds (generously: the machine may be busy)."""
    with anyio.fail_after(seconds):
        while not check():  # noqa: ASYNC110 - polling counters that two servers update
            await anyio.sleep(0.01)


@pytest.fixture
async def endpoint(anyio_backend: str) -> AsyncIterator[tuple[str, Endpoint]]:
    handler = Endpoint()
    app = web.Application()
    app.router.add_post("/hook", handler.handle)
    runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.1)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/hook", handler
    finally:
        await runner.cleanup()


def warnings_about(caplog: pytest.LogCaptureFixture, text: str) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "stripe_identity.emulator"
        and r.levelno == logging.WARNING
        and text in r.getMessage()
    ]


async def verified_session(client: si.AsyncStripeIdentity, emu: Emulator) -> str:
    """A session taken to ``verified``: three events (created, processing, verified)."""
    session = await client.verification_sessions.create({"type": "document"})
    emu.submit(session.id)
    return session.id


@pytest.mark.anyio
async def test_a_rejected_event_does_not_hold_up_the_events_after_it(
    endpoint: tuple[str, Endpoint], caplog: pytest.LogCaptureFixture
) -> None:
    url, handler = endpoint
    caplog.set_level(logging.INFO, logger="stripe_identity.emulator")
    # The retry is a minute away: the later events can only arrive if nothing waits for it.
    retries = WebhookRetries(delays=(60.0,))
    async with (
        Emulator(webhook_url=url, webhook_secret=SECRET, webhook_retries=retries) as emu,
        si.AsyncStripeIdentity(TEST_KEY, api_base=emu.api_base) as client,
    ):
        await verified_session(client, emu)
        await eventually(lambda: emu.stats()["webhooks"]["attempted"] == 3)
        assert {e.type for e in handler.accepted} == {PREFIX + "processing", PREFIX + "verified"}
        assert len(handler.tries(CREATED)) == 1
        assert emu.stats()["webhooks"] == {
            "attempted": 3,
            "succeeded": 2,
            "failed_attempts": 1,
            "given_up": 0,
            "pending": 1,
        }
        # pending_webhooks: how many endpoints still have to receive the event.
        assert {e["type"]: e["pending_webhooks"] for e in emu.events()} == {
            CREATED: 1,
            PREFIX + "processing": 0,
            PREFIX + "verified": 0,
        }
        with anyio.fail_after(10):  # stopping does not sit out the minute
            await emu.stop()
    assert len(handler.tries(CREATED)) == 1
    assert warnings_about(caplog, "webhooks at stop") == [
        "webhooks at stop: 2 delivered, 0 given up, 1 unfinished"
    ]


@pytest.mark.anyio
async def test_a_rejected_event_is_retried_on_schedule_then_given_up(
    endpoint: tuple[str, Endpoint], caplog: pytest.LogCaptureFixture
) -> None:
    url, handler = endpoint
    caplog.set_level(logging.INFO, logger="stripe_identity.emulator")
    retries = WebhookRetries.exponential(first=0.05, retries=3)  # 4 attempts: 0.05, 0.1, 0.2 apart
    assert retries.delays == (0.05, 0.1, 0.2)
    async with (
        Emulator(webhook_url=url, webhook_secret=SECRET, webhook_retries=retries) as emu,
        si.AsyncStripeIdentity(TEST_KEY, api_base=emu.api_base) as client,
    ):
        await verified_session(client, emu)
        await eventually(lambda: emu.stats()["webhooks"]["pending"] == 0)
        expected = {
            "attempted": 6,
            "succeeded": 2,
            "failed_attempts": 4,
            "given_up": 1,
            "pending": 0,
        }
        assert emu.stats()["webhooks"] == expected
        async with (
            aiohttp.ClientSession() as http,
            http.get(emu.api_base + "/_emulator/stats") as response,
        ):
            assert json.loads(await response.read())["webhooks"] == expected
        failed = await client.events.list({"delivery_success": False})
        assert [(e.type, e.pending_webhooks) for e in failed] == [(CREATED, 1)]
    tries = handler.tries(CREATED)
    assert len(tries) == retries.attempts == 4
    gaps = [later - earlier for earlier, later in itertools.pairwise(tries)]
    for gap, delay in zip(gaps, retries.delays, strict=True):
        assert gap >= delay - 0.01  # never sooner than the schedule says
    lines = warnings_about(caplog, CREATED)
    assert len(lines) == 4  # one line per attempt, no more
    assert [line.rsplit("(attempt ", 1)[-1] for line in lines[:3]] == [
        "1 of 4, next in 0.05s)",
        "2 of 4, next in 0.1s)",
        "3 of 4, next in 0.2s)",
    ]
    assert lines[3].endswith("answered 500; given up after 4 attempts")
    assert all(url in line for line in lines)
    assert warnings_about(caplog, "webhook") == [
        *lines,
        "webhooks at stop: 2 delivered, 1 given up, 0 unfinished",
    ]


@pytest.mark.anyio
async def test_stopping_cancels_a_hanging_attempt_cleanly_and_a_restart_resumes_it(
    endpoint: tuple[str, Endpoint], caplog: pytest.LogCaptureFixture
) -> None:
    url, handler = endpoint
    handler.refuse = frozenset()
    handler.hang = True
    caplog.set_level(logging.INFO)
    emu = Emulator(webhook_url=url, webhook_secret=SECRET)
    async with emu, si.AsyncStripeIdentity(TEST_KEY, api_base=emu.api_base) as client:
        await client.verification_sessions.create({"type": "document"})
        await eventually(lambda: len(handler.attempts) == 1)
        with anyio.fail_after(10):  # a second's grace, then the attempt is cancelled
            await emu.stop()
        assert emu.stats()["webhooks"]["pending"] == 1
        handler.hang = False
        await emu.start()  # the unfinished delivery starts over
        await eventually(lambda: len(handler.accepted) == 1)
        assert emu.stats()["webhooks"]["pending"] == 0
        assert [e.pending_webhooks for e in await client.events.list()] == [0]
    # Nothing asyncio or aiohttp complains about (an unretrieved task exception, an unclosed session).
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert warnings_about(caplog, "webhooks at stop") == [
        "webhooks at stop: 0 delivered, 0 given up, 1 unfinished"
    ]


@pytest.mark.anyio
async def test_reset_drops_the_retries_still_due_and_zeroes_the_counters(
    endpoint: tuple[str, Endpoint], caplog: pytest.LogCaptureFixture
) -> None:
    url, handler = endpoint
    caplog.set_level(logging.INFO, logger="stripe_identity.emulator")
    retries = WebhookRetries(delays=(60.0,))
    async with (
        Emulator(webhook_url=url, webhook_secret=SECRET, webhook_retries=retries) as emu,
        si.AsyncStripeIdentity(TEST_KEY, api_base=emu.api_base) as client,
    ):
        await verified_session(client, emu)
        await eventually(lambda: emu.stats()["webhooks"]["attempted"] == 3)
        emu.reset()
        zero = {"attempted": 0, "succeeded": 0, "failed_attempts": 0, "given_up": 0, "pending": 0}
        assert emu.stats()["webhooks"] == zero
        handler.refuse = frozenset()
        await client.verification_sessions.create({"type": "document"})
        await eventually(lambda: emu.stats()["webhooks"]["succeeded"] == 1)
        assert emu.stats()["webhooks"] == {**zero, "attempted": 1, "succeeded": 1}
    assert warnings_about(caplog, "webhooks at stop") == []  # nothing was left to sum up


@pytest.mark.anyio
async def test_pending_webhooks_counts_the_endpoints_still_to_receive_an_event(
    endpoint: tuple[str, Endpoint],
) -> None:
    # Two endpoints, one answering 404: each delivery is its own, so the event ends pending for one.
    url, handler = endpoint
    good = WebhookEndpoint(url, SECRET)
    bad = WebhookEndpoint(url.replace("/hook", "/nowhere"), SECRET)
    sender = WebhookSender([good, bad], WebhookRetries(delays=()))
    event: dict[str, Any] = {
        "id": "evt_two",
        "object": "event",
        "api_version": si.DEFAULT_STRIPE_VERSION,
        "created": 1_700_000_000,
        "livemode": False,
        "pending_webhooks": 0,
        "request": {"id": None, "idempotency_key": None},
        "type": "customer.created",
        "data": {"object": {"id": "cus_1", "object": "customer"}},
    }
    await sender.start()
    try:
        sender.enqueue(event)
        assert event["pending_webhooks"] == 2
        await eventually(lambda: sender.stats()["pending"] == 0)
    finally:
        await sender.stop()
    assert [e.id for e in handler.accepted] == ["evt_two"]
    assert sender.stats() == {
        "attempted": 2,
        "succeeded": 1,
        "failed_attempts": 1,
        "given_up": 1,
        "pending": 0,
    }
    assert event["pending_webhooks"] == 1
    assert "secret" not in repr(good) and SECRET not in repr(good)


@pytest.mark.parametrize(
    ("settings", "fragment"),
    [
        ({"webhook_url": "notaurl", "webhook_secret": SECRET}, "webhook_url must be an absolute"),
        ({"webhook_url": "ftp://example.com/h", "webhook_secret": SECRET}, "its scheme is 'ftp'"),
        ({"webhook_url": "http:///hook", "webhook_secret": SECRET}, "it has no host"),
        ({"webhook_url": "http://h:99999/", "webhook_secret": SECRET}, "does not parse"),
        ({"public_url": "emulator:12111"}, "public_url must be an absolute"),
        ({"public_url": "http://emulator/?x=1"}, "a query or a fragment"),
        ({"webhook_retries": [0.1, -1]}, "retry delays are finite seconds"),
        ({"webhook_retries": [float("inf")]}, "retry delays are finite seconds"),
    ],
)
def test_bad_webhook_and_public_urls_are_refused_when_the_emulator_is_built(
    settings: dict[str, object], fragment: str
) -> None:
    with pytest.raises(ValueError, match=fragment):
        Emulator(**settings)  # type: ignore[arg-type]


def test_webhook_retries_are_checked() -> None:
    assert WebhookRetries().attempts == 9  # eight retries, doubling from 0.25 s
    assert sum(WebhookRetries().delays) < 70  # Stripe's three days, compressed to about a minute
    assert WebhookRetries(delays=[1, 2]).delays == (1.0, 2.0)
    with pytest.raises(ValueError, match="timeout"):
        WebhookRetries(timeout=0)
    with pytest.raises(ValueError, match="whole number"):
        WebhookRetries.exponential(0.1, -1)
    with pytest.raises(TypeError, match="sequence of seconds"):
        WebhookRetries(delays="1,2")  # type: ignore[arg-type]
