"""The URLs the emulator is given, checked, and the address it advertises.

:func:`http_url` refuses anything but an absolute ``http://`` or ``https://`` URL with a host (and a
valid port), with a ``ValueError`` that names the setting, so that a typo fails when the emulator is
built rather than on every webhook delivery or every link a browser follows. :func:`advertised_host`
gives the host a URL should name for an address the emulator listens on: a wildcard address
(``0.0.0.0``, ``::``) accepts connections but cannot be connected to, so it becomes the loopback
address of the same family.
"""

from __future__ import annotations

from urllib.parse import urlsplit

__all__ = ["advertised_host", "http_url", "is_wildcard"]

_WILDCARDS = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}


def http_url(value: object, setting: str, *, query: bool = True) -> str:
    """``value`` if it is an absolute http(s) URL with a host; without a trailing ``/`` when
    ``query`` is False (a base URL, which takes neither a query nor a fragment)."""
    if not isinstance(value, str):
        raise ValueError(f"{setting} must be a URL string, not {type(value).__name__}")
    shown = value if len(value) <= 80 else value[:77] + "..."
    problem = _problem(value, query)
    if problem is not None:
        raise ValueError(
            f"{setting} must be an absolute http:// or https:// URL with a host ({problem}), "
            f"not {shown!r}"
        )
    return value if query else value.rstrip("/")


def _problem(value: str, query: bool) -> str | None:
    if any(ch.isspace() or ord(ch) < 32 for ch in value):
        return "it holds a space or a control character"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - parsing the port is the check
    except ValueError as exc:
        return f"it does not parse: {exc}"
    if parts.scheme not in ("http", "https"):
        return f"its scheme is {parts.scheme!r}" if parts.scheme else "it has no scheme"
    if not parts.hostname:
        return "it has no host"
    if not query and (parts.query or parts.fragment):
        return "it has a query or a fragment, which a base URL cannot have"
    return None


def is_wildcard(host: str) -> bool:
    """Whether ``host`` is an address that listens on every interface."""
    return host in _WILDCARDS


def advertised_host(host: str) -> str:
    """The host for URLs to an emulator listening on ``host`` (bracketed if IPv6)."""
    host = _WILDCARDS.get(host, host)
    return f"[{host}]" if ":" in host else host
