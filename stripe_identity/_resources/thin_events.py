"""``client.thin_events``: the v2 events behind event destinations' notifications, and what they name.

A notification (see ``webhooks.parse_event_notification``) says only that something happened to an
object. ``retrieve`` fetches the event (``GET /v2/core/events/{id}``), ``fetch_related_object`` the
session it is about, as it is now; both send ``Stripe-Request-Trigger: event=<id>`` when given the
notification, as Stripe's SDKs do, and act in the notification's ``context`` (its connected account).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from .._ids import path_id
from .._models import EventNotification, ThinEvent, ThinEventList, VerificationSession
from .._options import RequestOptions, to_request_options
from .._params._lazy import ParamsClass
from .._requestor import Requestor

if TYPE_CHECKING:
    from .._params import ThinEventListParams, ThinEventListParamsDict

__all__ = ["AsyncThinEventService"]

_PATH = "/v2/core/events"
_ONE = _PATH + "/{id}"
_SESSION = "/v1/identity/verification_sessions/{session}"


def _triggered_by(notification: EventNotification, opts: RequestOptions) -> RequestOptions:
    """``opts`` plus the trigger header and the notification's context (unless ``opts`` sets one)."""
    headers = {**(opts.headers or {}), "Stripe-Request-Trigger": f"event={notification.id}"}
    context = opts.stripe_context if opts.stripe_context is not None else notification.context
    return attrs.evolve(opts, headers=headers, stripe_context=context)


class AsyncThinEventService:
    """Retrieve and list thin events (``v2.core.event``), and fetch the sessions they name."""

    ListParams: ParamsClass[ThinEventListParams] = ParamsClass("ThinEventListParams")

    def __init__(self, requestor: Requestor) -> None:
        self._requestor = requestor

    async def retrieve(
        self,
        event: str | EventNotification,
        opts: RequestOptions | Mapping[str, Any] | None = None,
    ) -> ThinEvent:
        """The event of a notification (or of an id, ``evt_...``), with ``changes`` and ``data``."""
        options = to_request_options(opts)
        if isinstance(event, EventNotification):
            options = _triggered_by(event, options)
            event = event.id
        path = f"{_PATH}/{path_id(event, 'id')}"
        return await self._requestor.request("GET", path, None, options, ThinEvent, _ONE)

    async def list(
        self,
        params: ThinEventListParams | ThinEventListParamsDict | None = None,
        opts: RequestOptions | Mapping[str, Any] | None = None,
    ) -> ThinEventList:
        """A page of events, newest first; ``{"page": page.next_page}`` asks for the next one."""
        return await self._requestor.request("GET", _PATH, params, opts, ThinEventList, _PATH)

    async def fetch_related_object(
        self,
        notification: EventNotification,
        opts: RequestOptions | Mapping[str, Any] | None = None,
    ) -> VerificationSession:
        """The session an Identity notification is about, as it is now (``TypeError`` for a
        notification about anything else)."""
        if not isinstance(notification, EventNotification):
            raise TypeError(
                "fetch_related_object takes an EventNotification (from "
                f"webhooks.parse_event_notification), not {type(notification).__name__}"
            )
        session = path_id(notification.session_id, "related_object.id")
        options = _triggered_by(notification, to_request_options(opts))
        path = _SESSION.format(session=session)
        return await self._requestor.request("GET", path, None, options, VerificationSession, _SESSION)
