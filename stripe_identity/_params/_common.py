"""Param types shared by several operations: time ranges, timestamps, metadata."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Literal

import attrs

__all__ = ["CreatedFilter", "MetadataParam", "Timestamp"]

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
