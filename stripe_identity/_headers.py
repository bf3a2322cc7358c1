"""The headers every request carries, built once per client, and the checks on headers users give.

``User-Agent`` names this SDK, aiohttp and Python, then the integration's ``app_info``.
``X-Stripe-Client-User-Agent`` is the JSON Stripe reads to attribute and diagnose SDK traffic, with
the fields stripe-python sends except ``uname`` (which carries the machine's host name).
"""

from __future__ import annotations

import json
import platform
import re
from collections.abc import Mapping
from typing import Any

import attrs

from ._errors import AuthenticationError
from ._version import __version__

__all__ = [
    "AppInfo",
    "check_header_name",
    "check_header_value",
    "client_user_agent",
    "to_app_info",
    "user_agent",
]

_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+").fullmatch


@attrs.frozen(kw_only=True)
class AppInfo:
    """Who is calling, for plugins built on this SDK: added to ``User-Agent`` and the client UA JSON.

    ``partner_id`` is a Stripe partner's id, if you have one.
    """

    name: str
    version: str | None = None
    url: str | None = None
    partner_id: str | None = None


def to_app_info(value: AppInfo | Mapping[str, str] | None) -> AppInfo | None:
    """Accept ``AppInfo``, a mapping with its keys, or ``None``."""
    if value is None or isinstance(value, AppInfo):
        return value
    if isinstance(value, Mapping):
        return AppInfo(**value)
    raise TypeError(f"app_info must be AppInfo or a mapping, not {type(value).__name__}")


def check_header_value(name: str, value: str) -> str:
    """Refuse values that would corrupt the request's headers (the value itself is not echoed)."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, not {type(value).__name__}")
    if not value.isprintable() or any(c.isspace() for c in value) or not value.isascii():
        if name == "api_key":
            raise AuthenticationError(
                "The API key contains whitespace or non-printable characters; "
                "copy it again from the Dashboard."
            )
        raise ValueError(f"{name} contains whitespace or non-printable characters")
    return value


def check_header_name(name: str) -> str:
    """A header name must be an HTTP token: anything else could split or smuggle headers."""
    if not isinstance(name, str) or _TOKEN(name) is None:
        raise ValueError(f"{name!r} is not a valid HTTP header name")
    return name


def check_free_text_header(name: str, value: str) -> str:
    """Values of user-given headers may hold spaces, but never CR, LF or other control characters."""
    if not isinstance(value, str):
        raise TypeError(f"header {name} must be a string, not {type(value).__name__}")
    if not value.isascii() or not value.isprintable():
        raise ValueError(f"header {name} contains control or non-ASCII characters")
    return value


def user_agent(aiohttp_version: str, app: AppInfo | None) -> str:
    text = (
        f"stripe-identity-python/{__version__} aiohttp/{aiohttp_version} "
        f"{platform.python_implementation()}/{platform.python_version()}"
    )
    if app is not None:
        text += f" {_app_text(app)}"
    return check_free_text_header("User-Agent", text)


def _app_text(app: AppInfo) -> str:
    text = app.name if app.version is None else f"{app.name}/{app.version}"
    return text if app.url is None else f"{text} ({app.url})"


def _platform() -> str:
    """``Linux-6.8.0-x86_64``: the OS, its release and the machine.

    Not ``platform.platform()``: it reads the processor's name, which on Linux and macOS is a
    ``uname -p`` subprocess, a fork of the whole interpreter that every script would pay at start-up
    (and that gevent can only run on its main hub). ``platform.uname()`` leaves the processor unread.
    """
    uname = platform.uname()
    return "-".join(part for part in (uname.system, uname.release, uname.machine) if part)


def client_user_agent(aiohttp_version: str, app: AppInfo | None) -> str:
    """The ``X-Stripe-Client-User-Agent`` JSON."""
    info: dict[str, Any] = {
        "bindings_version": __version__,
        "lang": "python",
        "lang_version": platform.python_version(),
        "publisher": "stripe-identity",
        "httplib": "aiohttp",
        "httplib_version": aiohttp_version,
        "platform": _platform(),
    }
    if app is not None:
        info["application"] = {k: v for k, v in attrs.asdict(app).items() if v is not None}
    return check_free_text_header("X-Stripe-Client-User-Agent", json.dumps(info, sort_keys=True))
