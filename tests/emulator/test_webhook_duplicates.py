"""The emulator as an adversary of exactly-once handling: deliveries made twice, at a seeded rate,
to every endpoint; and each twin is an ordinary delivery (signed, retried when refused)."""

from __future__ import annotations

import collections
import random
from collections.abc import AsyncIterator, Callable

import anyio
import pytest
from aiohttp import web

import stripe_identity as si
from stripe_identity import webhooks
from stripe_identity.emulator import Emulator, WebhookRetries
from stripe_identity.emulator._webhooks import WebhookEndpoint, WebhookSender
from tests.conftest import TEST_KEY

SECRET = "whsec_duplicates0test"
FAST = WebhookRetries.exponential(0.05, 6)


class Receiver:
    """A loopback endpoint that records every delivery's event id (and refuses the first attempt
    at the ids in ``refuse_once``)."""

    def __init__(self, secret: str = SECRET) -> None:
        self.secret = secret
        self.seen: list[str] = []
        self.refuse_once: set[str] = set()
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        event = webhooks.construct_event(
            await request.read(), request.headers["Stripe-Signature"], self.secret
        )
        self.seen.append(event.id)
        if event.id in self.refuse_once:
            self.refuse_once.discard(event.id)
            return web.Response(status=500)
        return web.Response(status=200)


@pytest.fixture
async def receivers(anyio_backend: str) -> AsyncIterator[Callable[[int], list[Receiver]]]:
    runners: list[web.AppRunner] = []

    async def make(secret: str) -> Receiver:
        receiver = Receiver(secret)
        app = web.Application()
        app.router.add_post("/hook", receiver.handle)
        runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.1)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        runners.append(runner)
        receiver.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
        return receiver

    made: list[Receiver] = []

    def factory(count: int) -> list[Receiver]:
        return made[:count]

    for index in range(2):
        made.append(await make(f"{SECRET}{index}"))
    try:
        yield factory
    finally:
        for runner in runners:
            await runner.cleanup()


def event(event_id: str) -> dict[str, object]:
    """A minimal event of another type, as an endpoint shared with other products gets."""
    account = {"id": "acct_1", "object": "account"}
    return {"id": event_id, "object": "event", "type": "account.updated", "created": 1,
            "livemode": False, "data": {"object": account}}  # fmt: skip


async def settled(stats: Callable[[], dict[str, int]]) -> None:
    with anyio.fail_after(30):
        while stats()["pending"]:  # noqa: ASYNC110 - counters another task updates
            await anyio.sleep(0.02)


async def _run(receiver: Receiver, seed: int | None, rate: float, sessions: int) -> list[str]:
    """Event ids delivered, in arrival order, by an emulator with ``seed`` duplicating at ``rate``."""
    async with (
        Emulator(
            seed=seed,
            webhook_url=receiver.url,
            webhook_secret=receiver.secret,
            webhook_retries=FAST,
            webhook_duplicates=rate,
        ) as emu,
        si.AsyncStripeIdentity(TEST_KEY, api_base=emu.api_base) as client,
    ):
        for _ in range(sessions):
            await client.verification_sessions.create({"type": "document"})
        await settled(lambda: emu.stats()["webhooks"])
        stats = emu.stats()["webhooks"]
        counts = collections.Counter(receiver.seen)
        assert set(counts) == {event["id"] for event in emu.events()}
        assert stats["duplicated"] == sum(1 for n in counts.values() if n == 2)
        assert set(counts.values()) <= {1, 2}
        assert all(event["pending_webhooks"] == 0 for event in emu.events())
    return sorted(event_id for event_id, n in counts.items() if n == 2)


@pytest.mark.anyio
async def test_a_seeded_emulator_duplicates_the_same_deliveries_every_run(
    receivers: Callable[[int], list[Receiver]],
) -> None:
    receiver = receivers(1)[0]
    first = await _run(receiver, seed=11, rate=0.3, sessions=40)
    receiver.seen.clear()
    second = await _run(receiver, seed=11, rate=0.3, sessions=40)
    assert first == second
    assert 0 < len(first) < 40  # some twins, not all: 0.3 of 40 drawn from a fixed seed


@pytest.mark.anyio
async def test_rate_one_delivers_every_event_twice_and_zero_once(
    receivers: Callable[[int], list[Receiver]],
) -> None:
    receiver = receivers(1)[0]
    assert len(await _run(receiver, seed=3, rate=1.0, sessions=5)) == 5
    receiver.seen.clear()
    async with (
        Emulator(webhook_url=receiver.url, webhook_secret=receiver.secret) as emu,
        si.AsyncStripeIdentity(TEST_KEY, api_base=emu.api_base) as client,
    ):
        await client.verification_sessions.create({"type": "document"})
        await settled(lambda: emu.stats()["webhooks"])
        assert "duplicated" not in emu.stats()["webhooks"]
    assert len(receiver.seen) == 1


@pytest.mark.anyio
async def test_twins_go_to_every_endpoint_and_are_retried_like_any_delivery(
    receivers: Callable[[int], list[Receiver]],
) -> None:
    # Several endpoints through the sender itself: the emulator's constructor takes one.
    endpoints = receivers(2)
    sender = WebhookSender(
        [WebhookEndpoint(r.url, r.secret) for r in endpoints], FAST, 1.0, random.Random(1)
    )
    events = [event(f"evt_{n}") for n in range(4)]
    endpoints[0].refuse_once = {"evt_0"}  # one attempt of evt_0 fails and is tried again
    await sender.start()
    try:
        for item in events:
            sender.enqueue(dict(item))
        await settled(sender.stats)
    finally:
        await sender.stop()
    stats = sender.stats()
    assert stats["duplicated"] == 8 and stats["given_up"] == 0
    assert stats["succeeded"] == 16 and stats["failed_attempts"] == 1
    for receiver in endpoints:
        counts = collections.Counter(receiver.seen)
        assert counts == {f"evt_{n}": 2 for n in range(4)} | (
            {"evt_0": 3} if receiver is endpoints[0] else {}
        )


def test_the_duplicate_rate_is_checked() -> None:
    with pytest.raises(ValueError, match=r"from 0 to 1, not 1\.5"):
        Emulator(webhook_url="http://127.0.0.1:9/h", webhook_secret=SECRET, webhook_duplicates=1.5)
    with pytest.raises(ValueError, match="needs a webhook endpoint"):
        Emulator(webhook_duplicates=0.1)
