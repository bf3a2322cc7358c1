"""Thin events: what an event destination pushes (:class:`EventNotification`), the ``v2.core.event``
the API serves for it (:class:`ThinEvent`), and a page of them (:class:`ThinEventList`).

A thin event names the object it is about (``related_object``) instead of carrying a copy of it:
fetch the object (``client.thin_events.fetch_related_object``) for its current state. Its payload is
unversioned. Times are RFC 3339 strings, as v2 writes them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

import attrs

from ._base import APIResource, StripeObject

__all__ = [
    "EventNotification",
    "EventReason",
    "EventReasonRequest",
    "RelatedObject",
    "ThinEvent",
    "ThinEventList",
]

IdentityThinEventType = Literal[
    "v1.identity.verification_session.canceled",
    "v1.identity.verification_session.created",
    "v1.identity.verification_session.processing",
    "v1.identity.verification_session.redacted",
    "v1.identity.verification_session.requires_input",
    "v1.identity.verification_session.verified",
]
ThinEventType = IdentityThinEventType | str
_IDENTITY = "v1.identity.verification_session."
_SESSION = "identity.verification_session"


@attrs.frozen(kw_only=True, slots=False, eq=False, repr=False)
class RelatedObject(StripeObject):
    """The object a thin event is about: its id, its type and the path that retrieves it."""

    id: str
    type: Literal["identity.verification_session"] | str
    url: str


@attrs.frozen(kw_only=True, slots=False, eq=False, repr=False)
class EventReasonRequest(StripeObject):
    """The API request that caused an event."""

    id: str
    idempotency_key: str | None = None


@attrs.frozen(kw_only=True, slots=False, eq=False, repr=False)
class EventReason(StripeObject):
    """Why an event happened (``type`` is ``"request"``: an API request, in ``request``)."""

    type: Literal["request"] | str
    request: EventReasonRequest | None = None


@attrs.frozen(kw_only=True, slots=False, eq=False, repr=False)
class EventNotification(APIResource):
    """A thin event as an event destination receives it, signed like a webhook.

    ``related_object`` names the session an Identity notification is about;
    ``context`` is the connected account it happened on (``None`` for your own account).
    """

    id: str
    object: Literal["v2.core.event"] | str
    type: ThinEventType
    created: str
    livemode: bool = False
    context: str | None = None
    reason: EventReason | None = None
    related_object: RelatedObject | None = None

    @staticmethod
    def _decode_check(o: Mapping[str, Any]) -> None:
        # An Identity notification without its session would leave nothing to fetch.
        if o["type"].startswith(_IDENTITY):
            related = o.get("related_object")
            if not isinstance(related, dict) or related.get("type") != _SESSION:
                raise TypeError(f"a {o['type']} event does not name a VerificationSession")

    @property
    def is_identity(self) -> bool:
        """Whether this is a ``v1.identity.verification_session.*`` event (about a session)."""
        return self.related_object is not None and self.related_object.type == _SESSION

    @property
    def session_id(self) -> str:
        """The id of the session an Identity event is about; ``TypeError`` for other types."""
        if not self.is_identity or self.related_object is None:
            raise TypeError(f"a {self.type} event is not about a VerificationSession")
        return self.related_object.id


@attrs.frozen(kw_only=True, slots=False, eq=False, repr=False)
class ThinEvent(EventNotification):
    """A thin event as ``GET /v2/core/events/{id}`` serves it: the notification's fields, plus
    ``changes`` and ``data`` (when the type has them) and ``snapshot_event``, the id of the
    snapshot (``/v1/events``) event emitted with it."""

    changes: Mapping[str, Any] | None = None
    data: Mapping[str, Any] | None = None
    snapshot_event: str | None = None


@attrs.frozen(kw_only=True, slots=False, eq=False, repr=False)
class ThinEventList(APIResource):
    """A page of thin events, newest first. ``next_page`` is the token of the page after it
    (``None`` on the last page): pass it as ``{"page": ...}`` to ``thin_events.list``."""

    data: list[ThinEvent]
    next_page_url: str | None = None
    previous_page_url: str | None = None

    # Models refuse iteration (StripeObject.__iter__ is None); a page is a collection.
    def __iter__(self) -> Iterator[ThinEvent]:  # type: ignore[override]
        """The events of this page."""
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    @property
    def next_page(self) -> str | None:
        """The ``page`` token of the next page, or ``None``."""
        return _page_token(self.next_page_url)

    @property
    def previous_page(self) -> str | None:
        """The ``page`` token of the previous page, or ``None``."""
        return _page_token(self.previous_page_url)


def _page_token(url: str | None) -> str | None:
    if url is None:
        return None
    tokens = parse_qs(urlsplit(url).query).get("page")
    return tokens[0] if tokens else None
