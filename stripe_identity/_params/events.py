"""Params of the Event operations, as attrs classes and as ``TypedDict``s."""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from ._common import CreatedFilter, CreatedFilterDict, ExpandableDict, Timestamp

__all__ = ["EventListParams", "EventListParamsDict", "EventRetrieveParams", "EventRetrieveParamsDict"]


@attrs.frozen(kw_only=True)
class EventListParams:
    """Params of ``GET /v1/events`` (``type`` accepts a ``*`` wildcard; ``types`` up to 20 names)."""

    created: Timestamp | CreatedFilter | None = None
    delivery_success: bool | None = None
    ending_before: str | None = None
    expand: Sequence[str] | None = None
    limit: int | None = None
    starting_after: str | None = None
    type: str | None = None
    types: Sequence[str] | None = None


@attrs.frozen(kw_only=True)
class EventRetrieveParams:
    """Params of ``GET /v1/events/{id}``."""

    expand: Sequence[str] | None = None


class EventListParamsDict(ExpandableDict, total=False):
    """``EventListParams`` as a dict (``type`` takes a ``*`` wildcard)."""

    created: Timestamp | CreatedFilterDict
    delivery_success: bool
    ending_before: str
    limit: int
    starting_after: str
    type: str
    types: list[str] | tuple[str, ...]


class EventRetrieveParamsDict(ExpandableDict, total=False):
    """``EventRetrieveParams`` as a dict."""
