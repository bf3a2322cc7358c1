"""The emulator's stand-in for Stripe.js's ``verifyIdentity``: the modal flow, run locally.

A page written for Stripe's modal flow loads the stand-in script from the emulator instead of
js.stripe.com, and ``Stripe(key).verifyIdentity(clientSecret)`` opens the session's verification
page in a frame over it, resolving once the tester has submitted it. The HTTP tests check the
script, the frame's redirect and the page's modal mode; the browser test runs a page of the modal
kind in headless Chromium (tests/docs/test_identity_sample.py runs the ported Stripe sample so).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

import stripe_identity as si
from stripe_identity.emulator import Emulator
from tests.browser import Chromium, browser as browser

pytestmark = pytest.mark.anyio

SCRIPT = "/v3/stripe-identity-standin.js"


async def _get(url: str) -> tuple[int, str, dict[str, str]]:
    async with aiohttp.ClientSession() as http, http.get(url, allow_redirects=False) as response:
        return response.status, await response.text(), dict(response.headers)


async def test_the_script_defines_stripe_and_verify_identity(emulator: Emulator) -> None:
    status, text, headers = await _get(emulator.api_base + SCRIPT)
    assert status == 200
    assert headers["Content-Type"].startswith("text/javascript")
    assert "window.Stripe = function Stripe(" in text and "verifyIdentity" in text


async def test_the_frame_opens_the_sessions_page_in_modal_mode(
    emulator: Emulator, emu_client: si.AsyncStripeIdentity
) -> None:
    session = await emu_client.verification_sessions.create(
        {"type": "document", "return_url": "https://shop.example/back"}
    )
    assert session.client_secret is not None and session.url is not None
    frame = f"{emulator.api_base}/v3/identity-modal?client_secret={session.client_secret}"
    status, _, headers = await _get(frame)
    assert (status, headers["Location"]) == (303, f"{session.url}?modal=1")

    # Submitted in modal mode, the page stays in the frame (no return_url redirect) and tells
    # the page around it.
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{session.url}?modal=1", data={"outcome": "verified"}, allow_redirects=False) as r,
    ):
        assert r.status == 200
        assert "parent.postMessage" in await r.text()
    retrieved = await emu_client.verification_sessions.retrieve(session.id)
    assert retrieved.status == "verified"

    status, text, _ = await _get(frame)  # the secret is used
    assert status == 410 and "expired" in text
    status, _, _ = await _get(f"{emulator.api_base}/v3/identity-modal?client_secret=vs_x_secret_y")
    assert status == 404


class ModalPage:
    """A page of the modal kind: a button that calls verifyIdentity, the result shown in #result."""

    def __init__(self, client: si.AsyncStripeIdentity, emulator: Emulator) -> None:
        self.client = client
        self.emulator = emulator
        self.app = web.Application()
        self.app.router.add_get("/", self.index)
        self.app.router.add_post("/secret", self.secret)
        self.sessions: list[str] = []

    async def index(self, request: web.Request) -> web.Response:
        return web.Response(
            content_type="text/html",
            text=f"""<!doctype html><html><head><meta charset=utf-8>
<script src="{self.emulator.public_url}{SCRIPT}"></script></head><body>
<button id=verify>Verify</button><p id=result></p>
<script>
document.getElementById("verify").addEventListener("click", async () => {{
  const {{secret}} = await fetch("/secret", {{method: "POST"}}).then((r) => r.json());
  const {{error}} = await Stripe("pk_test_123").verifyIdentity(secret);
  document.getElementById("result").textContent = error ? "error:" + error.code : "submitted";
}});
</script></body></html>""",
        )

    async def secret(self, request: web.Request) -> web.Response:
        session = await self.client.verification_sessions.create({"type": "document"})
        self.sessions.append(session.id)
        return web.json_response({"secret": session.client_secret})


@pytest.fixture
async def modal_page(
    emu_client: si.AsyncStripeIdentity, emulator: Emulator
) -> AsyncIterator[tuple[ModalPage, str]]:
    page = ModalPage(emu_client, emulator)
    runner = web.AppRunner(page.app, access_log=None, handle_signals=False, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield page, f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


async def test_verify_identity_resolves_once_the_modal_is_submitted(
    browser: Chromium,
    modal_page: tuple[ModalPage, str],
    emu_client: si.AsyncStripeIdentity,
    emulator: Emulator,
) -> None:
    app, base = modal_page
    page = await browser.new_page()
    await page.goto(base)
    await page.evaluate("document.getElementById('verify').click()")
    frame = f"{emulator.api_base}/verify/"  # where the modal's frame lands, after a 303
    await page.wait_until("!!document.querySelector('#submit')", "the modal's form", frame=frame)
    await page.evaluate_in_frame(frame, "document.querySelector('input[value=verified]').click(); true")
    await page.evaluate_in_frame(frame, "document.querySelector('#submit').click(); true")
    await page.wait_until("document.getElementById('result').textContent !== ''", "the result")
    assert await page.evaluate("document.getElementById('result').textContent") == "submitted"
    assert await page.evaluate("document.getElementById('stripe-identity-standin')") is None
    session = await emu_client.verification_sessions.retrieve(app.sessions[-1])
    assert session.status == "verified"


async def test_closing_the_modal_resolves_with_an_error(
    browser: Chromium, modal_page: tuple[ModalPage, str], emu_client: si.AsyncStripeIdentity
) -> None:
    app, base = modal_page
    page = await browser.new_page()
    await page.goto(base)
    await page.evaluate("document.getElementById('verify').click()")
    await page.wait_until("!!document.querySelector('#stripe-identity-standin button')", "the modal")
    await page.evaluate("document.querySelector('#stripe-identity-standin button').click()")
    await page.wait_until("document.getElementById('result').textContent !== ''", "the result")
    assert await page.evaluate("document.getElementById('result').textContent") == (
        "error:session_cancelled"
    )
    session = await emu_client.verification_sessions.retrieve(app.sessions[-1])
    assert session.status == "requires_input"  # nothing was submitted
