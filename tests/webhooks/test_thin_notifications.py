"""Thin event notifications: verified and parsed like webhooks, unwrapped from EventBridge and Event
Grid envelopes, and followed to their session, by this SDK and by stripe-python 16 alike."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
import stripe

import stripe_identity as si
from stripe_identity import webhooks
from stripe_identity.emulator import Emulator
from tests.conftest import TEST_KEY
from tests.fake_api import session_json

SECRET = "whsec_notify0test"
TYPE = "v1.identity.verification_session.verified"
NOTIFICATION: dict[str, Any] = {
    "context": None,
    "created": "2026-12-07T10:00:00.123Z",
    "id": "evt_test_1",
    "livemode": False,
    "object": "v2.core.event",
    "reason": {"request": {"id": "req_1", "idempotency_key": "key-1"}, "type": "request"},
    "related_object": {
        "id": "vs_1",
        "type": "identity.verification_session",
        "url": "/v1/identity/verification_sessions/vs_1",
    },
    "type": TYPE,
}
SNAPSHOT: dict[str, Any] = {
    "id": "evt_1",
    "object": "event",
    "api_version": "2026-09-30.endive",
    "created": 1765100000,
    "data": {"object": session_json("vs_1")},
    "livemode": False,
    "pending_webhooks": 0,
    "request": {"id": None, "idempotency_key": None},
    "type": "identity.verification_session.verified",
}


def signed(payload: dict[str, Any]) -> tuple[bytes, str]:
    body = json.dumps(payload).encode()
    return body, webhooks.generate_test_header(body, SECRET)


def eventbridge(event: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": "0",
        "id": "17e8dff5-d6cd-3770-ace9-aeac02b6ac3f",
        "detail-type": event["type"],
        "source": "aws.partner/stripe.com/ed_test_1",
        "account": "111122223333",
        "time": "2026-12-07T10:00:00Z",
        "region": "us-west-2",
        "resources": [],
        "detail": event,
    }


def event_grid(event: dict[str, Any]) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "type": event["type"],
        "source": "/providers/stripe/ed_test_1",
        "id": "9aeb0fdf-c01e-0131-0922-9eb54906e209",
        "time": "2026-12-07T10:00:00Z",
        "datacontenttype": "application/json",
        "data": event,
    }


def test_a_signed_notification_parses_into_a_typed_event_notification() -> None:
    notification = webhooks.parse_event_notification(*signed(NOTIFICATION), SECRET)
    assert isinstance(notification, si.EventNotification)
    assert notification.type == TYPE and notification.id == "evt_test_1"
    assert notification.is_identity and notification.session_id == "vs_1"
    assert notification.related_object == si.RelatedObject(
        id="vs_1", type="identity.verification_session", url="/v1/identity/verification_sessions/vs_1"
    )
    assert notification.reason is not None and notification.reason.request is not None
    assert notification.reason.request.idempotency_key == "key-1"
    assert notification.context is None and notification.livemode is False


def test_a_bad_signature_or_a_stale_one_is_refused() -> None:
    body, header = signed(NOTIFICATION)
    with pytest.raises(si.SignatureVerificationError, match="No signatures found matching"):
        webhooks.parse_event_notification(body, header, "whsec_other")
    old = webhooks.generate_test_header(body, SECRET, timestamp=int(time.time()) - 3600)
    with pytest.raises(si.SignatureVerificationError, match="tolerance"):
        webhooks.parse_event_notification(body, old, SECRET)


def test_snapshot_and_thin_payloads_each_name_the_function_that_reads_them() -> None:
    with pytest.raises(si.WebhookPayloadError, match="construct_event"):
        webhooks.parse_event_notification(*signed(SNAPSHOT), SECRET)
    with pytest.raises(si.WebhookPayloadError, match="parse_event_notification"):
        webhooks.construct_event(*signed(NOTIFICATION), SECRET)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"related_object": None}, "does not name a VerificationSession"),
        ({"related_object": {"id": "x", "type": "billing.meter", "url": "/v1/x"}}, "does not name"),
        ({"created": 1765100000}, "malformed notification"),
        ({"object": "list"}, "not a thin event notification"),
    ],
)
def test_a_malformed_notification_is_refused_even_when_signed(
    change: dict[str, Any], message: str
) -> None:
    with pytest.raises(si.WebhookPayloadError, match=message):
        webhooks.parse_event_notification(*signed({**NOTIFICATION, **change}), SECRET)


def test_a_notification_of_another_product_parses_but_names_no_session() -> None:
    other = {
        **NOTIFICATION,
        "type": "v1.billing.meter.error_report_triggered",
        "related_object": {"id": "mtr_1", "type": "billing.meter", "url": "/v1/billing/meters/mtr_1"},
    }
    notification = webhooks.parse_event_notification(*signed(other), SECRET)
    assert not notification.is_identity
    with pytest.raises(TypeError, match="not about a VerificationSession"):
        _ = notification.session_id


@pytest.mark.parametrize("wrap", [eventbridge, event_grid], ids=["eventbridge", "event_grid"])
def test_cloud_provider_envelopes_are_unwrapped(wrap: Any) -> None:
    for payload in (json.dumps(wrap(NOTIFICATION)), json.dumps(wrap(NOTIFICATION)).encode()):
        notification = webhooks.parse_event_notification_from_cloud_provider(payload)
        assert notification.session_id == "vs_1"
    # A Lambda or an Azure Function is handed the JSON object itself.
    assert webhooks.parse_event_notification_from_cloud_provider(wrap(NOTIFICATION)).id == "evt_test_1"
    event = webhooks.construct_event_from_cloud_provider(wrap(SNAPSHOT))
    assert isinstance(event, si.Event) and event.session_object().id == "vs_1"
    with pytest.raises(si.WebhookPayloadError, match="construct_event"):
        webhooks.parse_event_notification_from_cloud_provider(wrap(SNAPSHOT))


def test_a_bare_event_from_a_queue_of_your_own_is_taken_as_it_is() -> None:
    assert webhooks.parse_event_notification_from_cloud_provider(NOTIFICATION).id == "evt_test_1"
    assert webhooks.construct_event_from_cloud_provider(json.dumps(SNAPSHOT)).id == "evt_1"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("not json", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        ({"foo": "bar"}, "neither an EventBridge or Event Grid envelope nor a Stripe event"),
        ({"detail-type": "x", "detail": {"id": "1"}}, "EventBridge event, but what it carries"),
        ({"specversion": "1.0", "data": "text"}, r"Event Grid \(CloudEvents\) event, but"),
        (42, "not JSON or a JSON object"),
    ],
)
def test_anything_else_from_a_cloud_provider_is_refused(payload: Any, message: str) -> None:
    with pytest.raises(si.WebhookPayloadError, match=message):
        webhooks.parse_event_notification_from_cloud_provider(payload)


# --- against the emulator ---------------------------------------------------------------------------


class Receiver:
    """An event destination on a thread of its own (the sync clients below block)."""

    def __init__(self) -> None:
        received = self.received = []  # type: list[tuple[bytes, str]]

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((body, self.headers["Stripe-Signature"]))
                self.send_response(200)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/thin"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def wait_for(self, count: int) -> list[tuple[bytes, str]]:
        deadline = time.monotonic() + 20
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(self.received) == count
        return self.received


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    receiver.thread.start()
    try:
        yield receiver
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()


@pytest.fixture
def verified_session(receiver: Receiver) -> Iterator[tuple[Emulator, str]]:
    """An emulator with a destination, and a session it saw created, processed and verified."""
    with Emulator(event_destinations=[(receiver.url, SECRET)]) as emu:
        with si.StripeIdentity(TEST_KEY, api_base=emu.api_base) as client:
            session = client.verification_sessions.create({"type": "document"})
        emu.submit(session.id)
        receiver.wait_for(3)
        yield emu, session.id


def test_stripe_python_verifies_an_emulator_notification_and_fetches_its_session(
    receiver: Receiver, verified_session: tuple[Emulator, str]
) -> None:
    emu, session_id = verified_session
    client = stripe.StripeClient(TEST_KEY, base_addresses={"api": emu.api_base})
    for body, header in receiver.received:
        notification = client.parse_event_notification(body, header, SECRET)
        assert type(notification).__name__.startswith("V1IdentityVerificationSession")
        session = notification.fetch_related_object()  # type: ignore[union-attr]
        assert isinstance(session, stripe.identity.VerificationSession)
        assert (session.id, session.status) == (session_id, "verified")
        event = notification.fetch_event()
        assert event.id == notification.id and event.type == notification.type
        # The same payload, handed over by EventBridge, without a signature to check.
        wrapped = json.dumps(eventbridge(json.loads(body)))
        assert client.parse_event_notification_without_verification(wrapped).id == notification.id


def test_this_sdk_follows_an_emulator_notification_to_its_event_and_session(
    receiver: Receiver, verified_session: tuple[Emulator, str]
) -> None:
    emu, session_id = verified_session
    sent: list[si.Request] = []

    async def record(request: si.Request, call_next: si.Handler) -> si.Response:
        sent.append(request)
        return await call_next(request)

    with si.StripeIdentity(TEST_KEY, api_base=emu.api_base, middlewares=[record]) as client:
        for body, header in receiver.received:
            notification = webhooks.parse_event_notification(body, header, SECRET)
            session = client.thin_events.fetch_related_object(notification)
            assert isinstance(session, si.VerificationSession)
            assert (session.id, session.status) == (session_id, "verified")
            event = client.thin_events.retrieve(notification)
            assert isinstance(event, si.ThinEvent) and event.id == notification.id
            assert event.snapshot_event in {e["id"] for e in emu.events(session_id)}
    assert len(sent) == 6
    for request in sent:
        trigger = request.headers["Stripe-Request-Trigger"]
        assert trigger.startswith("event=evt_test_")
