"""``RawObject``: the JSON object ``raw_request`` returns, with the response it came from."""

from __future__ import annotations

from typing import Any

from .._response import ResponseMeta

__all__ = ["RawObject"]


class RawObject(dict[str, Any]):
    """A plain ``dict`` of the decoded JSON, plus ``last_response`` (outside equality)."""

    __slots__ = ("last_response",)

    last_response: ResponseMeta

    def __repr__(self) -> str:
        return f"RawObject({dict.__repr__(self)})"
