"""Events on the emulator: filtered lists that page exactly, typed retrieves, and webhooks that agree.

A run of 25 sessions ends in every way a session can (verified at once, verified after a failed
check, canceled, left failing), so that each filter has something to leave out.
"""

from __future__ import annotations

import collections
from collections.abc import AsyncIterator, Callable

import anyio
import pytest
from aiohttp import web

import stripe_identity as si
from stripe_identity import webhooks
from stripe_identity.emulator import Emulator
from tests.conftest import TEST_KEY

pytestmark = pytest.mark.anyio

PREFIX = "identity.verification_session."
VERIFIED = PREFIX + "verified"
CANCELED = PREFIX + "canceled"
SECRET = "whsec_test_51CompanionEventsSecret"
RUN = 25


async def run_sessions(client: si.AsyncStripeIdentity, emu: Emulator) -> dict[str, set[str]]:
    """25 sessions, five of each ending; returns the session ids by ending."""
    endings: dict[str, set[str]] = collections.defaultdict(set)
    sessions = client.verification_sessions
    for i in range(RUN):
        session = await sessions.create({"type": "document", "client_reference_id": f"run-{i}"})
        kind = i % 5
        if kind in (0, 1):
            emu.submit(session.id)
            endings["verified"].add(session.id)
        elif kind == 2:
            emu.submit(session.id, "requires_input", "document_expired")
            emu.submit(session.id)
            endings["verified"].add(session.id)
            endings["failed once"].add(session.id)
        elif kind == 3:
            await sessions.cancel(session.id)
            endings["canceled"].add(session.id)
        else:
            emu.submit(session.id, "requires_input", "document_unverified_other")
            endings["failing"].add(session.id)
    return endings


#: Per run: 25 created, 25 processing (20 sessions, 5 of them twice), 10 requires_input, 15
#: verified and 5 canceled.
RUN_EVENTS = {"created": 25, "verified": 15, "canceled": 5, "processing": 25, "requires_input": 10}


async def eventually(check: Callable[[], bool], what: str, seconds: float = 30.0) -> None:
    """Wait (generously: the machine may be busy) until ``check()`` holds."""
    for _ in range(int(seconds / 0.02)):
        if check():
            return
        await anyio.sleep(0.02)
    raise AssertionError(f"gave up waiting for {what}")


async def every(page: si.ListObject[si.Event]) -> list[si.Event]:
    return [event async for event in page.auto_paging_iter()]


async def test_verified_events_page_through_exactly(
    emulator: Emulator, emu_client: si.AsyncStripeIdentity
) -> None:
    endings = await run_sessions(emu_client, emulator)
    events = emu_client.events
    newest_first = list(reversed(emulator.events()))
    assert len(newest_first) == sum(RUN_EVENTS.values())
    expected = [e["id"] for e in newest_first if e["type"] == VERIFIED]

    # Page by page, four at a time: 15 events in 4 pages, none twice, newest first.
    page = await events.list({"type": VERIFIED, "limit": 4})
    pages = [page]
    while page.has_more:
        page = await page.next_page()
        pages.append(page)
    assert [len(p) for p in pages] == [4, 4, 4, 3]
    paged = [event for p in pages for event in p]
    assert [e.id for e in paged] == expected
    assert {e.session_object().id for e in paged} == endings["verified"]
    for event in paged:
        assert event.type == VERIFIED
        session = event.session_object()
        assert isinstance(session, si.VerificationSession) and session.status == "verified"
    created = [e.created for e in paged]
    assert created == sorted(created, reverse=True)

    walked = await every(await events.list({"type": VERIFIED, "limit": 4}))
    assert [e.id for e in walked] == expected

    # types[]: any of several names.
    both = await every(await events.list({"types": [VERIFIED, CANCELED], "limit": 7}))
    assert [e.id for e in both] == [e["id"] for e in newest_first if e["type"] in (VERIFIED, CANCELED)]
    assert {e.session_object().id for e in both if e.type == CANCELED} == endings["canceled"]

    # Wildcards.
    for pattern, wanted in (
        ("identity.verification_session.*", set(RUN_EVENTS)),
        ("*", set(RUN_EVENTS)),
        ("*.canceled", {"canceled"}),
        ("identity.*.requires_input", {"requires_input"}),
        ("identity.verification_session.*ed", {"created", "verified", "canceled"}),
    ):
        found = await every(await events.list({"type": pattern, "limit": 30}))
        counts = collections.Counter(e.type.removeprefix(PREFIX) for e in found)
        assert counts == {kind: RUN_EVENTS[kind] for kind in wanted}, pattern
    failing = await every(await events.list({"type": "*.requires_input"}))
    assert {e.session_object().id for e in failing} == endings["failed once"] | endings["failing"]

    # created: ranges and exact values, however the run fell across seconds.
    stamps = [e["created"] for e in newest_first]
    first, last = min(stamps), max(stamps)
    assert len(await every(await events.list({"created": {"gte": first, "lte": last}}))) == 80
    assert (await events.list({"created": {"lt": first}})).data == []
    assert (await events.list({"created": {"gt": last}})).data == []
    by_second = collections.Counter(stamps)
    for stamp, count in by_second.items():
        exact = await every(await events.list({"created": stamp, "limit": 100}))
        assert len(exact) == count and {e.created for e in exact} == {stamp}
    verified_since = await every(await events.list({"type": VERIFIED, "created": {"gte": first}}))
    assert [e.id for e in verified_since] == expected

    # delivery_success: with no webhook endpoint, nothing is pending.
    assert len(await every(await events.list({"delivery_success": True, "limit": 50}))) == 80
    assert (await events.list({"delivery_success": False})).data == []


async def test_event_list_refusals_name_the_param(
    emulator: Emulator, emu_client: si.AsyncStripeIdentity
) -> None:
    session = await emu_client.verification_sessions.create({"type": "document"})
    emulator.submit(session.id)
    refused: list[si.EventListParamsDict] = [
        {"type": VERIFIED, "types": [CANCELED]},
        {"types": [f"{PREFIX}t{i}" for i in range(21)]},
    ]
    for params in refused:
        with pytest.raises(si.InvalidRequestError) as info:
            await emu_client.events.list(params)
        assert info.value.http_status == 400 and info.value.param == "types"
    with pytest.raises(si.InvalidRequestError) as limit:
        await emu_client.events.list({"limit": 101})
    assert limit.value.param == "limit"
    # An empty type filters nothing, as an empty filter does on the other lists.
    everything = await emu_client.events.list()
    assert [e.id for e in await emu_client.events.list({"type": ""})] == [e.id for e in everything]
    assert len(everything) == 3


async def test_retrieve_gives_a_typed_session_and_the_listed_json(
    emulator: Emulator, emu_client: si.AsyncStripeIdentity
) -> None:
    session = await emu_client.verification_sessions.create(
        {"type": "document", "metadata": {"user": "42"}}
    )
    emulator.submit(session.id)
    listed = await every(await emu_client.events.list())
    assert [e.type for e in listed] == [VERIFIED, PREFIX + "processing", PREFIX + "created"]
    for event in listed:
        fetched = await emu_client.events.retrieve(event.id)
        assert fetched == event
        assert fetched.last_response.http_status == 200
        obj = fetched.data.object
        assert isinstance(obj, si.VerificationSession)
        assert obj.id == session.id and obj.metadata == {"user": "42"}
        raw = await emu_client.raw_request("GET", f"/v1/events/{event.id}")
        assert raw == fetched.to_dict()
    assert listed[0].session_object().status == "verified"
    assert listed[-1].session_object().status == "requires_input"
    with pytest.raises(si.InvalidRequestError) as info:
        await emu_client.events.retrieve("evt_unknown")
    error = info.value
    assert (error.http_status, error.code, error.param) == (404, "resource_missing", "id")


class GatedReceiver:
    """A webhook endpoint that verifies each delivery, and refuses them all until opened."""

    def __init__(self) -> None:
        self.open = False
        self.refused = 0
        self.events: list[si.Event] = []

    async def handle(self, request: web.Request) -> web.Response:
        payload = await request.read()
        event = webhooks.construct_event(payload, request.headers["Stripe-Signature"], SECRET)
        if not self.open:
            self.refused += 1
            return web.Response(status=503)
        self.events.append(event)
        return web.Response(status=200)


@pytest.fixture
async def gated(anyio_backend: str) -> AsyncIterator[tuple[str, GatedReceiver]]:
    receiver = GatedReceiver()
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.1)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/hook", receiver
    finally:
        await runner.cleanup()


async def test_listed_events_are_what_the_webhook_endpoint_received(
    gated: tuple[str, GatedReceiver],
) -> None:
    url, receiver = gated
    async with (
        Emulator(seed=21, webhook_url=url, webhook_secret=SECRET) as emu,
        si.AsyncStripeIdentity(
            TEST_KEY, api_base=emu.api_base, retry_policy=si.RetryPolicy.no_wait()
        ) as client,
    ):
        await run_sessions(client, emu)
        total = sum(RUN_EVENTS.values())

        # Nothing delivered yet: every event is pending.
        pending = await every(await client.events.list({"delivery_success": False, "limit": 100}))
        assert len(pending) == total and all(e.pending_webhooks == 1 for e in pending)
        assert (await client.events.list({"delivery_success": True})).data == []
        await eventually(lambda: receiver.refused > 0, "a refused delivery")

        receiver.open = True
        await eventually(lambda: emu.stats()["webhooks"]["pending"] == 0, "every delivery")
        stats = emu.stats()["webhooks"]
        assert stats["succeeded"] == total == len(receiver.events)
        assert stats["failed_attempts"] == receiver.refused >= 1
        assert stats["attempted"] == stats["succeeded"] + stats["failed_attempts"]

        # Deliveries are independent, so they arrive in no set order: put them in the emulator's.
        order = {event["id"]: n for n, event in enumerate(emu.events())}
        received = sorted(receiver.events, key=lambda event: order[event.id])
        listed = await every(await client.events.list({"limit": 9}))
        assert [e.id for e in listed] == [e.id for e in reversed(received)]
        for mine, theirs in zip(listed, reversed(received), strict=True):
            assert mine.pending_webhooks == 0
            assert (mine.type, mine.created, mine.data) == (theirs.type, theirs.created, theirs.data)
        delivered = await client.events.list({"delivery_success": True, "limit": 100})
        assert len(delivered) == total
        assert (await client.events.list({"delivery_success": False})).data == []
        by_session: dict[str, list[str]] = collections.defaultdict(list)
        for event in received:
            by_session[event.session_object().id].append(event.type.removeprefix(PREFIX))
        assert sorted(collections.Counter(tuple(v) for v in by_session.values()).items()) == sorted(
            {
                ("created", "processing", "verified"): 10,
                ("created", "processing", "requires_input", "processing", "verified"): 5,
                ("created", "canceled"): 5,
                ("created", "processing", "requires_input"): 5,
            }.items()
        )
