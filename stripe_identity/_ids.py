"""Path ids: checked before any request, then escaped as exactly one path segment."""

from __future__ import annotations

import re
from urllib.parse import quote

from ._errors import InvalidRequestError

__all__ = ["path_id"]

_PLAIN = re.compile(r"[A-Za-z0-9_-]+").fullmatch


def path_id(value: object, param: str) -> str:
    """``value`` escaped for a URL path (``vs_1/../x`` -> ``vs_1%2F..%2Fx``)."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidRequestError(
            f"Could not determine which URL to request: {param} must be a non-empty string, "
            f"not {value!r}",
            param=param,
        )
    if _PLAIN(value) is not None:  # the usual vs_.../vr_... id needs no escaping
        return value
    # safe="" escapes "/" too, so an id can never climb out of its segment; a bare "." or ".."
    # would still be folded away by URL normalisation, so its dots are escaped as well.
    escaped = quote(value, safe="")
    if escaped in (".", ".."):
        escaped = escaped.replace(".", "%2E")
    return escaped
