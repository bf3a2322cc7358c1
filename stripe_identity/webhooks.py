"""Verify Stripe webhook signatures and read the events they carry.

Stripe signs each delivery with the endpoint's secret: the ``Stripe-Signature`` header reads
``t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">``, with one ``v1`` per active secret while a
secret is being rolled. Verify against the raw request body, before any JSON parsing::

    event = webhooks.construct_event(await request.read(), request.headers["Stripe-Signature"],
                                     endpoint_secret)

Any correctly signed, fresh event comes back as an :class:`~stripe_identity.Event`, whatever its type:
``data.object`` is a typed ``VerificationSession`` for ``identity.verification_session.*`` events and
the plain JSON object otherwise, so an endpoint shared with other event types can acknowledge those
(answer 2xx) instead of refusing them. A bad signature, a stale timestamp or a malformed header raises
:class:`SignatureVerificationError`; a correctly signed payload that is not JSON, or not an event,
raises its subclass :class:`WebhookPayloadError`, so one ``except`` clause still guards the endpoint.
Messages never repeat the secret. ``DEFAULT_TOLERANCE`` (300) is how many seconds a timestamp may
be off, in the past or the future.

Event destinations with the thin payload sign the same way; :func:`parse_event_notification` verifies
one and returns an :class:`~stripe_identity.EventNotification`, whose ``related_object`` names the
session (``client.thin_events.fetch_related_object`` fetches it). Deliveries through Amazon
EventBridge or Azure Event Grid carry no signature (the cloud provider authenticated them):
:func:`parse_event_notification_from_cloud_provider` and :func:`construct_event_from_cloud_provider`
take the Stripe event out of their envelope.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping
from typing import Any

import orjson

from ._decoding import decode_event, decode_event_notification
from ._envelopes import unwrap
from ._errors import SignatureVerificationError, WebhookPayloadError
from ._models import Event, EventNotification

__all__ = [
    "DEFAULT_TOLERANCE",
    "compute_signature",
    "construct_event",
    "construct_event_from_cloud_provider",
    "generate_test_header",
    "parse_event_notification",
    "parse_event_notification_from_cloud_provider",
    "verify_header",
]

#: Seconds a signature stays acceptable, either side of now (Stripe's default is five minutes).
DEFAULT_TOLERANCE = 300

_SCHEME = "v1"


def _as_bytes(payload: bytes | str) -> bytes:
    if isinstance(payload, str):
        return payload.encode("utf-8")
    if isinstance(payload, (bytes, bytearray, memoryview)):
        return bytes(payload)
    # Usually the body already parsed as JSON: its bytes can no longer be checked, whatever it says.
    raise SignatureVerificationError(
        f"The payload must be the raw request body (bytes or str), not {type(payload).__name__}: "
        "verify the signature before parsing the JSON",
        None,
    )


def compute_signature(payload: bytes | str, secret: str, timestamp: int) -> str:
    """The hex ``v1`` signature of ``payload`` signed at ``timestamp``."""
    signed = str(timestamp).encode("ascii") + b"." + _as_bytes(payload)
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def generate_test_header(payload: bytes | str, secret: str, timestamp: int | None = None) -> str:
    """A ``Stripe-Signature`` header for ``payload``, as Stripe would send it (for tests)."""
    if timestamp is None:
        timestamp = int(time.time())
    return f"t={timestamp},{_SCHEME}={compute_signature(payload, secret, timestamp)}"


def _parse(sig_header: str) -> tuple[int, list[str]]:
    timestamp: int | None = None
    signatures: list[str] = []
    for item in sig_header.split(","):
        key, sep, value = item.strip().partition("=")
        if not sep:
            continue
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError:
                timestamp = None
                break
        elif key == _SCHEME:
            signatures.append(value)
    if timestamp is None:
        raise SignatureVerificationError(
            "Unable to extract timestamp and signatures from header", sig_header
        )
    if not signatures:
        raise SignatureVerificationError(
            f"No signatures found with expected scheme {_SCHEME}", sig_header
        )
    return timestamp, signatures


def verify_header(
    payload: bytes | str, sig_header: str, secret: str, tolerance: int = DEFAULT_TOLERANCE
) -> None:
    """Raise :class:`SignatureVerificationError` unless ``sig_header`` signs ``payload``.

    ``tolerance`` (seconds) bounds the distance between the header's timestamp and now, in the past
    (replayed deliveries) and in the future (a skewed or forged clock) alike; ``0`` disables it.
    """
    if not isinstance(sig_header, str) or not sig_header:
        raise SignatureVerificationError("No Stripe-Signature header value was provided", None)
    if not isinstance(secret, str) or not secret:
        raise SignatureVerificationError("No webhook signing secret was provided", sig_header)
    timestamp, signatures = _parse(sig_header)
    expected = compute_signature(payload, secret, timestamp).encode("ascii")
    # compare_digest on every candidate: the time taken says nothing about which one was close.
    # Bytes, because compare_digest refuses non-ASCII str and a header may hold anything.
    if not any(
        hmac.compare_digest(expected, candidate.encode("utf-8", "replace")) for candidate in signatures
    ):
        raise SignatureVerificationError(
            "No signatures found matching the expected signature for payload", sig_header
        )
    if tolerance and abs(time.time() - timestamp) > tolerance:
        raise SignatureVerificationError(
            f"Timestamp outside the tolerance zone ({tolerance} s)", sig_header
        )


def construct_event(
    payload: bytes | str, sig_header: str, secret: str, tolerance: int = DEFAULT_TOLERANCE
) -> Event:
    """Verify the signature, then parse the payload into an :class:`Event` (of any type)."""
    verify_header(payload, sig_header, secret, tolerance)
    try:
        return decode_event(_as_bytes(payload))
    except ValueError as exc:
        raise WebhookPayloadError(f"The signature is valid, but {exc}", sig_header) from None


def parse_event_notification(
    payload: bytes | str, sig_header: str, secret: str, tolerance: int = DEFAULT_TOLERANCE
) -> EventNotification:
    """Verify the signature, then parse an event destination's thin payload into an
    :class:`EventNotification`."""
    verify_header(payload, sig_header, secret, tolerance)
    try:
        return decode_event_notification(_as_bytes(payload))
    except ValueError as exc:
        raise WebhookPayloadError(f"The signature is valid, but {exc}", sig_header) from None


def parse_event_notification_from_cloud_provider(
    payload: bytes | str | Mapping[str, Any],
) -> EventNotification:
    """The thin event notification in an EventBridge or Event Grid delivery: its body, or the JSON
    object a Lambda or Azure Function is handed (no signature to check: call it only on what the
    cloud provider delivered)."""
    try:
        return decode_event_notification(_unwrapped(payload))
    except ValueError as exc:
        raise WebhookPayloadError(f"Not a thin event notification: {exc}", None) from None


def construct_event_from_cloud_provider(payload: bytes | str | Mapping[str, Any]) -> Event:
    """The snapshot event in an EventBridge or Event Grid delivery, as
    :func:`parse_event_notification_from_cloud_provider` takes it."""
    try:
        return decode_event(_unwrapped(payload))
    except ValueError as exc:
        raise WebhookPayloadError(f"Not a snapshot event: {exc}", None) from None


def _unwrapped(payload: bytes | str | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(payload, Mapping):
        data: Any = dict(payload)
    elif isinstance(payload, (bytes, bytearray, memoryview, str)):
        try:
            data = orjson.loads(_as_bytes(payload))
        except orjson.JSONDecodeError:
            raise ValueError("the payload is not JSON") from None
    else:
        raise ValueError(f"the payload is a {type(payload).__name__}, not JSON or a JSON object")
    if not isinstance(data, dict):
        raise ValueError("the payload is not a JSON object")
    return unwrap(data)
