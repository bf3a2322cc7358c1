"""Fixtures of the client's proxy tests: a private CA, an emulator serving TLS with it, and forward
proxies (plain, over TLS, and on a thread of their own for the sync client)."""

from __future__ import annotations

import logging
import ssl
from collections.abc import AsyncIterator, Iterator

import pytest
import trustme
from anyio.from_thread import start_blocking_portal

from stripe_identity.emulator import Emulator
from tests.client.proxies import PASSWORD, PROXY_VARIABLES, USER
from tests.proxy_server import ForwardProxy


@pytest.fixture
def no_proxy_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test starts from an environment without proxies (whatever the machine running it has)."""
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


@pytest.fixture
def threaded_proxy() -> Iterator[ForwardProxy]:
    """A proxy on its own event loop thread: the sync client blocks the test's thread."""
    with (
        start_blocking_portal("asyncio") as portal,
        portal.wrap_async_context_manager(ForwardProxy(auth=(USER, PASSWORD))) as server,
    ):
        yield server


@pytest.fixture
async def tls_proxy(server_context: ssl.SSLContext, anyio_backend: str) -> AsyncIterator[ForwardProxy]:
    async with ForwardProxy(auth=(USER, PASSWORD), ssl_context=server_context) as server:
        assert server.url.startswith("https://")
        yield server
