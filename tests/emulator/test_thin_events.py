"""Thin events on the emulator: event destinations get a signed notification for each Identity event
(delivered and retried like webhooks), and ``/v2/core/events`` serves the events in v2's shapes."""

from __future__ import annotations

import json
import random
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

import stripe_identity as si
from stripe_identity import webhooks
from stripe_identity.emulator import Emulator, EventDestination
from stripe_identity.emulator._objects import IdFactory
from stripe_identity.emulator._thin_events import THIN_TYPES, ThinEventStore
from tests.conftest import TEST_KEY, RawHTTP
from tests.emulator.test_webhook_delivery import eventually

SECRET = "whsec_thin0test"
PREFIX = "v1.identity.verification_session."
NOTIFIED = {"context", "created", "id", "livemode", "object", "reason", "related_object", "type"}


class Destination:
    """A loopback event destination: refuses the first ``fail_first`` attempts with a 500."""

    def __init__(self, fail_first: int = 0) -> None:
        self.fail_first = fail_first
        self.attempts = 0
        self.received: list[tuple[bytes, str]] = []  # (body, Stripe-Signature)

    async def handle(self, request: web.Request) -> web.Response:
        self.attempts += 1
        if self.attempts <= self.fail_first:
            return web.Response(status=500)
        self.received.append((await request.read(), request.headers["Stripe-Signature"]))
        return web.Response(status=200)

    def notifications(self) -> list[si.EventNotification]:
        return [webhooks.parse_event_notification(b, sig, SECRET) for b, sig in self.received]

    def types(self) -> list[str]:
        return [n.type for n in self.notifications()]


async def serve(destination: Destination) -> tuple[str, web.AppRunner]:
    app = web.Application()
    app.router.add_post("/thin", destination.handle)
    runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.1)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return f"http://127.0.0.1:{runner.addresses[0][1]}/thin", runner


@pytest.fixture
async def destination(anyio_backend: str) -> AsyncIterator[tuple[str, Destination]]:
    handler = Destination()
    url, runner = await serve(handler)
    try:
        yield url, handler
    finally:
        await runner.cleanup()


@pytest.fixture
async def thin_emulator(destination: tuple[str, Destination]) -> AsyncIterator[Emulator]:
    url, _ = destination
    async with Emulator(seed=5, event_destinations=[(url, SECRET)]) as emu:
        yield emu


@pytest.fixture
async def thin_client(thin_emulator: Emulator) -> AsyncIterator[si.AsyncStripeIdentity]:
    async with si.AsyncStripeIdentity(TEST_KEY, api_base=thin_emulator.api_base) as client:
        yield client


async def every_identity_event(emu: Emulator, client: si.AsyncStripeIdentity) -> tuple[str, str]:
    """Drive two sessions through all six event types; their ids."""
    first = await client.verification_sessions.create({"type": "document"})
    emu.submit(first.id, "requires_input", "document_expired")
    emu.submit(first.id)
    await client.verification_sessions.redact(first.id)
    second = await client.verification_sessions.create({"type": "id_number"})
    await client.verification_sessions.cancel(second.id)
    return first.id, second.id


async def test_a_destination_gets_a_signed_thin_notification_for_each_identity_event(
    thin_emulator: Emulator,
    thin_client: si.AsyncStripeIdentity,
    destination: tuple[str, Destination],
) -> None:
    _, handler = destination
    first, second = await every_identity_event(thin_emulator, thin_client)
    await eventually(lambda: len(handler.received) == 8)
    assert set(handler.types()) == THIN_TYPES
    for body, _ in handler.received:
        payload = json.loads(body)
        assert set(payload) == NOTIFIED  # no data, no pending_webhooks: a thin payload
        assert payload["object"] == "v2.core.event" and payload["livemode"] is False
        assert payload["created"].endswith("Z")
    for notification in handler.notifications():
        assert notification.is_identity
        assert notification.related_object is not None
        url = notification.related_object.url
        assert url == f"/v1/identity/verification_sessions/{notification.session_id}"
    assert {n.session_id for n in handler.notifications()} == {first, second}
    # Each is the twin of a snapshot event, in the order they were emitted.
    snapshots = thin_emulator.events()
    thin = thin_emulator.thin_events()
    assert [e["type"] for e in thin] == [f"v1.{e['type']}" for e in snapshots]
    assert [e["snapshot_event"] for e in thin] == [e["id"] for e in snapshots]
    assert thin_emulator.stats()["thin_events"] == 8
    assert thin_emulator.stats()["event_destinations"]["succeeded"] == 8


async def test_a_failing_destination_is_retried_like_a_webhook_endpoint(
    anyio_backend: str,
) -> None:
    flaky, steady = Destination(fail_first=2), Destination()
    flaky_url, flaky_runner = await serve(flaky)
    steady_url, steady_runner = await serve(steady)
    try:
        async with (
            Emulator(
                event_destinations=[(flaky_url, SECRET), EventDestination(steady_url, SECRET)],
                webhook_retries=[0.01, 0.01, 0.01],
            ) as emu,
            si.AsyncStripeIdentity(TEST_KEY, api_base=emu.api_base) as client,
        ):
            await client.verification_sessions.create({"type": "document"})
            await eventually(lambda: len(flaky.received) == len(steady.received) == 1)
            stats = emu.stats()["event_destinations"]
    finally:
        await flaky_runner.cleanup()
        await steady_runner.cleanup()
    assert flaky.attempts == 3
    assert stats["failed_attempts"] == 2 and stats["succeeded"] == 2 and stats["pending"] == 0
    assert flaky.types() == steady.types() == [PREFIX + "created"]


async def test_a_destination_gets_only_the_types_it_enabled(
    destination: tuple[str, Destination],
) -> None:
    url, handler = destination
    only_verified = EventDestination(url, SECRET, enabled_events=[PREFIX + "verified"])
    async with (
        Emulator(event_destinations=[only_verified]) as emu,
        si.AsyncStripeIdentity(TEST_KEY, api_base=emu.api_base) as client,
    ):
        await every_identity_event(emu, client)
        await eventually(lambda: len(handler.received) == 1)
        assert emu.stats()["event_destinations"]["pending"] == 0
    assert handler.types() == [PREFIX + "verified"]


def test_events_from_chooses_between_own_and_connected_accounts_events() -> None:
    store = ThinEventStore(IdFactory(random.Random(1)), lambda: 0.0)
    snapshot: dict[str, Any] = {
        "id": "evt_1",
        "type": "identity.verification_session.created",
        "data": {"object": {"id": "vs_1"}},
        "request": {"id": "req_1", "idempotency_key": "key-1"},
    }
    own = store.record(snapshot)
    connected = store.record({**snapshot, "account": "acct_1"})
    assert own is not None and connected is not None
    assert own["context"] is None and connected["context"] == "acct_1"
    assert own["reason"] == {"request": {"id": "req_1", "idempotency_key": "key-1"}, "type": "request"}
    mine = EventDestination("http://127.0.0.1:9/x", SECRET)
    theirs = EventDestination("http://127.0.0.1:9/x", SECRET, events_from=["@accounts"])
    both = EventDestination("http://127.0.0.1:9/x", SECRET, events_from=["@self", "@accounts"])
    assert (mine.wants(own), mine.wants(connected)) == (True, False)
    assert (theirs.wants(own), theirs.wants(connected)) == (False, True)
    assert both.wants(own) and both.wants(connected)
    assert store.record({**snapshot, "type": "file.created"}) is None  # no thin twin


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"url": "ftp://example.com"}, "absolute http:// or https:// URL"),
        ({"secret": ""}, "needs a signing secret"),
        ({"enabled_events": ["identity.verification_session.created"]}, "no thin event of type"),
        ({"enabled_events": []}, "at least one event type"),
        ({"events_from": ["@everyone"]}, "'@self' and/or '@accounts'"),
    ],
)
def test_a_bad_event_destination_is_refused_when_made(kwargs: dict[str, Any], message: str) -> None:
    arguments = {"url": "http://127.0.0.1:9/x", "secret": SECRET, **kwargs}
    with pytest.raises(ValueError, match=message):
        EventDestination(**arguments)


def test_an_event_destination_never_shows_its_secret() -> None:
    assert SECRET not in repr(EventDestination("http://127.0.0.1:9/x", SECRET))
    with pytest.raises(TypeError, match="EventDestination or a"):
        Emulator(event_destinations=["http://127.0.0.1:9/x"])  # type: ignore[list-item]


async def test_v2_events_are_retrieved_and_listed_in_v2_shapes(
    emulator: Emulator, emu_client: si.AsyncStripeIdentity, raw: RawHTTP
) -> None:
    first, second = await every_identity_event(emulator, emu_client)
    thin = emulator.thin_events()
    status, _, one = await raw("GET", f"/v2/core/events/{thin[0]['id']}")
    assert status == 200 and one == thin[0]
    assert one["related_object"] == {
        "id": first,
        "type": "identity.verification_session",
        "url": f"/v1/identity/verification_sessions/{first}",
    }
    status, _, page = await raw("GET", "/v2/core/events")
    assert status == 200
    assert [e["id"] for e in page["data"]] == [e["id"] for e in reversed(thin)]
    assert page["next_page_url"] is None and page["previous_page_url"] is None
    _, _, of_second = await raw("GET", f"/v2/core/events?object_id={second}")
    assert [e["type"] for e in of_second["data"]] == [PREFIX + "canceled", PREFIX + "created"]
    query = f"types[0]={PREFIX}verified&types[1]={PREFIX}redacted"
    _, _, typed = await raw("GET", f"/v2/core/events?{query}")
    assert [e["type"] for e in typed["data"]] == [PREFIX + "redacted", PREFIX + "verified"]
    _, _, none_after = await raw("GET", "/v2/core/events?created[gt]=2999-01-01T00:00:00Z")
    assert none_after["data"] == []


async def test_v2_pages_link_to_each_other_by_page_token(
    emulator: Emulator, emu_client: si.AsyncStripeIdentity, raw: RawHTTP
) -> None:
    await every_identity_event(emulator, emu_client)
    newest_first = [e["id"] for e in reversed(emulator.thin_events())]
    _, _, first = await raw("GET", "/v2/core/events?limit=3")
    assert [e["id"] for e in first["data"]] == newest_first[:3]
    _, _, second = await raw("GET", first["next_page_url"])
    assert [e["id"] for e in second["data"]] == newest_first[3:6]
    _, _, third = await raw("GET", second["next_page_url"])
    assert [e["id"] for e in third["data"]] == newest_first[6:]
    assert third["next_page_url"] is None
    _, _, back = await raw("GET", third["previous_page_url"])
    assert [e["id"] for e in back["data"]] == newest_first[3:6]


@pytest.mark.parametrize(
    ("path", "status", "code", "message"),
    [
        ("/v2/core/events/evt_test_missing", 404, "not_found", "No such event: 'evt_test_missing'"),
        ("/v2/core/events?limit=0", 400, None, "Invalid limit"),
        ("/v2/core/events?limit=abc", 400, None, "Invalid limit"),
        ("/v2/core/events?page=garbage", 400, None, "Invalid page"),
        ("/v2/core/events?starting_after=evt_1", 400, None, "unknown parameter: starting_after"),
        ("/v2/core/events?created[gt]=yesterday", 400, None, "not an RFC 3339 timestamp"),
        ("/v2/core/nothing", 404, None, "Unrecognized request URL"),
    ],
)
async def test_v2_errors_come_in_the_v2_shape(
    raw: RawHTTP, path: str, status: int, code: str | None, message: str
) -> None:
    got, _, body = await raw("GET", path)
    assert got == status
    error = body["error"]
    assert set(error) <= {"type", "code", "message"}  # no param, doc_url or request_log_url
    assert error["type"] == "invalid_request_error"
    assert error.get("code") == code
    assert message in error["message"]


async def test_a_v2_call_without_a_key_is_refused_in_the_v2_shape(raw: RawHTTP) -> None:
    status, _, body = await raw("GET", "/v2/core/events", auth=False)
    assert status == 401 and set(body["error"]) == {"type", "message"}


async def test_reset_forgets_thin_events(
    emulator: Emulator, emu_client: si.AsyncStripeIdentity, raw: RawHTTP
) -> None:
    session = await emu_client.verification_sessions.create({"type": "document"})
    assert [e["related_object"]["id"] for e in emulator.thin_events(session.id)] == [session.id]
    emulator.reset()
    assert emulator.thin_events() == [] and emulator.stats()["thin_events"] == 0
    _, _, page = await raw("GET", "/v2/core/events")
    assert page["data"] == []
