"""Which proxy a request goes through: the client's ``proxy=``, or the environment's, as requests does.

With ``trust_env`` (the default) ``HTTPS_PROXY``, ``HTTP_PROXY``, ``ALL_PROXY`` and ``NO_PROXY`` (any
case) are read once, when the client is made; each origin's answer is then cached, so a request pays a
dict lookup rather than aiohttp's own per-request environment and ``.netrc`` reads (each a trip to a
worker thread). Credentials in a proxy URL become a ``Proxy-Authorization`` header and never appear in
a repr, a log line or an error: :func:`mask` hides them wherever a proxy URL is shown.
"""

from __future__ import annotations

import base64
import ipaddress
import urllib.request
from urllib.parse import unquote, urlsplit, urlunsplit

import attrs

__all__ = ["Proxy", "ProxyResolver", "mask"]


@attrs.frozen
class Proxy:
    """A proxy URL without its credentials, and the headers that carry them."""

    url: str
    headers: dict[str, str] | None = attrs.field(default=None, repr=False)

    @classmethod
    def parse(cls, value: str) -> Proxy:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(
                f"proxy must be an http:// or https:// URL with a host, not {mask(value)!r}"
            )
        try:
            port = parts.port
        except ValueError:  # urllib's message would quote part of the netloc: the password, maybe
            raise ValueError(f"proxy has a bad port: {mask(value)!r}") from None
        host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
        netloc = host if port is None else f"{host}:{port}"
        url = urlunsplit((parts.scheme, netloc, "", "", ""))
        if parts.username is None:
            return cls(url)
        credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        token = base64.b64encode(credentials.encode("utf-8")).decode("ascii")
        return cls(url, {"Proxy-Authorization": f"Basic {token}"})


def mask(text: str) -> str:
    """``text`` with the password of any URL in it replaced by ``***``: ``http://user:***@host``, and
    ``user:***@host`` where the scheme was left out (``user@host`` alone is an address: kept)."""
    out = []
    for word in text.split(" "):
        if "@" in word:
            scheme, sep, rest = word.partition("://")
            if not sep:
                scheme, rest = "", word
            userinfo, _, host = rest.rpartition("@")
            if sep or ":" in userinfo:
                user = userinfo.partition(":")[0]
                word = f"{scheme}{sep}{user}:***@{host}"
        out.append(word)
    return " ".join(out)


class ProxyResolver:
    """Answers "which proxy for this URL?", once per origin."""

    def __init__(self, proxy: str | None, trust_env: bool) -> None:
        self._fixed = Proxy.parse(proxy) if proxy is not None else None
        environment = urllib.request.getproxies_environment() if trust_env and proxy is None else {}
        self._environment = {k: v for k, v in environment.items() if v}
        self._cache: dict[str, Proxy | None] = {}

    @property
    def enabled(self) -> bool:
        """False when no request can go through a proxy (the fast path skips the lookup)."""
        return self._fixed is not None or any(k != "no" for k in self._environment)

    def for_url(self, url: str) -> Proxy | None:
        # The origin is everything before the path: "https://api.stripe.com:443".
        end = url.find("/", url.find("//") + 2)
        origin = url if end < 0 else url[:end]
        try:
            return self._cache[origin]
        except KeyError:
            proxy = self._cache[origin] = self._resolve(origin)
            return proxy

    def _resolve(self, origin: str) -> Proxy | None:
        if self._fixed is not None:
            return self._fixed
        parts = urlsplit(origin)
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme)
        if _bypassed(parts.hostname or "", port, self._environment.get("no", "")):
            return None
        value = self._environment.get(parts.scheme) or self._environment.get("all")
        if not value:
            return None
        if "://" not in value:
            value = "http://" + value  # HTTPS_PROXY=proxy.corp:3128, as curl and requests read it
        return Proxy.parse(value)


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _bypassed(host: str, port: int | None, no_proxy: str) -> bool:
    """Whether ``NO_PROXY`` exempts ``host``: ``*``, a domain and its subdomains (``.example.com``
    or ``example.com``), an IP address (``10.0.0.1``, ``::1`` or ``[::1]``) or a network
    (``10.0.0.0/8``); a domain or an address may name one port (``example.com:8443``,
    ``127.0.0.1:8080``, ``[::1]:8080``)."""
    host = host.lower()
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address | None = ipaddress.ip_address(host)
    except ValueError:
        address = None
    for entry in (item.strip().lower() for item in no_proxy.split(",")):
        if not entry:
            continue
        if entry == "*":
            return True
        if address is not None:
            network, entry_port = _split_port(entry)
            if entry_port and entry_port != str(port):
                continue
            try:
                if address in ipaddress.ip_network(network, strict=False):
                    return True
            except ValueError:
                pass
            continue
        name, _, entry_port = entry.partition(":")
        if entry_port and entry_port != str(port):
            continue
        name = name.lstrip(".")
        if host == name or host.endswith("." + name):
            return True
    return False


def _split_port(entry: str) -> tuple[str, str]:
    """An address entry and its port, if any: ``10.0.0.1:80``, ``[::1]:80``, ``[::1]``, ``::1``."""
    if entry.startswith("["):
        address, _, rest = entry[1:].partition("]")
        return address, rest[1:] if rest.startswith(":") else ""
    if entry.count(":") == 1:  # IPv4 and a port; a bare IPv6 address has two colons or more
        address, _, port = entry.partition(":")
        return address, port
    return entry, ""
