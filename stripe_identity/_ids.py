"""Path ids: checked before any request, then escaped as exactly one path segment."""

from __future__ import annotations

import re
from urllib.parse import quote

from ._errors import InvalidRequestError

__all__ = ["path_id"]

_PLAIN = re.compile(r"[A-Za-z0-9_-]+").fullmatch


#: Ids already checked and escaped: the same session is often retrieved again and again. Bounded:
#: emptied when full, so it never holds more than a few hundred kB.
_CHECKED: dict[str, str] = {}
_CHECKED_MAX = 4096


def path_id(value: object, param: str) -> str:
    """``value`` escaped for a URL path (``vs_1/../x`` -> ``vs_1%2F..%2Fx``)."""
    if type(value) is str:
        escaped = _CHECKED.get(value)
        if escaped is not None:
            return escaped
        escaped = _path_id(value, param)
        if len(_CHECKED) >= _CHECKED_MAX:
            _CHECKED.clear()
        _CHECKED[value] = escaped
        return escaped
    return _path_id(value, param)


def _path_id(value: object, param: str) -> str:
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
