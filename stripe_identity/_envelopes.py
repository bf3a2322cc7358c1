"""The envelopes cloud event buses put around Stripe's events, taken off.

An event destination of type Amazon EventBridge or Azure Event Grid hands each event to the cloud
provider, which delivers it wrapped:

* EventBridge: an object with ``detail-type`` (the event's type), ``source``
  (``aws.partner/stripe.com/...``) and the event itself in ``detail``;
* Event Grid, in the CloudEvents schema: an object with ``specversion``, ``type``, ``source`` and the
  event itself in ``data``.

Neither carries a ``Stripe-Signature``: the provider has authenticated the delivery (an IAM rule, an
Event Grid subscription). :func:`unwrap` returns the Stripe event inside either, or a bare Stripe event
(snapshot or thin) as it is, as from a queue of your own; anything else is a ``ValueError``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["unwrap"]

_STRIPE_OBJECTS = ("event", "v2.core.event")


def _inner(data: dict[str, Any]) -> tuple[str, Any] | None:
    """Which envelope ``data`` is, and what it holds; ``None`` if it is none."""
    if "detail" in data and "detail-type" in data:
        return "an EventBridge event", data["detail"]
    if "specversion" in data and "data" in data:
        return "an Event Grid (CloudEvents) event", data["data"]
    return None


def unwrap(data: dict[str, Any]) -> dict[str, Any]:
    """The Stripe event in an EventBridge or Event Grid envelope, or ``data`` if it is one itself."""
    found = _inner(data)
    if found is None:
        if data.get("object") in _STRIPE_OBJECTS:
            return data
        raise ValueError(
            "the payload is neither an EventBridge or Event Grid envelope nor a Stripe event"
        )
    what, inner = found
    if not isinstance(inner, dict) or inner.get("object") not in _STRIPE_OBJECTS:
        raise ValueError(f"the payload is {what}, but what it carries is not a Stripe event")
    return inner
