"""Param types shared by several operations: time ranges, timestamps, metadata, ``expand``."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Literal, TypedDict

import attrs

__all__ = ["CreatedFilter", "CreatedFilterDict", "ExpandableDict", "MetadataParam", "Timestamp"]

#: Unix seconds, or an aware ``datetime`` (sent as unix seconds; a naive one is refused).
Timestamp = int | datetime.datetime

#: ``""`` unsets every key; a key mapped to ``""`` unsets that key.
MetadataParam = Mapping[str, str] | Literal[""]


@attrs.frozen(kw_only=True)
class CreatedFilter:
    """A range over ``created``; pass a plain timestamp instead for an exact match."""

    gt: Timestamp | None = None
    gte: Timestamp | None = None
    lt: Timestamp | None = None
    lte: Timestamp | None = None


class CreatedFilterDict(TypedDict, total=False):
    """``CreatedFilter`` as a dict: ``{"gte": start, "lt": end}``."""

    gt: Timestamp
    gte: Timestamp
    lt: Timestamp
    lte: Timestamp


class ExpandableDict(TypedDict, total=False):
    """The key every operation takes: the response fields to expand, by dotted path."""

    # A list or a tuple, as the encoder indexes only those: typed so, a bare string (which is a
    # Sequence[str]) is an error rather than a request Stripe refuses.
    expand: list[str] | tuple[str, ...]
