"""``Settings``: the one list of what a client can be configured with, checked once.

``AsyncStripeIdentity(...)`` takes exactly these fields as arguments (and so does the generated
``StripeIdentity``); :meth:`Settings.from_arguments` turns the arguments into settings, filling what
was not given from the environment. ``with_options(...)`` takes :class:`ViewOptions`: the fields a
view sharing the client's pool may change (what each request carries, how it retries). The fields
marked ``pool`` belong to the connection pool and its pacing, which views share. A test holds the
constructor, ``with_options`` and this class to the same names and defaults.
"""

from __future__ import annotations

import ipaddress
import os
import re
import ssl
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypedDict
from urllib.parse import urlsplit

import attrs

from ._defaults import (
    DEFAULT_API_BASE,
    DEFAULT_FILES_BASE,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RETRIES,
    DEFAULT_STRIPE_VERSION,
    DEFAULT_TIMEOUT,
    ENV_API_BASE,
    ENV_API_KEY,
    ENV_FILES_BASE,
    ENV_INSECURE_HTTP_HOSTS,
)
from ._headers import (
    AppInfo,
    check_free_text_header,
    check_header_name,
    check_header_value,
    to_app_info,
)
from ._middleware import Middleware
from ._retry import RetryPolicy

if TYPE_CHECKING:
    from ._limiter import Limiter

__all__ = ["InsecureHosts", "Settings", "ViewOptions", "check_base", "insecure_hosts"]

#: Where plain ``http://`` may go besides loopback: ``True`` for anywhere, else host names.
InsecureHosts = bool | frozenset[str]

#: A DNS name or an IPv4 address; what ``urlsplit`` reads as the host of ``http://<it>:port``.
_HOST_NAME = re.compile(
    r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*"
).fullmatch

_POOL = {"pool": True}


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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
            f"${ENV_INSECURE_HTTP_HOSTS}) if you really mean it."
        )
    return base.rstrip("/")


def _headers(value: Mapping[str, str] | None) -> Mapping[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TypeError(f"default_headers must be a mapping, not {type(value).__name__}")
    return {check_header_name(k): check_free_text_header(k, v) for k, v in value.items()}


def _version(value: str | None) -> str:
    return DEFAULT_STRIPE_VERSION if value is None else value


def _retry_policy(value: RetryPolicy | None) -> RetryPolicy:
    return RetryPolicy() if value is None else value


def _middlewares(value: Sequence[Middleware]) -> tuple[Middleware, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class Settings:
    """A client's settings (see the module's docstring); the constructor's arguments documents each."""

    api_key: str | None = attrs.field(default=None, repr=False)
    api_base: str = DEFAULT_API_BASE
    files_base: str = DEFAULT_FILES_BASE
    stripe_version: str = attrs.field(default=DEFAULT_STRIPE_VERSION, converter=_version)
    stripe_account: str | None = None
    stripe_context: str | None = None
    max_retries: int = DEFAULT_MAX_RETRIES
    timeout: float = DEFAULT_TIMEOUT
    max_connections: int = attrs.field(default=DEFAULT_MAX_CONNECTIONS, metadata=_POOL)
    middlewares: tuple[Middleware, ...] = attrs.field(default=(), converter=_middlewares)
    operation_middlewares: tuple[Middleware, ...] = attrs.field(default=(), converter=_middlewares)
    retry_policy: RetryPolicy = attrs.field(factory=RetryPolicy, converter=_retry_policy)
    ssl_context: ssl.SSLContext | None = attrs.field(default=None, metadata=_POOL)
    allow_insecure_http: InsecureHosts = attrs.field(default=False, converter=insecure_hosts)
    max_response_bytes: int = attrs.field(default=DEFAULT_MAX_RESPONSE_BYTES, metadata=_POOL)
    proxy: str | None = attrs.field(default=None, metadata=_POOL, repr=False)
    trust_env: bool = attrs.field(default=True, metadata=_POOL)
    default_headers: Mapping[str, str] = attrs.field(factory=dict, converter=_headers)
    app_info: AppInfo | None = attrs.field(default=None, converter=to_app_info)
    client_user_agent: bool = True
    rate_limit: float | Limiter | None = attrs.field(default=None, metadata=_POOL)

    @classmethod
    def from_arguments(cls, arguments: Mapping[str, Any]) -> Settings:
        """The settings of a new client: its constructor's ``arguments``, with what was not given
        (``None``) taken from the environment or derived from the rest."""
        given = {name: value for name, value in arguments.items() if value is not None}
        env = os.environ
        given.setdefault("api_key", env.get(ENV_API_KEY) or None)
        api_base = given.setdefault("api_base", env.get(ENV_API_BASE) or DEFAULT_API_BASE)
        # Only Stripe keeps file contents on a host of their own; an emulator (or a gateway in
        # front of both) serves them where it serves the API.
        own_files_host = str(api_base).rstrip("/") == DEFAULT_API_BASE
        given.setdefault(
            "files_base",
            env.get(ENV_FILES_BASE) or (DEFAULT_FILES_BASE if own_files_host else api_base),
        )
        if "allow_insecure_http" not in given:
            hosts = env.get(ENV_INSECURE_HTTP_HOSTS, "")
            given["allow_insecure_http"] = [h for h in hosts.split(",") if h.strip()]
        return cls(**given)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.max_retries, int) or self.max_retries < 0:
            raise ValueError(f"max_retries must be a non-negative int, not {self.max_retries!r}")
        if not isinstance(self.timeout, (int, float)) or not self.timeout > 0:
            raise ValueError(f"timeout must be a positive number of seconds, not {self.timeout!r}")
        if not isinstance(self.max_connections, int) or self.max_connections < 1:
            raise ValueError(f"max_connections must be a positive int, not {self.max_connections!r}")
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
        """These settings with ``changes`` applied (fields a view may change), checked like new ones."""
        pooled = sorted(name for name in changes if name in POOL_FIELDS)
        if pooled:
            raise TypeError(
                f"with_options cannot change {', '.join(pooled)}: the pool and its pacing are "
                "shared by every view; make another client for other pool settings"
            )
        return attrs.evolve(self, **changes)


#: The fields a ``with_options`` view shares with its client instead of changing.
POOL_FIELDS = frozenset(f.name for f in attrs.fields(Settings) if f.metadata.get("pool"))


class ViewOptions(TypedDict, total=False):
    """What ``with_options`` may change: the settings that are not the pool's (see :class:`Settings`)."""

    api_key: str | None
    api_base: str
    files_base: str
    stripe_version: str | None
    stripe_account: str | None
    stripe_context: str | None
    max_retries: int
    timeout: float
    middlewares: Sequence[Middleware]
    operation_middlewares: Sequence[Middleware]
    retry_policy: RetryPolicy | None
    allow_insecure_http: bool | str | Iterable[str]
    default_headers: Mapping[str, str] | None
    app_info: AppInfo | Mapping[str, str] | None
    client_user_agent: bool
