"""``client.events``: the account's events, to catch up on webhooks that were missed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._ids import path_id
from .._models import Event, ListObject
from .._options import RequestOptions
from .._params._lazy import ParamsClass
from .._requestor import Requestor

if TYPE_CHECKING:
    from .._params import (
        EventListParams,
        EventListParamsDict,
        EventRetrieveParams,
        EventRetrieveParamsDict,
    )

__all__ = ["AsyncEventService"]

_PATH = "/v1/events"
_ONE = _PATH + "/{id}"


class AsyncEventService:
    """List and retrieve events (Stripe keeps them for 30 days)."""

    ListParams: ParamsClass[EventListParams] = ParamsClass("EventListParams")
    RetrieveParams: ParamsClass[EventRetrieveParams] = ParamsClass("EventRetrieveParams")

    def __init__(self, requestor: Requestor) -> None:
        self._requestor = requestor

    async def list(
        self,
        params: EventListParams | EventListParamsDict | None = None,
        opts: RequestOptions | Mapping[str, Any] | None = None,
    ) -> ListObject[Event]:
        """List events newest first: ``{"type": "identity.verification_session.*"}``, say."""
        return await self._requestor.request_list(_PATH, params, opts, Event)

    async def retrieve(
        self,
        event: str,
        params: EventRetrieveParams | EventRetrieveParamsDict | None = None,
        opts: RequestOptions | Mapping[str, Any] | None = None,
    ) -> Event:
        """Retrieve an event by id (``evt_...``)."""
        path = f"{_PATH}/{path_id(event, 'id')}"
        return await self._requestor.request("GET", path, params, opts, Event, _ONE)
