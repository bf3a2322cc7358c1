"""What goes into a URL path: ids escaped as exactly one segment, and whole paths that cannot leave the
base URL.

A client sends its API key to ``api_base + path``. That concatenation is only safe when ``path`` is an
absolute path of plain characters: ``".evil.example/x"`` would move the request to another host,
``"//evil.example/x"`` would be read as an authority, and ``".."`` segments or backslashes are folded
differently by different servers and proxies. :func:`check_path` refuses all of those before any
connection is opened.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

from ._errors import InvalidRequestError

__all__ = ["check_path", "path_id"]

_PLAIN = re.compile(r"[A-Za-z0-9_-]+").fullmatch

#: ``/`` and then RFC 3986 ``pchar`` and ``/``: unreserved characters, sub-delims, ``:``, ``@`` and
#: ``%`` (whose escapes :data:`_BAD_ESCAPE` checks). No whitespace, control characters, backslashes,
#: ``?`` or ``#`` (query params go in ``params``), nor anything outside ASCII. One character class
#: rather than an alternation per character: sre runs a repeated class in a tight loop, but an
#: alternation through its general backtracking machinery, which made this check cost more than
#: the rest of building the request.
_PATH_CHARS = re.compile(r"/[A-Za-z0-9._~!$&'()*+,;=:@/%-]*").fullmatch
#: A ``%`` that does not start a two-digit hex escape.
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})").search


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
    if not isinstance(value, str) or not value.strip() or value in (".", ".."):
        # "." and ".." (escaped or not) are folded away by URL normalisation: no id is spelt so.
        raise InvalidRequestError(
            f"Could not determine which URL to request: {param} must be a non-empty string "
            f"other than '.' or '..', not {value!r}",
            param=param,
        )
    if _PLAIN(value) is not None:  # the usual vs_.../vr_... id needs no escaping
        return value
    # safe="" escapes "/" too, so an id can never climb out of its segment.
    return quote(value, safe="")


def check_path(path: object) -> str:
    """``path`` itself if it is an absolute path that stays on the base URL; else
    :class:`InvalidRequestError` (``param="path"``), before anything is sent."""
    if (
        type(path) is str
        and _well_formed(path)
        and not path.startswith("//")
        and (("." not in path and "%" not in path) or not _has_dot_segment(path))
    ):
        return path
    raise InvalidRequestError(_why_not(path), param="path")


def _well_formed(path: str) -> bool:
    return _PATH_CHARS(path) is not None and ("%" not in path or _BAD_ESCAPE(path) is None)


def _has_dot_segment(path: str) -> bool:
    # Servers may decode %2E before folding ".." away, so the escaped spellings count too.
    return any(unquote(segment) in (".", "..") for segment in path.split("/"))


def _why_not(path: object) -> str:
    if not isinstance(path, str):
        return f"The path must be a string, not {type(path).__name__}"
    shown = repr(path if len(path) <= 80 else path[:77] + "...")
    if not path.startswith("/") or path.startswith("//"):
        reason = "it must start with a single '/' (a path on the client's api_base, like /v1/events)"
    elif "?" in path or "#" in path:
        reason = "it must not carry a query or a fragment: pass query params in `params`"
    elif not _well_formed(path):
        reason = (
            "it may hold only letters, digits, percent-escapes and -._~!$&'()*+,;=:@/ "
            "(no whitespace, control characters, backslashes or non-ASCII text)"
        )
    else:
        reason = "it must not contain '.' or '..' segments"
    return f"Refusing to request the path {shown}: {reason}"
