"""Event: what webhooks deliver and ``client.events`` lists, for Identity and any other type."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import attrs

from ._base import APIResource, StripeObject
from .verification_sessions import VerificationSession

__all__ = ["Event", "EventData", "EventRequest"]

IdentityEventType = Literal[
    "identity.verification_session.canceled",
    "identity.verification_session.created",
    "identity.verification_session.processing",
    "identity.verification_session.redacted",
    "identity.verification_session.requires_input",
    "identity.verification_session.verified",
]
EventType = IdentityEventType | str
_IDENTITY_EVENT = "identity.verification_session."

#: ``data.object``: a typed session for Identity events, the JSON object for any other type.
EventObject = VerificationSession | dict[str, Any]


@attrs.frozen(kw_only=True, slots=False, eq=False, repr=False)
class EventRequest(StripeObject):
    """The API request that caused an event (``id`` is ``None`` for automatic changes)."""

    id: str | None = None
    idempotency_key: str | None = None


@attrs.frozen(kw_only=True, slots=False, eq=False, repr=False)
class EventData(StripeObject):
    """The object an event is about, and what changed."""

    object: EventObject
    #: The fields that changed, with their previous values (``*.updated``-style events only).
    previous_attributes: Mapping[str, Any] | None = None


@attrs.frozen(kw_only=True, slots=False, eq=False, repr=False)
class Event(APIResource):
    """Something that happened in the account, as webhooks deliver it and ``client.events`` lists it.

    For ``identity.verification_session.*`` events ``data.object`` is a :class:`VerificationSession`;
    for every other type it is the plain JSON object, so one endpoint can take all of an account's
    events. ``session_object()`` narrows it for the type checker.
    """

    id: str
    object: Literal["event"] | str
    type: EventType
    created: int
    livemode: bool
    data: EventData
    pending_webhooks: int = 0
    account: str | None = None
    api_version: str | None = None
    context: str | None = None
    request: EventRequest | None = None

    @staticmethod
    def _decode_check(o: Mapping[str, Any]) -> None:
        # An Identity event's object is always a session: one that is not is a malformed event,
        # not an event of another kind.
        if o["type"].startswith(_IDENTITY_EVENT):
            data = o["data"]
            if data["object"].get("object") != "identity.verification_session":
                raise TypeError(f"the object of a {o['type']} event is not a VerificationSession")

    @property
    def is_identity(self) -> bool:
        """Whether this is an ``identity.verification_session.*`` event (its object is typed)."""
        return isinstance(self.data.object, VerificationSession)

    def session_object(self) -> VerificationSession:
        """``data.object`` as a :class:`VerificationSession`; ``TypeError`` for other event types."""
        obj = self.data.object
        if not isinstance(obj, VerificationSession):
            raise TypeError(f"a {self.type} event is not about a VerificationSession")
        return obj
