"""The event ledger, in memory and on a real Redis: one claim wins, a completed event stays done, a
dead worker's lease runs out and another takes the event, and a webhook endpoint built on it
handles each event once while the emulator delivers duplicates."""

from __future__ import annotations

import collections
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
import pytest
import redis.asyncio
from aiohttp import web

import stripe_identity as si
from stripe_identity.emulator import Emulator, WebhookRetries
from stripe_identity.redis import RedisEventLedger
from tests.conftest import TEST_KEY
from tests.redis_server import redis_server as redis_server, redis_url as redis_url

pytestmark = pytest.mark.anyio

Factory = Callable[..., si.EventLedger]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", "redis"])
async def make_ledger(request: pytest.FixtureRequest) -> AsyncIterator[Factory]:
    """Ledgers of one kind sharing one store, as workers in separate processes would."""
    if request.param == "memory":
        shared: dict[str, Any] = {}

        def memory(**options: Any) -> si.EventLedger:
            # One MemoryEventLedger is the store; several workers of one process share it.
            if "ledger" not in shared:
                shared["ledger"] = si.MemoryEventLedger(**options)
            ledger: si.EventLedger = shared["ledger"]
            return ledger

        yield memory
        return
    url: str = request.getfixturevalue("redis_url")
    made: list[RedisEventLedger] = []

    def on_redis(**options: Any) -> si.EventLedger:
        made.append(RedisEventLedger(url, **options))
        return made[-1]

    yield on_redis
    for ledger in made:
        await ledger.aclose()


async def test_one_claim_wins_and_a_completed_event_stays_done(make_ledger: Factory) -> None:
    first, second = make_ledger(), make_ledger()
    claim = await first.claim("evt_one")
    assert claim.won and claim.status == "claimed" and claim.token
    busy = await second.claim("evt_one")
    assert busy.busy and not busy.won and busy.token == ""
    await first.complete(claim)
    await first.complete(claim)  # twice is harmless
    assert (await second.claim("evt_one")).done
    assert (await first.claim("evt_other")).won  # another event is another matter


async def test_many_concurrent_claims_of_one_event_give_one_winner(make_ledger: Factory) -> None:
    ledgers = [make_ledger() for _ in range(5)]
    claims: list[si.Claim] = []

    async def claim(ledger: si.EventLedger) -> None:
        claims.append(await ledger.claim("evt_race"))

    async with anyio.create_task_group() as group:
        for n in range(40):
            group.start_soon(claim, ledgers[n % 5])
    assert sorted(c.status for c in claims) == ["busy"] * 39 + ["claimed"]


async def test_a_released_event_is_claimed_by_the_next_delivery(make_ledger: Factory) -> None:
    ledger = make_ledger()
    claim = await ledger.claim("evt_failed")
    await ledger.release(claim)
    again = await ledger.claim("evt_failed")
    assert again.won and again.token != claim.token
    await ledger.release(claim)  # an old claim releases nothing
    assert (await ledger.claim("evt_failed")).busy


async def test_a_dead_workers_lease_runs_out_and_its_late_completion_is_refused(
    make_ledger: Factory,
) -> None:
    ledger = make_ledger(lease=0.2)
    dead = await ledger.claim("evt_orphan")  # its worker dies without completing
    with anyio.fail_after(10):  # generous: the lease is 0.2 s
        while not (taken := await ledger.claim("evt_orphan")).won:  # noqa: ASYNC110 - polling Redis
            await anyio.sleep(0.05)
    with pytest.raises(si.LeaseLostError, match="evt_orphan") as caught:
        await ledger.complete(dead)
    assert caught.value.event_id == "evt_orphan"
    await ledger.complete(taken)
    assert (await ledger.claim("evt_orphan")).done


async def test_completing_after_the_lease_ran_out_unclaimed_still_counts(make_ledger: Factory) -> None:
    ledger = make_ledger(lease=0.1)
    slow = await ledger.claim("evt_slow")
    await anyio.sleep(0.3)  # the lease ran out, and nobody else took the event
    await ledger.complete(slow)
    assert (await ledger.claim("evt_slow")).done


async def test_only_won_claims_complete_or_release(make_ledger: Factory) -> None:
    ledger = make_ledger()
    await ledger.claim("evt_x")
    busy = await ledger.claim("evt_x")
    with pytest.raises(ValueError, match="only a won claim can be completed; this one is 'busy'"):
        await ledger.complete(busy)
    with pytest.raises(ValueError, match="only a won claim can be released"):
        await ledger.release(busy)


@pytest.mark.parametrize(
    ("event_id", "error", "match"),
    [
        (None, TypeError, "a str"),
        (b"evt_1", TypeError, "a str"),
        ("", ValueError, "1 to 255 characters"),
        (" evt_1", ValueError, "surrounding blanks"),
        ("e" * 256, ValueError, "1 to 255"),
    ],
)
async def test_event_ids_are_checked(
    make_ledger: Factory, event_id: object, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        await make_ledger().claim(event_id)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"lease": 0}, "lease must be positive"),
        ({"lease": float("inf")}, "lease must be positive and finite"),
        ({"remember_days": -1}, "remember_days must be positive"),
        ({"lease": 100_000, "remember_days": 1}, "shorter than the time completed events"),
    ],
)
def test_times_are_checked(options: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        si.MemoryEventLedger(**options)
    with pytest.raises(ValueError, match=match):
        RedisEventLedger("redis://127.0.0.1:9/0", **options)


async def test_memory_ledger_forgets_completed_events_after_remember_days() -> None:
    clock = Clock()
    ledger = si.MemoryEventLedger(lease=30, remember_days=2, clock=clock)
    claim = await ledger.claim("evt_old")
    await ledger.complete(claim)
    abandoned = await ledger.claim("evt_abandoned")
    assert abandoned.won and len(ledger) == 2
    clock.now += 31  # the abandoned lease is forgotten; the completion is remembered
    assert len(ledger) == 1 and (await ledger.claim("evt_old")).done
    clock.now += 2 * 86_400
    assert len(ledger) == 0
    assert (await ledger.claim("evt_old")).won


async def test_redis_ledger_keeps_done_for_remember_days_and_leases_for_the_lease(
    redis_url: str,
) -> None:
    ledger = RedisEventLedger(redis_url, lease=7, remember_days=3, prefix="app:events")
    claim = await ledger.claim("evt_ttl")
    raw = redis.asyncio.Redis.from_url(redis_url)
    try:
        key = ledger.key("evt_ttl")
        assert key == "app:events:{evt_ttl}"
        assert 6_000 < await raw.pttl(key) <= 7_000
        await ledger.complete(claim)
        assert 3 * 86_400_000 - 60_000 < await raw.pttl(key) <= 3 * 86_400_000
        value = await raw.get(key)
        assert isinstance(value, bytes) and value.startswith(b"done:")
    finally:
        await raw.aclose()
        await ledger.aclose()


async def test_a_claim_cancelled_while_redis_answers_is_given_back(redis_url: str) -> None:
    ledger = RedisEventLedger(redis_url)
    try:
        with anyio.CancelScope() as scope:
            scope.cancel()
            await ledger.claim("evt_cancelled")  # runs to Redis shielded, then gives the lease back
        assert scope.cancelled_caught
        assert (await ledger.claim("evt_cancelled")).won
    finally:
        await ledger.aclose()


async def test_redis_failures_are_shared_store_errors() -> None:
    ledger = RedisEventLedger("redis://:hunter2pass@127.0.0.1:9/0", timeout=2)
    with pytest.raises(si.SharedStoreError) as caught:
        await ledger.claim("evt_1")
    assert "127.0.0.1:9" in str(caught.value) and "hunter2pass" not in str(caught.value)
    assert "hunter2pass" not in repr(ledger)


# --- a webhook endpoint on the ledger, with the emulator delivering duplicates ------------------

SECRET = "whsec_ledger0test"


class Worker:
    """The README's endpoint, counting what it handles."""

    def __init__(self, ledger: si.EventLedger) -> None:
        self.ledger = ledger
        self.handled: collections.Counter[str] = collections.Counter()
        self.answers: collections.Counter[int] = collections.Counter()

    async def endpoint(self, request: web.Request) -> web.Response:
        status = await self._answer(request)
        self.answers[status] += 1
        return web.Response(status=status)

    async def _answer(self, request: web.Request) -> int:
        try:
            event = si.webhooks.construct_event(
                await request.read(), request.headers.get("Stripe-Signature", ""), SECRET
            )
        except si.SignatureVerificationError:
            return 400
        claim = await self.ledger.claim(event.id)
        if claim.done:
            return 200
        if claim.busy:
            return 409
        self.handled[event.id] += 1
        await anyio.sleep(0.02)  # the work, long enough for twins to overlap it
        await self.ledger.complete(claim)
        return 200


@pytest.fixture
async def served(anyio_backend: str) -> AsyncIterator[Callable[[Worker], Any]]:
    runners: list[web.AppRunner] = []

    async def serve(worker: Worker) -> str:
        app = web.Application()
        app.router.add_post("/hook", worker.endpoint)
        runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.1)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        runners.append(runner)
        return f"http://127.0.0.1:{runner.addresses[0][1]}/hook"

    try:
        yield serve
    finally:
        for runner in runners:
            await runner.cleanup()


async def test_an_endpoint_on_the_ledger_handles_each_event_once_despite_duplicates(
    make_ledger: Factory, served: Callable[[Worker], Any]
) -> None:
    worker = Worker(make_ledger())
    url = await served(worker)
    retries = WebhookRetries.exponential(0.05, 8)
    async with (
        Emulator(
            seed=26,
            webhook_url=url,
            webhook_secret=SECRET,
            webhook_retries=retries,
            webhook_duplicates=0.5,
        ) as emu,
        si.AsyncStripeIdentity(TEST_KEY, api_base=emu.api_base) as client,
    ):
        for _ in range(30):
            await client.verification_sessions.create({"type": "document"})
        with anyio.fail_after(60):
            while emu.stats()["webhooks"]["pending"]:  # noqa: ASYNC110
                await anyio.sleep(0.02)
        stats = emu.stats()["webhooks"]
        ids = {event["id"] for event in emu.events()}
    assert stats["duplicated"] > 0 and stats["given_up"] == 0
    assert worker.handled == dict.fromkeys(ids, 1)
    assert worker.answers[200] == 30 + stats["duplicated"]  # every delivery ends acknowledged
