"""The emulator's verification page: a session's ``url``, clicked through like Stripe's hosted flow.

A small web app sends the user to ``session.url`` and takes them back at ``return_url``, as the
README's example does. The browser tests drive Debian's headless Chromium; the HTTP tests check the
same page's answers (forms, redirects, stale links) without one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import aiohttp
import pytest
from aiohttp import web

import stripe_identity as si
from stripe_identity.emulator import Emulator
from tests.browser import Chromium, browser as browser

pytestmark = pytest.mark.anyio


class ShopApp:
    """A web app with an Identity step: /start creates a session and redirects to its page."""

    def __init__(self, client: si.AsyncStripeIdentity) -> None:
        self.client = client
        self.sessions: list[str] = []
        self.app = web.Application()
        self.app.router.add_get("/start", self.start)
        self.app.router.add_get("/done", self.done)
        self.base = ""

    async def start(self, request: web.Request) -> web.StreamResponse:
        session = await self.client.verification_sessions.create(
            {
                "type": "document",
                "options": {"document": {"require_matching_selfie": True}},
                "return_url": f"{self.base}/done",
            }
        )
        self.sessions.append(session.id)
        assert session.url is not None
        raise web.HTTPFound(session.url)

    async def done(self, request: web.Request) -> web.Response:
        session = await self.client.verification_sessions.retrieve(self.sessions[-1])
        return web.Response(text=f"Back in the shop: your verification is {session.status}.")


@pytest.fixture
async def shop(emu_client: si.AsyncStripeIdentity) -> AsyncIterator[ShopApp]:
    shop = ShopApp(emu_client)
    runner = web.AppRunner(shop.app, access_log=None, handle_signals=False, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    shop.base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield shop
    finally:
        await runner.cleanup()


async def test_a_browser_completes_the_flow_and_lands_on_return_url(
    browser: Chromium, shop: ShopApp, emu_client: si.AsyncStripeIdentity, emulator: Emulator
) -> None:
    page = await browser.new_page()
    await page.goto(f"{shop.base}/start")
    assert (await page.url()).startswith(f"{emulator.api_base}/verify/")
    text = await page.text()
    assert "Verify your identity" in text and "a selfie that matches" in text
    await page.check("input[value=verified]")
    await page.click("#submit")
    assert await page.url() == f"{shop.base}/done"
    assert "your verification is verified" in await page.text()

    session = await emu_client.verification_sessions.retrieve(
        shop.sessions[-1], {"expand": ["last_verification_report"]}
    )
    assert session.status == "verified"
    report = session.last_verification_report
    assert isinstance(report, si.VerificationReport)
    assert report.selfie is not None and report.selfie.status == "verified"
    kinds = [e["type"].rsplit(".", 1)[1] for e in emulator.events(session.id)]
    assert kinds == ["created", "processing", "verified"]  # the same events as emu.submit()


async def test_choosing_an_error_leaves_requires_input_with_a_new_url(
    browser: Chromium, shop: ShopApp, emu_client: si.AsyncStripeIdentity
) -> None:
    page = await browser.new_page()
    await page.goto(f"{shop.base}/start")
    first_url = await page.url()
    await page.check("input[value=requires_input]")
    await page.select("select[name=error_code]", "document_expired")
    await page.click("#submit")
    assert await page.url() == f"{shop.base}/done"
    assert "requires_input" in await page.text()

    session = await emu_client.verification_sessions.retrieve(shop.sessions[-1])
    assert session.status == "requires_input"
    assert session.last_error is not None and session.last_error.code == "document_expired"
    assert session.url is not None and session.url != first_url

    await page.goto(first_url)  # the used link
    assert "expired" in await page.text()
    await page.goto(session.url)  # the fresh one works
    await page.click("#submit")
    assert "your verification is verified" in await page.text()


async def _http(method: str, url: str, data: str | None = None) -> tuple[int, str, str | None]:
    async with (
        aiohttp.ClientSession() as http,
        http.request(
            method,
            url,
            data=data,
            allow_redirects=False,
            headers={"Content-Type": "application/x-www-form-urlencoded"} if data else None,
        ) as response,
    ):
        return response.status, await response.text(), response.headers.get("Location")


async def test_the_page_answers_without_a_key_and_redirects_with_303(
    emulator: Emulator, emu_client: si.AsyncStripeIdentity
) -> None:
    session = await emu_client.verification_sessions.create(
        {"type": "id_number", "return_url": "https://shop.example/back?order=7"}
    )
    assert session.url is not None
    status, text, _ = await _http("GET", session.url)
    assert status == 200
    assert "your ID number" in text and "<form method=post>" in text
    assert "<script" not in text  # a plain form: no JavaScript needed

    status, _, location = await _http("POST", session.url, "outcome=verified&error_code=abandoned")
    assert (status, location) == (303, "https://shop.example/back?order=7")
    retrieved = await emu_client.verification_sessions.retrieve(session.id)
    assert retrieved.status == "verified"


async def test_without_return_url_the_page_says_done(
    emulator: Emulator, emu_client: si.AsyncStripeIdentity
) -> None:
    session = await emu_client.verification_sessions.create({"type": "document"})
    assert session.url is not None
    status, text, _ = await _http(
        "POST", session.url, "outcome=requires_input&error_code=consent_declined"
    )
    assert status == 200
    assert "requires_input" in text and "no report" in text
    retrieved = await emu_client.verification_sessions.retrieve(session.id)
    assert retrieved.last_error is not None and retrieved.last_error.code == "consent_declined"


async def test_used_stale_and_unknown_links_get_error_pages_not_500(
    emulator: Emulator, emu_client: si.AsyncStripeIdentity
) -> None:
    session = await emu_client.verification_sessions.create({"type": "document"})
    assert session.url is not None
    await _http("POST", session.url, "outcome=verified")
    for method in ("GET", "POST"):
        status, text, _ = await _http(method, session.url, "outcome=verified")
        assert status == 410 and "expired" in text
    canceled = await emu_client.verification_sessions.create({"type": "document"})
    assert canceled.url is not None
    await emu_client.verification_sessions.cancel(canceled.id)
    status, text, _ = await _http("GET", canceled.url)
    assert status == 410 and "canceled" in text
    base = urlsplit(session.url)
    status, _, _ = await _http("GET", f"{base.scheme}://{base.netloc}/verify/test_nothing")
    assert status == 404
    status, text, _ = await _http(
        "POST",
        (await emu_client.verification_sessions.create({"type": "document"})).url or "",
        "outcome=requires_input&error_code=not_a_code",
    )
    assert status == 400 and "error_code" in text
