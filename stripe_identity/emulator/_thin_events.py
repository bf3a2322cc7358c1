"""Thin events: the ``v2.core.event`` twin of each Identity event, and the notification pushed for it.

Stripe emits a thin event of type ``v1.<type>`` alongside each snapshot event of an Identity type
(``identity.verification_session.verified`` has ``v1.identity.verification_session.verified``). A
thin event carries no copy of the session, only a reference to it (``related_object``: its id, its
object type and the URL to GET it), so its payload needs no API version. What an event destination
receives is the notification: the event's id, type, ``created`` (an RFC 3339 time), ``livemode``,
``context`` (the connected account it happened on, or ``null``), ``reason`` (the API request that
caused it, ``null`` when it happened on its own) and ``related_object``. ``GET /v2/core/events/{id}``
answers the same fields plus ``changes``, ``data`` and ``snapshot_event`` (the id of the snapshot
event it was emitted with).

The store keeps every thin event in creation order; :meth:`ThinEventStore.record` makes one from a
snapshot event as it is emitted and returns it (``None`` for a type with no thin twin).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from ._objects import IdFactory

__all__ = ["SESSION_PATH", "THIN_TYPES", "ThinEventStore", "notification_of", "rfc3339"]

_IDENTITY = "identity.verification_session."
_KINDS = ("canceled", "created", "processing", "redacted", "requires_input", "verified")

#: The six thin event types of Identity, as stripe-python 16 names its notification classes.
THIN_TYPES = frozenset(f"v1.{_IDENTITY}{kind}" for kind in _KINDS)

#: Where a related session is retrieved (the ``url`` of ``related_object``).
SESSION_PATH = "/v1/identity/verification_sessions/"

#: The fields of a thin event that its notification carries too.
_NOTIFIED = ("context", "created", "id", "livemode", "object", "reason", "related_object", "type")


def rfc3339(seconds: float) -> str:
    """A Unix time as v2 writes times: UTC, milliseconds, ``Z``."""
    moment = datetime.datetime.fromtimestamp(seconds, tz=datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _reason(snapshot: dict[str, Any]) -> dict[str, Any] | None:
    """The request behind the snapshot event, in v2's shape; ``None`` when nothing asked for it."""
    request = snapshot.get("request") or {}
    if request.get("id") is None:
        return None
    return {
        "request": {"id": request["id"], "idempotency_key": request.get("idempotency_key")},
        "type": "request",
    }


def notification_of(event: dict[str, Any]) -> dict[str, Any]:
    """The payload an event destination receives for ``event`` (a thin event of the store)."""
    return {key: event[key] for key in _NOTIFIED}


class ThinEventStore:
    """Every thin event emitted, oldest first."""

    def __init__(self, ids: IdFactory, clock: Callable[[], float]) -> None:
        self.ids = ids
        self.clock = clock
        self.reset()

    def reset(self) -> None:
        self.events: dict[str, dict[str, Any]] = {}
        self.order: list[str] = []
        self._created: dict[str, float] = {}

    def record(self, snapshot: dict[str, Any]) -> dict[str, Any] | None:
        """The thin twin of a snapshot event just emitted, stored; ``None`` if it has none."""
        kind = f"v1.{snapshot['type']}"
        if kind not in THIN_TYPES:
            return None
        session_id = snapshot["data"]["object"]["id"]
        now = self.clock()
        event = {
            "changes": None,
            "context": snapshot.get("account"),
            "created": rfc3339(now),
            "data": None,
            "id": self.ids.object_id("evt_test"),
            "livemode": False,
            "object": "v2.core.event",
            "reason": _reason(snapshot),
            "related_object": {
                "id": session_id,
                "type": "identity.verification_session",
                "url": SESSION_PATH + session_id,
            },
            "snapshot_event": snapshot["id"],
            "type": kind,
        }
        self.events[event["id"]] = event
        self.order.append(event["id"])
        self._created[event["id"]] = now
        return event

    def created_at(self, event_id: str) -> float:
        """When an event was created, as a Unix time (for the ``created`` filters)."""
        return self._created[event_id]
