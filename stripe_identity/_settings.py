"""``Settings``: what a client (or a ``with_options`` view of it) sends and how it retries.

Everything here can differ between views that share one connection pool. What belongs to the pool
itself (its size, TLS, proxies, the response size cap, client-side pacing) lives on the transport and
the limiter, which views share.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import attrs

from ._headers import AppInfo, check_free_text_header, check_header_name, check_header_value
from ._middleware import Middleware
from ._retry import RetryPolicy

__all__ = [
    "DEFAULT_API_BASE",
    "DEFAULT_FILES_BASE",
    "NOT_GIVEN",
    "NotGiven",
    "Settings",
    "check_base",
]

DEFAULT_API_BASE = "https://api.stripe.com"
DEFAULT_FILES_BASE = "https://files.stripe.com"


class NotGiven:
    """The default of ``with_options`` arguments: "keep this setting as it is" (``None`` may be a
    value to set)."""

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN = NotGiven()


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base(name: str, base: str, allow_insecure_http: bool) -> str:
    """An http(s) URL with a host and nothing else; plain http only to loopback unless allowed."""
    if not isinstance(base, str):
        raise TypeError(f"{name} must be a string, not {type(base).__name__}")
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{name} must be an http(s) URL with a host, not {base!r}")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(f"{name} must not carry credentials, a query or a fragment")
    if parts.scheme == "http" and not allow_insecure_http and not _is_loopback(parts.hostname):
        raise ValueError(
            f"refusing plain http:// to {parts.hostname}: the API key would travel in clear text. "
            "Use https://, or pass allow_insecure_http=True if you really mean it."
        )
    return base.rstrip("/")


def _headers(value: Mapping[str, str] | None) -> Mapping[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TypeError(f"default_headers must be a mapping, not {type(value).__name__}")
    return {check_header_name(k): check_free_text_header(k, v) for k, v in value.items()}


@attrs.frozen(kw_only=True)
class Settings:
    """A client's request settings, checked once when the client (or a view) is made."""

    api_key: str | None = attrs.field(default=None, repr=False)
    api_base: str
    files_base: str
    stripe_version: str | None = None
    stripe_account: str | None = None
    stripe_context: str | None = None
    max_retries: int = 2
    timeout: float = 80.0
    middlewares: tuple[Middleware, ...] = ()
    operation_middlewares: tuple[Middleware, ...] = ()
    retry_policy: RetryPolicy = attrs.field(factory=RetryPolicy)
    default_headers: Mapping[str, str] = attrs.field(factory=dict, converter=_headers)
    app_info: AppInfo | None = None
    client_user_agent: bool = True
    allow_insecure_http: bool = False

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.max_retries, int) or self.max_retries < 0:
            raise ValueError(f"max_retries must be a non-negative int, not {self.max_retries!r}")
        if not isinstance(self.timeout, (int, float)) or not self.timeout > 0:
            raise ValueError(f"timeout must be a positive number of seconds, not {self.timeout!r}")
        # Normalised forms: a trailing slash would double up with every path.
        object.__setattr__(
            self, "api_base", check_base("api_base", self.api_base, self.allow_insecure_http)
        )
        object.__setattr__(
            self, "files_base", check_base("files_base", self.files_base, self.allow_insecure_http)
        )
        if self.api_key:
            check_header_value("api_key", self.api_key)
        for name in ("stripe_version", "stripe_account", "stripe_context"):
            value = getattr(self, name)
            if value is not None:
                check_header_value(name, value)

    def evolve(self, changes: Mapping[str, Any]) -> Settings:
        """These settings with ``changes`` applied, checked like new ones."""
        return attrs.evolve(self, **changes)
