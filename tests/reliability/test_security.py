"""Transport safety: TLS verified by default, redirects and plain http refused."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator

import pytest
import trustme
from aiohttp import web

import stripe_identity as si
from tests.conftest import TEST_KEY
from tests.fake_api import session_json

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
async def https_api(ca: trustme.CA, anyio_backend: str) -> AsyncIterator[str]:
    """A loopback HTTPS server whose certificate comes from a CA nobody trusts by default."""

    async def retrieve(request: web.Request) -> web.Response:
        return web.json_response(session_json(request.match_info["id"]))

    app = web.Application()
    app.router.add_get("/v1/identity/verification_sessions/{id}", retrieve)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(server_context)
    runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.1)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0, ssl_context=server_context).start()
    try:
        yield f"https://localhost:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


async def test_an_untrusted_certificate_is_refused_and_not_retried(https_api: str) -> None:
    async with si.AsyncStripeIdentity(
        TEST_KEY, api_base=https_api, retry_policy=si.RetryPolicy.no_wait()
    ) as client:
        with pytest.raises(si.APIConnectionError, match="TLS") as info:
            await client.verification_sessions.retrieve("vs_1")
    assert info.value.should_retry is False


async def test_an_explicit_ssl_context_trusts_the_private_ca(https_api: str, ca: trustme.CA) -> None:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    async with si.AsyncStripeIdentity(TEST_KEY, api_base=https_api, ssl_context=context) as client:
        assert (await client.verification_sessions.retrieve("vs_tls")).id == "vs_tls"


def test_plain_http_is_refused_for_remote_hosts() -> None:
    with pytest.raises(ValueError, match="refusing plain http"):
        si.AsyncStripeIdentity(TEST_KEY, api_base="http://api.stripe.com")
    with pytest.raises(ValueError, match="refusing plain http"):
        si.StripeIdentity(TEST_KEY, api_base="http://api.stripe.com")
