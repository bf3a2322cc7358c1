"""The SDK through a real forward proxy (tests/proxy_server.py), with the emulator behind TLS.

https targets go through a CONNECT tunnel (TLS end to end, the proxy sees only bytes), http targets
through absolute-URI forwarding; the proxy comes from ``proxy=`` or from HTTPS_PROXY and friends.
A proxy that refuses, drops or wants other credentials is an APIConnectionError, retried like any
other; its password never shows in an error, a repr or a log record.
"""

from __future__ import annotations

import ssl
import sys

import pytest

import stripe_identity as si
from stripe_identity.emulator import Emulator
from tests.client.proxies import (
    USERINFO,
    assert_no_password,
    client_for,
    create_and_retrieve,
)
from tests.conftest import TEST_KEY
from tests.proxy_server import ForwardProxy

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("no_proxy_environment")]


# --- https: CONNECT tunnels -------------------------------------------------------------------------


async def test_https_goes_through_a_connect_tunnel_with_the_credentials(
    tls_emulator: Emulator,
    proxy: ForwardProxy,
    client_context: ssl.SSLContext,
    logs: pytest.LogCaptureFixture,
) -> None:
    client = client_for(tls_emulator, client_context, proxy=proxy.url_with(USERINFO))
    async with client:
        await create_and_retrieve(client)
        shown = repr(client)
    # The tunnel goes to the emulator's own address; TLS runs end to end inside it.
    assert proxy.connects and set(proxy.connects) == {f"127.0.0.1:{tls_emulator.port}"}
    assert proxy.tunnels == len(proxy.connects)
    assert proxy.forwarded == []
    assert proxy.credentials == ["user:pa@ss"] * len(proxy.connects)
    assert_no_password(shown, logs=logs)


@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "https_proxy", "ALL_PROXY"])
async def test_https_proxy_from_the_environment(
    tls_emulator: Emulator,
    proxy: ForwardProxy,
    client_context: ssl.SSLContext,
    monkeypatch: pytest.MonkeyPatch,
    logs: pytest.LogCaptureFixture,
    variable: str,
) -> None:
    monkeypatch.setenv(variable, proxy.url_with(USERINFO))
    client = client_for(tls_emulator, client_context)
    async with client:
        await create_and_retrieve(client)
        shown = repr(client)
    assert set(proxy.connects) == {f"127.0.0.1:{tls_emulator.port}"}
    assert set(proxy.credentials) == {"user:pa@ss"}
    assert_no_password(shown, logs=logs)


async def test_http_proxy_alone_is_not_used_for_https(
    tls_emulator: Emulator,
    proxy: ForwardProxy,
    client_context: ssl.SSLContext,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url_with(USERINFO))
    async with client_for(tls_emulator, client_context) as client:
        await create_and_retrieve(client)
    assert proxy.requests == []


@pytest.mark.parametrize(
    "no_proxy",
    ["127.0.0.1", "localhost,127.0.0.1", "127.0.0.0/8", "*", "127.0.0.1:{port}", " 127.0.0.1 "],
)
async def test_no_proxy_bypasses_the_environment_proxy(
    tls_emulator: Emulator,
    proxy: ForwardProxy,
    client_context: ssl.SSLContext,
    monkeypatch: pytest.MonkeyPatch,
    no_proxy: str,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", proxy.url_with(USERINFO))
    monkeypatch.setenv("NO_PROXY", no_proxy.format(port=tls_emulator.port))
    async with client_for(tls_emulator, client_context) as client:
        await create_and_retrieve(client)
    assert proxy.requests == []


async def test_no_proxy_for_another_port_or_host_still_uses_the_proxy(
    tls_emulator: Emulator,
    proxy: ForwardProxy,
    client_context: ssl.SSLContext,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", proxy.url_with(USERINFO))
    monkeypatch.setenv("NO_PROXY", f"127.0.0.1:{tls_emulator.port + 1},10.0.0.0/8,example.com")
    async with client_for(tls_emulator, client_context) as client:
        await create_and_retrieve(client)
    assert set(proxy.connects) == {f"127.0.0.1:{tls_emulator.port}"}


async def test_trust_env_false_ignores_the_environment(
    tls_emulator: Emulator,
    proxy: ForwardProxy,
    client_context: ssl.SSLContext,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", proxy.url_with(USERINFO))
    monkeypatch.setenv("ALL_PROXY", proxy.url_with(USERINFO))
    async with client_for(tls_emulator, client_context, trust_env=False) as client:
        await create_and_retrieve(client)
    assert proxy.requests == []


async def test_an_explicit_proxy_wins_over_the_environment_and_no_proxy(
    tls_emulator: Emulator,
    proxy: ForwardProxy,
    client_context: ssl.SSLContext,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with ForwardProxy(mode="refuse") as other:
        monkeypatch.setenv("HTTPS_PROXY", other.url)
        monkeypatch.setenv("NO_PROXY", "*")
        client = client_for(tls_emulator, client_context, proxy=proxy.url_with(USERINFO))
        async with client:
            await create_and_retrieve(client)
    assert other.requests == []
    assert set(proxy.connects) == {f"127.0.0.1:{tls_emulator.port}"}


# --- http: absolute-URI forwarding -------------------------------------------------------------------


async def test_plain_http_is_forwarded_by_absolute_uri(
    emulator: Emulator, proxy: ForwardProxy, logs: pytest.LogCaptureFixture
) -> None:
    assert emulator.api_base.startswith("http://127.0.0.1:")
    async with client_for(emulator, proxy=proxy.url_with(USERINFO)) as client:
        await create_and_retrieve(client)
    assert proxy.connects == []
    base = emulator.api_base
    assert proxy.forwarded[0] == f"{base}/v1/identity/verification_sessions"
    assert proxy.forwarded[1].startswith(f"{base}/v1/identity/verification_sessions/vs_")
    assert proxy.credentials == ["user:pa@ss"] * 2
    assert_no_password(logs=logs)


async def test_plain_http_uses_http_proxy_from_the_environment(
    emulator: Emulator, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url_with(USERINFO))
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")  # not for http targets
    async with client_for(emulator) as client:
        await create_and_retrieve(client)
    assert len(proxy.forwarded) == 2


# --- the sync client ---------------------------------------------------------------------------------


def test_the_sync_client_through_the_proxy(
    threaded_proxy: ForwardProxy,
    server_context: ssl.SSLContext,
    client_context: ssl.SSLContext,
    logs: pytest.LogCaptureFixture,
) -> None:
    with (
        Emulator(seed=1234, ssl_context=server_context) as emu,
        si.StripeIdentity(
            TEST_KEY,
            api_base=emu.api_base,
            ssl_context=client_context,
            proxy=threaded_proxy.url_with(USERINFO),
        ) as client,
    ):
        created = client.verification_sessions.create({"type": "document"})
        assert client.verification_sessions.retrieve(created.id).id == created.id
        shown = repr(client)
    assert set(threaded_proxy.connects) == {f"127.0.0.1:{emu.port}"}
    assert set(threaded_proxy.credentials) == {"user:pa@ss"}
    assert_no_password(shown, logs=logs)


# --- an https proxy ----------------------------------------------------------------------------------


@pytest.mark.skipif(sys.version_info < (3, 11), reason="asyncio has no TLS in TLS before 3.11")
async def test_https_through_an_https_proxy(
    tls_emulator: Emulator,
    tls_proxy: ForwardProxy,
    client_context: ssl.SSLContext,
    logs: pytest.LogCaptureFixture,
) -> None:
    """TLS to the proxy (verified with the client's ssl_context), TLS to the API inside the tunnel."""
    async with client_for(tls_emulator, client_context, proxy=tls_proxy.url_with(USERINFO)) as client:
        await create_and_retrieve(client)
    assert set(tls_proxy.connects) == {f"127.0.0.1:{tls_emulator.port}"}
    assert set(tls_proxy.credentials) == {"user:pa@ss"}
    assert_no_password(logs=logs)


async def test_http_through_an_https_proxy(
    emulator: Emulator, tls_proxy: ForwardProxy, client_context: ssl.SSLContext
) -> None:
    async with client_for(emulator, client_context, proxy=tls_proxy.url_with(USERINFO)) as client:
        await create_and_retrieve(client)
    assert len(tls_proxy.forwarded) == 2
    assert tls_proxy.credentials == ["user:pa@ss"] * 2
