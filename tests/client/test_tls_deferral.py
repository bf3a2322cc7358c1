"""aiohttp's default TLS contexts get the system's CA certificates on first use, not at import.

Each case runs in a fresh interpreter: what is tested is what happens when aiohttp is first imported.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import trustme

from tests.fake_api import session_json


def _run(code: str, cwd: Path | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def test_the_default_contexts_load_the_certificates_when_first_used() -> None:
    printed = _run(
        """
        import ssl
        import stripe_identity._transport
        import aiohttp.connector as connector

        reference = ssl.create_default_context().cert_store_stats()
        verified = connector._SSL_CONTEXT_VERIFIED
        unverified = connector._SSL_CONTEXT_UNVERIFIED
        for context in (verified, unverified):
            assert isinstance(context, ssl.SSLContext) and type(context) is not ssl.SSLContext
        assert verified.verify_mode == ssl.CERT_REQUIRED and verified.check_hostname
        assert unverified.verify_mode == ssl.CERT_NONE and not unverified.check_hostname
        # A handshake's first step: the certificates are in before it goes on.
        verified.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(), server_hostname="api.stripe.com")
        assert type(verified) is ssl.SSLContext
        assert verified.cert_store_stats() == reference
        assert len(unverified.get_ca_certs()) == reference["x509_ca"]
        assert type(unverified) is ssl.SSLContext
        assert "set_default_verify_paths" not in vars(ssl.SSLContext)
        print("ok")
        """
    )
    assert printed == "ok"


def test_an_https_request_through_the_default_context_verifies_with_the_system_store(
    ca: trustme.CA, tmp_path: Path
) -> None:
    # The server's CA is added to aiohttp's default context before its first use: the request can
    # only succeed if that context verifies, and it must then hold the system's certificates too.
    printed = _run(
        f"""
        import asyncio, ssl
        import stripe_identity as si
        import aiohttp.connector as connector
        from aiohttp import web

        SESSION = {json.dumps(session_json("vs_tls"))!r}
        CA = {ca.cert_pem.bytes().decode()!r}
        CERT = {ca.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.bytes().decode()!r}

        async def main():
            reference = ssl.create_default_context().cert_store_stats()["x509_ca"]
            context = connector._SSL_CONTEXT_VERIFIED
            context.load_verify_locations(cadata=CA)
            server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            with open("chain.pem", "w") as chain:
                chain.write(CERT)
            server_context.load_cert_chain("chain.pem")

            async def retrieve(request):
                return web.Response(body=SESSION, content_type="application/json")

            app = web.Application()
            app.router.add_get("/v1/identity/verification_sessions/{{id}}", retrieve)
            runner = web.AppRunner(app)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=server_context)
            await site.start()
            port = site._server.sockets[0].getsockname()[1]
            base = f"https://127.0.0.1:{{port}}"
            async with si.AsyncStripeIdentity("sk_test_tls", api_base=base, max_retries=0) as c:
                session = await c.verification_sessions.retrieve("vs_tls")
            await runner.cleanup()
            assert session.id == "vs_tls"
            assert type(context) is ssl.SSLContext
            assert context.cert_store_stats()["x509_ca"] == reference + 1
            print("ok")

        asyncio.run(main())
        """,
        cwd=tmp_path,
    )
    assert printed == "ok"


def test_only_aiohttps_import_in_the_importing_thread_is_deferred() -> None:
    printed = _run(
        """
        import ssl, threading
        from stripe_identity import _tls

        with _tls.deferred_ca_loading():
            here = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            here.set_default_verify_paths()
            elsewhere = []
            thread = threading.Thread(target=lambda: elsewhere.append(ssl.create_default_context()))
            thread.start()
            thread.join()
        assert type(elsewhere[0]) is ssl.SSLContext  # loaded at once, as always
        assert type(here) is not ssl.SSLContext and _tls.pending()
        assert "set_default_verify_paths" not in vars(ssl.SSLContext)
        _tls.load_deferred()
        assert type(here) is ssl.SSLContext and not _tls.pending()
        assert here.cert_store_stats() == elsewhere[0].cert_store_stats()
        print("ok")
        """
    )
    assert printed == "ok"


def test_aiohttp_imported_before_the_sdk_is_left_as_it_is() -> None:
    printed = _run(
        """
        import ssl
        import aiohttp
        import stripe_identity._transport
        from stripe_identity import _tls
        import aiohttp.connector as connector

        assert type(connector._SSL_CONTEXT_VERIFIED) is ssl.SSLContext
        assert not _tls.pending()
        print("ok")
        """
    )
    assert printed == "ok"


def test_a_client_of_https_urls_loads_them_on_a_worker_thread_as_it_opens() -> None:
    printed = _run(
        """
        import asyncio
        import stripe_identity as si
        from stripe_identity import _tls

        async def main():
            async with si.AsyncStripeIdentity("sk_test_x", api_base="http://127.0.0.1:9"):
                local = _tls.pending()
            async with si.AsyncStripeIdentity("sk_test_x"):  # Stripe's https URLs
                remote = _tls.pending()
            print(local, remote)

        asyncio.run(main())
        """
    )
    assert printed == "True False"
