"""Stripe's metadata rules: up to 50 keys of up to 40 characters, values of up to 500, and ``""``
to unset a key (or, for the whole ``metadata``, all of them)."""

from __future__ import annotations

from typing import Any

from ._failures import invalid
from ._validate import UNSET

__all__ = ["merged_metadata"]

_METADATA_KEYS = 50
_METADATA_KEY_LENGTH = 40
_METADATA_VALUE_LENGTH = 500


def merged_metadata(current: dict[str, str], update: Any) -> dict[str, str]:
    """``current`` with Stripe's metadata update applied (``""`` unsets a key, or all of them)."""
    if update is None:
        return current
    if update is UNSET:
        return {}
    merged = dict(current)
    for key, value in update.items():
        if len(key) > _METADATA_KEY_LENGTH:
            raise invalid("metadata", f"Invalid key: {key[:45]} must be a string under 40 characters")
        if value is UNSET:
            merged.pop(key, None)
            continue
        if len(value) > _METADATA_VALUE_LENGTH:
            raise invalid(
                "metadata",
                f"Invalid val: {value[:20]}... must be a string under 500 characters",
            )
        merged[key] = value
    if len(merged) > _METADATA_KEYS:
        raise invalid(
            "metadata",
            f"Metadata can have up to {_METADATA_KEYS} keys, but you've set {len(merged)}.",
        )
    return dict(sorted(merged.items()))
