"""Params of ``GET /v2/core/events``, as an attrs class and as a ``TypedDict``.

v2 filters times with RFC 3339 strings (``"2026-12-01T00:00:00Z"``), not Unix seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict

import attrs

__all__ = [
    "ThinEventCreatedFilter",
    "ThinEventCreatedFilterDict",
    "ThinEventListParams",
    "ThinEventListParamsDict",
]


@attrs.frozen(kw_only=True)
class ThinEventCreatedFilter:
    """A range over ``created``, in RFC 3339 times."""

    gt: str | None = None
    gte: str | None = None
    lt: str | None = None
    lte: str | None = None


@attrs.frozen(kw_only=True)
class ThinEventListParams:
    """Params of ``GET /v2/core/events``: ``object_id`` (the related object's id), ``types`` (up to
    20), ``created``, ``limit``, and ``page`` (a token from a previous page)."""

    created: ThinEventCreatedFilter | None = None
    limit: int | None = None
    object_id: str | None = None
    page: str | None = None
    types: Sequence[str] | None = None


class ThinEventCreatedFilterDict(TypedDict, total=False):
    """``ThinEventCreatedFilter`` as a dict."""

    gt: str
    gte: str
    lt: str
    lte: str


class ThinEventListParamsDict(TypedDict, total=False):
    """``ThinEventListParams`` as a dict."""

    created: ThinEventCreatedFilterDict
    limit: int
    object_id: str
    page: str
    types: list[str] | tuple[str, ...]
