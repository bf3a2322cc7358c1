"""Webhook signatures, typed events, and signed delivery from the emulator."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import anyio
import pytest
from aiohttp import web
from hypothesis import given, settings, strategies as st

import stripe_identity as si
from stripe_identity import webhooks
from stripe_identity.emulator import Emulator
from tests.conftest import TEST_KEY
from tests.fake_api import SESSION
from tests.scale import scale

SECRET = "whsec_test_4eC39HqLyjWDarjtT1zdp7dc"
EVENT = {
    "id": "evt_1",
    "object": "event",
    "api_version": "2026-09-30.endive",
    "created": 1_700_000_000,
    "livemode": False,
    "pending_webhooks": 1,
    "request": {"id": None, "idempotency_key": None},
    "type": "identity.verification_session.verified",
    "data": {"object": SESSION, "previous_attributes": {"status": "processing"}},
}
PAYLOAD = json.dumps(EVENT).encode()


def sign(payload: bytes, secret: str, timestamp: int) -> str:
    """The signature computed here, independently of the SDK."""
    signed = f"{timestamp}.".encode() + payload
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def header(payload: bytes = PAYLOAD, secret: str = SECRET, timestamp: int | None = None) -> str:
    ts = int(time.time()) if timestamp is None else timestamp
    return f"t={ts},v1={sign(payload, secret, ts)}"


def test_round_trip_gives_a_typed_event() -> None:
    event = webhooks.construct_event(PAYLOAD, header(), SECRET)
    assert isinstance(event, si.Event)
    assert event.type == "identity.verification_session.verified"
    assert isinstance(event.data.object, si.VerificationSession)
    assert event.data.object.id == SESSION["id"]
    assert event.data.previous_attributes == {"status": "processing"}
    # str payloads work too, and the SDK's own test header matches the independent one.
    ts = int(time.time())
    assert webhooks.generate_test_header(PAYLOAD, SECRET, ts) == header(timestamp=ts)
    assert webhooks.construct_event(PAYLOAD.decode(), header(), SECRET) == event


@pytest.mark.parametrize(
    ("payload", "sig_header", "fragment"),
    [
        (PAYLOAD.replace(b"verified", b"canceled", 1), header(), "No signatures found matching"),
        (PAYLOAD, header(secret="whsec_wrong"), "No signatures found matching"),
        (PAYLOAD, header(timestamp=int(time.time()) - 900), "tolerance"),
        (PAYLOAD, header(timestamp=int(time.time()) + 900), "tolerance"),
        (PAYLOAD, f"t={int(time.time())}", "No signatures found with expected scheme v1"),
        (PAYLOAD, f"t={int(time.time())},v0={'0' * 64}", "expected scheme v1"),
        (PAYLOAD, "garbage", "Unable to extract timestamp"),
        (PAYLOAD, "t=soon,v1=abc", "Unable to extract timestamp"),
        (PAYLOAD, "", "No Stripe-Signature header"),
    ],
)
def test_bad_signatures_are_refused(payload: bytes, sig_header: str, fragment: str) -> None:
    with pytest.raises(si.SignatureVerificationError) as info:
        webhooks.construct_event(payload, sig_header, SECRET)
    assert fragment in info.value.message
    assert SECRET not in str(info.value) and SECRET not in repr(info.value)


def test_tolerance_can_be_widened_or_disabled() -> None:
    old = header(timestamp=int(time.time()) - 3600)
    webhooks.verify_header(PAYLOAD, old, SECRET, tolerance=7200)
    webhooks.verify_header(PAYLOAD, old, SECRET, tolerance=0)


def test_secret_rotation_with_two_signatures() -> None:
    ts = int(time.time())
    old, new = sign(PAYLOAD, "whsec_old", ts), sign(PAYLOAD, SECRET, ts)
    for sig_header in (f"t={ts},v1={old},v1={new}", f"t={ts},v1={new},v1={old}"):
        webhooks.verify_header(PAYLOAD, sig_header, SECRET)
        webhooks.verify_header(PAYLOAD, sig_header, "whsec_old")
    with pytest.raises(si.SignatureVerificationError):
        webhooks.verify_header(PAYLOAD, f"t={ts},v1={old},v1={old}", SECRET)


@pytest.mark.parametrize("payload", [EVENT, [EVENT], 42, None])
def test_a_payload_that_is_not_the_raw_body_is_a_signature_error(payload: Any) -> None:
    # Mostly the body already parsed as JSON: its bytes, and so its signature, are gone.
    with pytest.raises(si.SignatureVerificationError, match="must be the raw request body") as info:
        webhooks.construct_event(payload, header(PAYLOAD), SECRET)
    assert not isinstance(info.value, si.WebhookPayloadError)


def test_any_bytes_like_payload_is_read_as_its_bytes() -> None:
    for payload in (bytearray(PAYLOAD), memoryview(PAYLOAD)):
        assert webhooks.construct_event(payload, header(PAYLOAD), SECRET).id == EVENT["id"]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "payload", [b"not json", b"[]", json.dumps({**EVENT, "data": {"object": {"id": 5}}}).encode()]
)
def test_signed_but_malformed_payloads_are_refused(payload: bytes) -> None:
    # Refused with an error that says the signature itself was fine.
    with pytest.raises(si.WebhookPayloadError, match="signature is valid, but the payload"):
        webhooks.construct_event(payload, header(payload), SECRET)


@settings(max_examples=scale(200, 5_000), deadline=None)
@given(st.text(max_size=300))
def test_any_header_gives_only_signature_errors(sig_header: str) -> None:
    with pytest.raises(si.SignatureVerificationError):
        webhooks.construct_event(PAYLOAD, sig_header, SECRET)


@settings(max_examples=scale(200, 5_000), deadline=None)
@given(st.binary(max_size=300))
def test_any_signed_payload_gives_an_event_or_a_signature_error(payload: bytes) -> None:
    with contextlib.suppress(si.SignatureVerificationError):
        webhooks.construct_event(payload, header(payload), SECRET)


class Receiver:
    """A loopback webhook endpoint that verifies every delivery and can fail on purpose."""

    def __init__(self, fail_first: int = 0) -> None:
        self.fail_first = fail_first
        self.deliveries = 0
        self.events: list[si.Event] = []
        self.wanted = 0
        self.all_in = anyio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        self.deliveries += 1
        if self.deliveries <= self.fail_first:
            return web.Response(status=500)
        event = webhooks.construct_event(
            await request.read(), request.headers["Stripe-Signature"], SECRET
        )
        self.events.append(event)
        if len(self.events) == self.wanted:
            self.all_in.set()
        return web.Response(status=200)


@pytest.fixture
async def receiver(anyio_backend: str) -> AsyncIterator[tuple[str, Receiver]]:
    handler = Receiver(fail_first=1)
    app = web.Application()
    app.router.add_post("/hook", handler.handle)
    runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.1)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/hook", handler
    finally:
        await runner.cleanup()


@pytest.mark.anyio
async def test_emulator_delivers_every_event_once_despite_a_failed_attempt(
    receiver: tuple[str, Receiver],
) -> None:
    url, handler = receiver
    async with (
        Emulator(webhook_url=url, webhook_secret=SECRET) as emu,
        si.AsyncStripeIdentity(TEST_KEY, api_base=emu.api_base) as client,
    ):
        first = await client.verification_sessions.create({"type": "document"})
        emu.submit(first.id, "requires_input", "document_expired")
        emu.submit(first.id, "verified")
        await client.verification_sessions.redact(first.id)
        second = await client.verification_sessions.create({"type": "id_number"})
        await client.verification_sessions.cancel(second.id)
        expected = [e["id"] for e in emu.events()]
        handler.wanted = len(expected)
        if len(handler.events) >= handler.wanted:  # everything may be in already
            handler.all_in.set()
        with anyio.fail_after(10):
            await handler.all_in.wait()
    # Each event arrives once; not necessarily in order (the one that failed comes later), as on Stripe.
    assert sorted(e.id for e in handler.events) == sorted(expected)
    assert handler.deliveries == len(expected) + 1  # the failed first attempt was retried
    received = sorted(handler.events, key=lambda e: expected.index(e.id))
    by_session: dict[str, list[str]] = {}
    for event in received:
        by_session.setdefault(event.session_object().id, []).append(event.type.rsplit(".", 1)[1])
    assert by_session[first.id] == [
        "created",
        "processing",
        "requires_input",
        "processing",
        "verified",
        "redacted",
    ]
    assert by_session[second.id] == ["created", "canceled"]
    last = received[-1]
    assert last.api_version == si.DEFAULT_STRIPE_VERSION
    assert last.livemode is False


def test_emulator_needs_both_webhook_settings() -> None:
    with pytest.raises(ValueError, match="go together"):
        Emulator(webhook_url="http://127.0.0.1:1/hook")


OTHER_EVENTS = [
    ("payment_intent.succeeded", {"id": "pi_1", "object": "payment_intent", "amount": 2000}),
    ("customer.created", {"id": "cus_1", "object": "customer", "email": "jenny@example.com"}),
    ("charge.refunded", {"id": "ch_1", "object": "charge", "refunded": True}),
    ("invoice.paid", {"id": "in_1", "object": "invoice", "total": 500}),
    ("checkout.session.completed", {"id": "cs_1", "object": "checkout.session"}),
    ("account.updated", {"id": "acct_1", "object": "account", "charges_enabled": True}),
]


@pytest.mark.parametrize(("kind", "obj"), OTHER_EVENTS)
def test_any_correctly_signed_event_comes_back_with_its_object_as_a_dict(
    kind: str, obj: dict[str, object]
) -> None:
    payload = json.dumps({**EVENT, "id": f"evt_{kind}", "type": kind, "data": {"object": obj}}).encode()
    event = webhooks.construct_event(payload, header(payload), SECRET)
    assert event.type == kind
    assert event.data.object == obj
    assert not event.is_identity
    with pytest.raises(TypeError, match="not about a VerificationSession"):
        event.session_object()


@pytest.mark.parametrize(("kind", "obj"), OTHER_EVENTS[:1])
def test_a_tampered_event_of_any_type_still_fails_its_signature(
    kind: str, obj: dict[str, object]
) -> None:
    payload = json.dumps({**EVENT, "type": kind, "data": {"object": obj}}).encode()
    tampered = payload.replace(b"2000", b"9000")
    with pytest.raises(si.SignatureVerificationError) as error:
        webhooks.construct_event(tampered, header(payload), SECRET)
    assert not isinstance(error.value, si.WebhookPayloadError)
    assert "No signatures found matching" in error.value.message
