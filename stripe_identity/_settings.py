"""``Settings``: what a client (or a ``with_options`` view of it) sends and how it retries.

Everything here can differ between views that share one connection pool. What belongs to the pool
itself (its size, TLS, proxies, the response size cap, client-side pacing) lives on the transport and
the limiter, which views share.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

import attrs

from ._headers import AppInfo, check_free_text_header, check_header_name, check_header_value
from ._middleware import Middleware
from ._retry import RetryPolicy

__all__ = [
    "DEFAULT_API_BASE",
    "DEFAULT_FILES_BASE",
    "INSECURE_HOSTS_ENV",
    "NOT_GIVEN",
    "InsecureHosts",
    "NotGiven",
    "Settings",
    "check_base",
    "insecure_hosts",
]

DEFAULT_API_BASE = "https://api.stripe.com"
DEFAULT_FILES_BASE = "https://files.stripe.com"
#: Host names (comma-separated) that plain http may reach when ``allow_insecure_http`` is not given.
INSECURE_HOSTS_ENV = "STRIPE_INSECURE_HTTP_HOSTS"


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


#: A DNS name or an IPv4 address; what ``urlsplit`` reads as the host of ``http://<it>:port``.
_HOST_NAME = re.compile(
    r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*"
).fullmatch

#: Where plain ``http://`` may go besides loopback: ``True`` for anywhere, else host names.
InsecureHosts = bool | frozenset[str]


def insecure_hosts(value: bool | str | Iterable[str]) -> InsecureHosts:
    """``allow_insecure_http`` as given (``True``, a host name, host names) in its checked form."""
    if isinstance(value, bool):
        return value
    names = [value] if isinstance(value, str) else list(value)
    hosts = set()
    for name in names:
        host = name.strip().lower() if isinstance(name, str) else ""
        if _HOST_NAME(host) is None:
            raise ValueError(
                f"allow_insecure_http takes True or host names (like 'emulator'), not {name!r}"
            )
        hosts.add(host)
    return frozenset(hosts) or False


def check_base(name: str, base: str, allow_insecure_http: InsecureHosts) -> str:
    """An http(s) URL with a host and nothing else; plain http only to loopback unless allowed."""
    if not isinstance(base, str):
        raise TypeError(f"{name} must be a string, not {type(base).__name__}")
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{name} must be an http(s) URL with a host, not {base!r}")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(f"{name} must not carry credentials, a query or a fragment")
    host = parts.hostname
    allowed = allow_insecure_http is True or (
        isinstance(allow_insecure_http, frozenset) and host in allow_insecure_http
    )
    if parts.scheme == "http" and not allowed and not _is_loopback(host):
        raise ValueError(
            f"refusing plain http:// to {host}: the API key would travel in clear text. Use "
            f"https://, or name the host in allow_insecure_http={host!r} (or in "
            f"${INSECURE_HOSTS_ENV}) if you really mean it."
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
    allow_insecure_http: InsecureHosts = attrs.field(default=False, converter=insecure_hosts)

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
