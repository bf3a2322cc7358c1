"""The SDK through a real forward proxy (tests/proxy_server.py), with the emulator behind TLS.

https targets go through a CONNECT tunnel (TLS end to end, the proxy sees only bytes), http targets
through absolute-URI forwarding; the proxy comes from ``proxy=`` or from HTTPS_PROXY and friends.
A proxy that refuses, drops or wants other credentials is an APIConnectionError, retried like any
other; its password never shows in an error, a repr or a log record.
"""

from __future__ import annotations

import base64
import logging
import ssl
import sys
import traceback
from collections.abc import AsyncIterator, Iterator

import pytest
import trustme
from anyio.from_thread import start_blocking_portal

import stripe_identity as si
from stripe_identity.emulator import Emulator
from tests.conftest import TEST_KEY
from tests.proxy_server import ForwardProxy, Mode

pytestmark = pytest.mark.anyio

USER, PASSWORD = "user", "pa@ss"
USERINFO = "user:pa%40ss"  # as it is written in a URL
WRONG_USERINFO = "user:wr%40ng-pw"
# Every spelling in which a password could leak: plain, percent-encoded, and inside a Basic token.
SECRETS = (
    "pa@ss",
    "pa%40ss",
    base64.b64encode(b"user:pa@ss").decode(),
    "wr@ng-pw",
    "wr%40ng-pw",
    base64.b64encode(b"user:wr@ng-pw").decode(),
)
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture(autouse=True)
def no_proxy_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests start from an environment without proxies (whatever the machine running them has)."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def server_context(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    return context


@pytest.fixture(scope="module")
def client_context(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


@pytest.fixture
async def tls_emulator(server_context: ssl.SSLContext, anyio_backend: str) -> AsyncIterator[Emulator]:
    async with Emulator(seed=1234, ssl_context=server_context) as emu:
        assert emu.api_base.startswith("https://127.0.0.1:")
        yield emu


@pytest.fixture
async def proxy(anyio_backend: str) -> AsyncIterator[ForwardProxy]:
    async with ForwardProxy(auth=(USER, PASSWORD)) as server:
        yield server


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)  # the root logger: the SDK's records and aiohttp's
    return caplog


def assert_no_password(*texts: str, logs: pytest.LogCaptureFixture | None = None) -> None:
    """None of ``texts``, nor any log record (message or traceback), holds a proxy password."""
    everything = list(texts)
    if logs is not None:
        for record in logs.records:
            everything.append(record.getMessage())
            if record.exc_info and record.exc_info[1] is not None:
                everything.append("".join(traceback.format_exception(record.exc_info[1])))
    for text in everything:
        for secret in SECRETS:
            assert secret not in text, f"{secret!r} leaked into {text!r}"


def error_texts(error: BaseException) -> list[str]:
    """What a user could see of an error: str, repr and the traceback, and the repr of every
    exception chained to it (what a debugger or an error tracker shows)."""
    texts = [str(error), "".join(traceback.format_exception(error))]
    seen: list[BaseException] = []
    pending: list[BaseException | None] = [error]
    while pending:
        each = pending.pop()
        if each is not None and all(each is not other for other in seen):
            seen.append(each)
            texts.append(repr(each))
            pending += [each.__cause__, each.__context__]
    return texts


def client_for(
    emu: Emulator, context: ssl.SSLContext | None = None, **kwargs: object
) -> si.AsyncStripeIdentity:
    return si.AsyncStripeIdentity(
        TEST_KEY,
        api_base=emu.api_base,
        ssl_context=context,
        retry_policy=si.RetryPolicy.no_wait(),
        **kwargs,  # type: ignore[arg-type]
    )


async def create_and_retrieve(client: si.AsyncStripeIdentity) -> None:
    created = await client.verification_sessions.create({"type": "document"})
    again = await client.verification_sessions.retrieve(created.id)
    assert again.id == created.id and again.type == "document"


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


@pytest.fixture
def threaded_proxy() -> Iterator[ForwardProxy]:
    """A proxy on its own event loop thread: the sync client blocks the test's thread."""
    with (
        start_blocking_portal("asyncio") as portal,
        portal.wrap_async_context_manager(ForwardProxy(auth=(USER, PASSWORD))) as server,
    ):
        yield server


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


@pytest.fixture
async def tls_proxy(server_context: ssl.SSLContext, anyio_backend: str) -> AsyncIterator[ForwardProxy]:
    async with ForwardProxy(auth=(USER, PASSWORD), ssl_context=server_context) as server:
        assert server.url.startswith("https://")
        yield server


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
