"""stripe_identity._proxy on its own: NO_PROXY matching, proxy URL parsing, masking, resolution."""

from __future__ import annotations

import base64
import gc
import sys
from typing import Any

import pytest

import stripe_identity as si
from stripe_identity._proxy import Proxy, ProxyResolver, _bypassed, mask

PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture(autouse=True)
def no_proxy_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


def basic(credentials: str) -> dict[str, str]:
    return {"Proxy-Authorization": "Basic " + base64.b64encode(credentials.encode()).decode()}


# --- _bypassed: NO_PROXY ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "port", "no_proxy"),
    [
        # "*" exempts everything.
        ("api.stripe.com", 443, "*"),
        ("10.1.2.3", 443, "*"),
        ("api.stripe.com", 443, "localhost, *"),
        # A domain: itself and its subdomains, with or without a leading dot, in any case.
        ("stripe.com", 443, "stripe.com"),
        ("api.stripe.com", 443, "stripe.com"),
        ("a.b.stripe.com", 443, "stripe.com"),
        ("stripe.com", 443, ".stripe.com"),
        ("api.stripe.com", 443, ".stripe.com"),
        ("API.Stripe.COM", 443, "stripe.com"),
        ("api.stripe.com", 443, " STRIPE.com "),
        ("api.stripe.com", 443, "example.com,,stripe.com"),
        # A domain with a port: that port only.
        ("api.stripe.com", 443, "stripe.com:443"),
        ("api.stripe.com", 8443, "api.stripe.com:8443"),
        ("api.stripe.com", 443, "stripe.com:8443,stripe.com:443"),
        # IP addresses and networks.
        ("127.0.0.1", 8080, "127.0.0.1"),
        ("127.0.0.1", 8080, "127.0.0.0/8"),
        ("10.1.2.3", 443, "192.168.0.0/16, 10.0.0.0/8"),
        ("10.1.2.3", 443, "10.1.2.3/32"),
        ("10.1.2.3", 443, "10.1.2.0/24"),
        ("::1", 443, "::1"),
        ("fd00::5", 443, "fd00::/8"),
        ("::1", 443, "[::1]"),
        # An IP address with a port: that port only.
        ("127.0.0.1", 8080, "127.0.0.1:8080"),
        ("::1", 8080, "[::1]:8080"),
    ],
)
def test_no_proxy_exempts(host: str, port: int, no_proxy: str) -> None:
    assert _bypassed(host, port, no_proxy)


@pytest.mark.parametrize(
    ("host", "port", "no_proxy"),
    [
        ("api.stripe.com", 443, ""),
        ("api.stripe.com", 443, " , "),
        # Not a suffix at a dot boundary.
        ("notstripe.com", 443, "stripe.com"),
        ("stripe.com.evil.net", 443, "stripe.com"),
        ("stripe.com", 443, "api.stripe.com"),
        # Another port.
        ("api.stripe.com", 443, "stripe.com:8443"),
        ("127.0.0.1", 8080, "127.0.0.1:8081"),
        ("::1", 8080, "[::1]:8081"),
        # Another address or network; a name does not match an address, nor an address a name.
        ("127.0.0.2", 443, "127.0.0.1"),
        ("11.0.0.1", 443, "10.0.0.0/8"),
        ("127.0.0.1", 443, "localhost"),
        ("localhost", 443, "127.0.0.1"),
        ("::2", 443, "::1"),
        # Garbage entries are skipped, not fatal.
        ("10.1.2.3", 443, "10.0.0.0/99,not an ip"),
    ],
)
def test_no_proxy_does_not_exempt(host: str, port: int, no_proxy: str) -> None:
    assert not _bypassed(host, port, no_proxy)


# --- Proxy.parse ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "url"),
    [
        ("http://proxy.corp:3128", "http://proxy.corp:3128"),
        ("http://proxy.corp", "http://proxy.corp"),
        ("https://proxy.corp:8443", "https://proxy.corp:8443"),
        ("HTTP://Proxy.Corp:3128/", "http://proxy.corp:3128"),  # scheme and host lowercased
        ("http://proxy.corp:3128/some/path?q=1#f", "http://proxy.corp:3128"),
        ("http://10.0.0.1:3128", "http://10.0.0.1:3128"),
        ("http://[::1]:3128", "http://[::1]:3128"),
    ],
)
def test_parse_without_credentials(value: str, url: str) -> None:
    assert Proxy.parse(value) == Proxy(url, None)


@pytest.mark.parametrize(
    ("value", "credentials"),
    [
        ("http://user:secret@proxy.corp:3128", "user:secret"),
        ("http://user:pa%40ss@proxy.corp:3128", "user:pa@ss"),  # percent-decoded
        ("http://us%3Aer:p%2Fw%3Ad@proxy.corp:3128", "us:er:p/w:d"),
        ("http://us%C3%A9r:p%C3%A4ss@proxy.corp:3128", "usér:päss"),  # UTF-8
        ("http://token@proxy.corp:3128", "token:"),  # a user alone: an empty password
        ("http://user:@proxy.corp:3128", "user:"),
    ],
)
def test_parse_moves_credentials_into_a_header(value: str, credentials: str) -> None:
    proxy = Proxy.parse(value)
    assert proxy.url == "http://proxy.corp:3128"
    assert proxy.headers == basic(credentials)
    assert "@" not in repr(proxy) and "Basic" not in repr(proxy)  # the header is not in the repr


@pytest.mark.parametrize(
    "value",
    [
        "socks5://user:s3cr3t@proxy.corp:1080",
        "ftp://user:s3cr3t@proxy.corp",
        "proxy.corp:3128",  # no scheme
        "user:s3cr3t@proxy.corp:3128",  # no scheme, credentials
        "//user:s3cr3t@proxy.corp:3128",
        "http://",
        "http://user:s3cr3t@",
        "",
    ],
)
def test_parse_refuses_what_is_not_an_http_proxy_url(value: str) -> None:
    with pytest.raises(ValueError, match="http:// or https:// URL") as info:
        Proxy.parse(value)
    assert "s3cr3t" not in str(info.value)


@pytest.mark.parametrize(
    "value",
    [
        "http://user:s3cr3t@proxy.corp:notaport",
        "http://user:s3cr3t@proxy.corp:99999",
        # An unencoded "/" ends the authority early: urllib then reads "s3cr3t" as the port.
        "http://user:s3cr3t/x@proxy.corp:3128",
    ],
)
def test_parse_refuses_a_bad_port_without_showing_the_password(value: str) -> None:
    with pytest.raises(ValueError, match="port") as info:
        Proxy.parse(value)
    assert "s3cr3t" not in str(info.value)


# --- mask -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("http://user:s3cr3t@proxy:3128", "http://user:***@proxy:3128"),
        ("https://user:s3cr3t@proxy", "https://user:***@proxy"),
        ("http://user:p@ss@proxy:3128", "http://user:***@proxy:3128"),  # "@" in the password
        ("http://user:pa%40ss@proxy:3128", "http://user:***@proxy:3128"),
        ("http://token@proxy:3128", "http://token:***@proxy:3128"),
        (
            "cannot reach 'http://u:s3cr3t@proxy:3128' (or http://v:0ther@proxy2) now",
            "cannot reach 'http://u:***@proxy:3128' (or http://v:***@proxy2) now",
        ),
        ("user:s3cr3t@proxy:3128", "user:***@proxy:3128"),  # no scheme
        ("proxy='user:s3cr3t@proxy:3128'", "proxy='user:***@proxy:3128'"),
        # Nothing to hide: unchanged.
        ("http://proxy:3128/path", "http://proxy:3128/path"),
        ("Cannot connect to host 127.0.0.1:3128 ssl:default",) * 2,
        ("write to ops@example.com", "write to ops@example.com"),
        ("", ""),
    ],
)
def test_mask(text: str, masked: str) -> None:
    assert mask(text) == masked


# --- ProxyResolver ----------------------------------------------------------------------------------


def test_no_proxy_anywhere_is_disabled() -> None:
    resolver = ProxyResolver(None, trust_env=True)
    assert not resolver.enabled
    assert resolver.for_url("https://api.stripe.com/v1/x") is None


def test_only_no_proxy_set_is_disabled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_PROXY", "*")
    assert not ProxyResolver(None, trust_env=True).enabled


def test_an_explicit_proxy_serves_every_url_and_ignores_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://env-proxy:1")
    monkeypatch.setenv("NO_PROXY", "*")
    resolver = ProxyResolver("http://user:pw@proxy:3128", trust_env=True)
    expected = Proxy("http://proxy:3128", basic("user:pw"))
    assert resolver.for_url("https://api.stripe.com/v1/x") == expected
    assert resolver.for_url("http://127.0.0.1:1234/v1/x") == expected


def test_environment_proxies_by_scheme(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://secure-proxy:1")
    monkeypatch.setenv("http_proxy", "http://plain-proxy:2")
    resolver = ProxyResolver(None, trust_env=True)
    assert resolver.enabled
    assert resolver.for_url("https://api.stripe.com/v1/x") == Proxy("http://secure-proxy:1")
    assert resolver.for_url("http://127.0.0.1:9/v1/x") == Proxy("http://plain-proxy:2")


def test_all_proxy_is_the_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALL_PROXY", "http://any-proxy:3")
    monkeypatch.setenv("HTTP_PROXY", "http://plain-proxy:2")
    resolver = ProxyResolver(None, trust_env=True)
    assert resolver.for_url("https://api.stripe.com/v1/x") == Proxy("http://any-proxy:3")
    assert resolver.for_url("http://127.0.0.1:9/v1/x") == Proxy("http://plain-proxy:2")


def test_trust_env_false_reads_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://secure-proxy:1")
    monkeypatch.setenv("ALL_PROXY", "http://any-proxy:3")
    resolver = ProxyResolver(None, trust_env=False)
    assert not resolver.enabled
    assert resolver.for_url("https://api.stripe.com/v1/x") is None


def test_the_environment_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://secure-proxy:1")
    resolver = ProxyResolver(None, trust_env=True)
    monkeypatch.setenv("HTTPS_PROXY", "http://other-proxy:2")
    monkeypatch.setenv("NO_PROXY", "*")
    assert resolver.for_url("https://api.stripe.com/v1/x") == Proxy("http://secure-proxy:1")


def test_answers_are_cached_per_origin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://secure-proxy:1")
    monkeypatch.setenv("NO_PROXY", "files.stripe.com")
    resolver = ProxyResolver(None, trust_env=True)
    first = resolver.for_url("https://api.stripe.com/v1/a")
    assert first is not None and resolver.for_url("https://api.stripe.com/v1/b?x=1") is first
    assert resolver.for_url("https://api.stripe.com") is first
    assert resolver.for_url("https://files.stripe.com/v1/files/f/contents") is None
    assert resolver.for_url("https://api.stripe.com:8443/v1/a") == Proxy("http://secure-proxy:1")


def test_no_proxy_with_the_default_port(monkeypatch: pytest.MonkeyPatch) -> None:
    """``host:443`` in NO_PROXY exempts ``https://host`` (the port is implied by the scheme)."""
    monkeypatch.setenv("HTTPS_PROXY", "http://secure-proxy:1")
    monkeypatch.setenv("HTTP_PROXY", "http://plain-proxy:2")
    monkeypatch.setenv("NO_PROXY", "api.stripe.com:443,example.com:80")
    resolver = ProxyResolver(None, trust_env=True)
    assert resolver.for_url("https://api.stripe.com/v1/x") is None
    assert resolver.for_url("https://api.stripe.com:443/v1/x") is None
    assert resolver.for_url("https://api.stripe.com:8443/v1/x") is not None
    assert resolver.for_url("http://example.com/") is None
    assert resolver.for_url("https://example.com/") is not None


@pytest.mark.parametrize(
    ("value", "url"),
    [("proxy.corp:3128", "http://proxy.corp:3128"), ("10.0.0.1:3128", "http://10.0.0.1:3128")],
)
def test_an_environment_proxy_without_a_scheme_is_http(
    monkeypatch: pytest.MonkeyPatch, value: str, url: str
) -> None:
    """``HTTPS_PROXY=proxy.corp:3128`` works with curl, requests and so stripe-python: here too."""
    monkeypatch.setenv("HTTPS_PROXY", value)
    assert ProxyResolver(None, trust_env=True).for_url("https://api.stripe.com/v1/x") == Proxy(url)


def test_an_environment_proxy_with_credentials_and_no_scheme(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "user:pa%40ss@proxy.corp:3128")
    proxy = ProxyResolver(None, trust_env=True).for_url("https://api.stripe.com/v1/x")
    assert proxy == Proxy("http://proxy.corp:3128", basic("user:pa@ss"))


def test_a_bad_environment_proxy_is_refused_without_its_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "socks5://user:s3cr3t@proxy.corp:1080")
    with pytest.raises(ValueError, match="http:// or https://") as info:
        ProxyResolver(None, trust_env=True).for_url("https://api.stripe.com/v1/x")
    assert "s3cr3t" not in str(info.value)


def test_a_client_refused_for_its_proxy_leaves_no_noise_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    # The half-built transport is collected: its __del__ must not fail ("Exception ignored in ...").
    unraisable: list[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    for client in (si.AsyncStripeIdentity, si.StripeIdentity):
        with pytest.raises(ValueError, match="proxy must be"):
            client("sk_test_1", proxy="notaurl")
        gc.collect()
    assert unraisable == []
