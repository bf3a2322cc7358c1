"""Proxies that fail: refused, unreachable, wrong or missing credentials, a tunnel that goes away.
Each is a typed connection error, retried or not as it deserves, and no password leaks."""

from __future__ import annotations

import ssl
import sys

import pytest

import stripe_identity as si
from stripe_identity.emulator import Emulator
from tests.client.proxies import (
    USERINFO,
    WRONG_USERINFO,
    assert_no_password,
    client_for,
    error_texts,
)
from tests.proxy_server import ForwardProxy, Mode

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("no_proxy_environment")]


# --- proxies that fail -------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["refuse", "drop"])
async def test_a_failing_proxy_is_a_connection_error_retried_as_usual(
    tls_emulator: Emulator,
    client_context: ssl.SSLContext,
    logs: pytest.LogCaptureFixture,
    mode: Mode,
) -> None:
    async with ForwardProxy(mode=mode) as failing:
        client = client_for(
            tls_emulator, client_context, proxy=failing.url_with(USERINFO), max_retries=2
        )
        async with client:
            with pytest.raises(si.APIConnectionError) as info:
                await client.verification_sessions.create({"type": "document"})
            shown = repr(client)
        proxy_url = failing.url
    assert type(info.value) is si.APIConnectionError and info.value.should_retry
    assert failing.connects == [f"127.0.0.1:{tls_emulator.port}"] * 3  # the first attempt, 2 retries
    assert set(failing.credentials) == {"user:pa@ss"}  # the credentials went with every attempt
    assert failing.tunnels == 0
    # The error names the proxy (without its credentials) and what it did.
    assert f"via proxy {proxy_url}" in str(info.value)
    assert ("403" if mode == "refuse" else "Disconnected") in str(info.value)
    assert_no_password(shown, *error_texts(info.value), logs=logs)
    retries = [r for r in logs.records if r.getMessage().startswith("retrying POST")]
    assert len(retries) == 2


async def test_a_wrong_proxy_password_is_a_connection_error_not_retried(
    tls_emulator: Emulator,
    proxy: ForwardProxy,
    client_context: ssl.SSLContext,
    logs: pytest.LogCaptureFixture,
) -> None:
    client = client_for(
        tls_emulator, client_context, proxy=proxy.url_with(WRONG_USERINFO), max_retries=2
    )
    async with client:
        with pytest.raises(si.APIConnectionError, match="407") as info:
            await client.verification_sessions.retrieve("vs_1")
        shown = repr(client)
    assert info.value.should_retry is False
    # A wrong password stays wrong: one CONNECT, no retries.
    assert proxy.credentials == ["user:wr@ng-pw"]
    assert proxy.tunnels == 0
    assert_no_password(shown, *error_texts(info.value), logs=logs)


async def test_missing_proxy_credentials_are_a_connection_error(
    tls_emulator: Emulator, proxy: ForwardProxy, client_context: ssl.SSLContext
) -> None:
    async with client_for(tls_emulator, client_context, proxy=proxy.url, max_retries=0) as client:
        with pytest.raises(si.APIConnectionError, match="407"):
            await client.verification_sessions.retrieve("vs_1")
    assert proxy.authorizations == [None]


async def test_a_proxy_that_is_not_listening_is_a_connection_error(
    tls_emulator: Emulator, client_context: ssl.SSLContext, logs: pytest.LogCaptureFixture
) -> None:
    async with ForwardProxy() as gone:
        url = gone.url_with(USERINFO)
    client = client_for(tls_emulator, client_context, proxy=url, max_retries=1)
    async with client:
        with pytest.raises(si.APIConnectionError) as info:
            await client.verification_sessions.retrieve("vs_1")
    assert info.value.should_retry
    assert_no_password(*error_texts(info.value), logs=logs)


# Python 3.10's asyncio (the SSL implementation that 3.11 replaced) can drop an SSL transport over a
# tunnel whose socket died without closing it; from 3.11 on nothing leaks, and a warning fails here.
_OLD_SSL_LEAK = pytest.mark.filterwarnings(
    "ignore::pytest.PytestUnraisableExceptionWarning" if sys.version_info < (3, 11) else "error"
)


@_OLD_SSL_LEAK
async def test_a_proxy_that_goes_away_under_a_live_tunnel(
    tls_emulator: Emulator, client_context: ssl.SSLContext
) -> None:
    """The pooled tunnel dies with the proxy: the next call is a connection error, and nothing leaks
    (a warning about an unclosed socket or transport would fail the test)."""
    async with ForwardProxy() as server:
        client = client_for(tls_emulator, client_context, proxy=server.url, max_retries=1)
        async with client:
            await client.verification_sessions.create({"type": "document"})
            assert server.tunnels == 1
            await server.aclose()
            with pytest.raises(si.APIConnectionError):
                await client.verification_sessions.retrieve("vs_1")
