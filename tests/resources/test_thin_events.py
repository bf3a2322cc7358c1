"""``client.thin_events``: v2 events retrieved and listed page by page, the session a notification
names fetched with the trigger header, and v2 errors mapped to the SDK's typed errors."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import stripe_identity as si
from stripe_identity.emulator import Emulator
from tests.conftest import TEST_KEY
from tests.fake_api import FakeStripe, Reply, session_json

PREFIX = "v1.identity.verification_session."


def notification(context: str | None = None, **changes: object) -> si.EventNotification:
    fields: dict[str, object] = {
        "id": "evt_test_9",
        "object": "v2.core.event",
        "type": PREFIX + "verified",
        "created": "2026-12-07T10:00:00.000Z",
        "context": context,
        "related_object": si.RelatedObject(
            id="vs_test_1",
            type="identity.verification_session",
            url="/v1/identity/verification_sessions/vs_test_1",
        ),
        **changes,
    }
    return si.EventNotification(**fields)  # type: ignore[arg-type]


@pytest.fixture
async def three_sessions(emulator: Emulator, emu_client: si.AsyncStripeIdentity) -> list[str]:
    sessions = [await emu_client.verification_sessions.create({"type": "document"}) for _ in range(3)]
    for session in sessions:
        emulator.submit(session.id)
    return [s.id for s in sessions]


async def test_thin_events_are_retrieved_and_listed_page_by_page(
    emulator: Emulator, emu_client: si.AsyncStripeIdentity, three_sessions: list[str]
) -> None:
    newest_first = [e["id"] for e in reversed(emulator.thin_events())]
    assert len(newest_first) == 9
    seen: list[str] = []
    page = await emu_client.thin_events.list({"limit": 4})
    while True:
        assert isinstance(page, si.ThinEventList) and all(isinstance(e, si.ThinEvent) for e in page)
        seen += [event.id for event in page]
        if page.next_page is None:
            break
        page = await emu_client.thin_events.list({"page": page.next_page})
    assert seen == newest_first
    assert page.previous_page is not None
    verified = await emu_client.thin_events.list(
        si.ThinEventListParams(object_id=three_sessions[0], types=[PREFIX + "verified"])
    )
    (event,) = verified.data
    assert event.session_id == three_sessions[0] and event.type == PREFIX + "verified"
    again = await emu_client.thin_events.retrieve(event.id)
    assert again == event and again.last_response.http_status == 200
    assert again.snapshot_event in {e["id"] for e in emulator.events(three_sessions[0])}


async def test_an_unknown_thin_event_is_a_typed_not_found(emu_client: si.AsyncStripeIdentity) -> None:
    with pytest.raises(si.InvalidRequestError) as caught:
        await emu_client.thin_events.retrieve("evt_test_missing")
    assert caught.value.http_status == 404 and caught.value.code == "not_found"
    assert caught.value.error is not None and caught.value.error.type == "invalid_request_error"
    assert "evt_test_missing" in caught.value.message


async def test_fetching_the_session_sends_the_trigger_header_and_the_context(
    fake_api: FakeStripe, client: si.AsyncStripeIdentity
) -> None:
    session = await client.thin_events.fetch_related_object(notification("acct_1"))
    assert isinstance(session, si.VerificationSession) and session.id == "vs_test_1"
    fake_api.queue(Reply(json=notification().to_dict()))
    await client.thin_events.retrieve(notification(), {"stripe_context": "ctx_mine"})
    fake_api.queue(Reply(json=session_json("vs_test_1")))
    await client.thin_events.fetch_related_object(notification("acct_1"), {"stripe_context": "acct_2"})
    first, second, third = fake_api.seen
    assert first.path == "/v1/identity/verification_sessions/vs_test_1"
    assert first.headers["Stripe-Request-Trigger"] == "event=evt_test_9"
    assert first.headers["Stripe-Context"] == "acct_1"
    assert second.path == "/v2/core/events/evt_test_9"
    assert second.headers["Stripe-Request-Trigger"] == "event=evt_test_9"
    assert second.headers["Stripe-Context"] == "ctx_mine"
    assert third.headers["Stripe-Context"] == "acct_2"  # the call's own options win


async def test_only_an_identity_notification_names_a_session(client: si.AsyncStripeIdentity) -> None:
    meter = si.RelatedObject(id="mtr_1", type="billing.meter", url="/v1/billing/meters/mtr_1")
    other = notification(type="v1.billing.meter.error_report_triggered", related_object=meter)
    with pytest.raises(TypeError, match="not about a VerificationSession"):
        await client.thin_events.fetch_related_object(other)
    with pytest.raises(TypeError, match="takes an EventNotification"):
        await client.thin_events.fetch_related_object("evt_test_9")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("error", "status", "expected"),
    [
        ({"type": "not_found", "code": "not_found", "message": "gone"}, 404, si.InvalidRequestError),
        (
            {"code": "bad_thing", "message": "no type", "user_message": "Try again"},
            400,
            si.InvalidRequestError,
        ),
        ({"type": "idempotency_error", "message": "reused"}, 400, si.IdempotencyError),
        ({"type": "rate_limit", "code": "rate_limit", "message": "slow"}, 429, si.RateLimitError),
    ],
)
async def test_v2_error_bodies_map_to_typed_errors(
    fake_api: FakeStripe,
    client: si.AsyncStripeIdentity,
    error: dict[str, str],
    status: int,
    expected: type[si.StripeError],
) -> None:
    fake_api.queue(Reply(status, {"error": error}))
    with pytest.raises(si.StripeError) as caught:
        await client.with_options(max_retries=0).thin_events.retrieve("evt_test_1")
    raised = caught.value
    assert type(raised) is expected
    assert raised.message == error["message"] and raised.code == error.get("code")
    assert raised.error is not None and raised.error.user_message == error.get("user_message")


def test_the_sync_client_has_the_same_thin_events(threaded_emulator: Emulator) -> None:
    with si.StripeIdentity(TEST_KEY, api_base=threaded_emulator.api_base) as client:
        session = client.verification_sessions.create({"type": "document"})
        page = client.thin_events.list({"object_id": session.id})
        (created,) = page
        assert created.type == PREFIX + "created"
        assert client.thin_events.retrieve(created.id) == created
        assert client.thin_events.fetch_related_object(created).id == session.id


@pytest.fixture
def threaded_emulator() -> Iterator[Emulator]:
    with Emulator() as emu:
        yield emu
