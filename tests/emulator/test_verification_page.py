"""The emulator's verification page: a session's ``url``, clicked through like Stripe's hosted flow.

A small web app sends the user to ``session.url`` and takes them back at ``return_url``, as the
README's example does. The browser tests drive Debian's headless Chromium; the HTTP tests check the
same page's answers (forms, redirects, stale links) without one. Sessions from a verification flow
with email and phone checks get a one-time code step; every page offers only the failure codes of
the checks its session runs.
"""

from __future__ import annotations

import re
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
        self.flow: str | None = None  # a verification flow to create sessions from, if set
        self.app = web.Application()
        self.app.router.add_get("/start", self.start)
        self.app.router.add_get("/done", self.done)
        self.base = ""

    async def start(self, request: web.Request) -> web.StreamResponse:
        params: si.VerificationSessionCreateParamsDict = {
            "type": "document",
            "options": {"document": {"require_matching_selfie": True}},
            "return_url": f"{self.base}/done",
        }
        if self.flow is not None:
            params = {
                "verification_flow": self.flow,
                "provided_details": {"email": "jenny@example.com"},
                "return_url": f"{self.base}/done",
            }
        session = await self.client.verification_sessions.create(params)
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


async def test_a_flow_plays_the_email_and_phone_codes_through_the_page(
    browser: Chromium, shop: ShopApp, emu_client: si.AsyncStripeIdentity, emulator: Emulator
) -> None:
    shop.flow = "vf_emulator_document_email_phone"
    page = await browser.new_page()
    await page.goto(f"{shop.base}/start")
    text = await page.text()
    assert "vf_emulator_document_email_phone" in text
    assert "the one-time code sent to your email address jenny@example.com" in text
    assert "the one-time code sent to your phone number +14155550100" in text
    email_code = await page.evaluate("document.getElementById('email-sent').textContent")
    phone_code = await page.evaluate("document.getElementById('phone-sent').textContent")
    assert len(email_code) == len(phone_code) == 6 and (email_code + phone_code).isdigit()

    # A wrong code: the same form again, saying so; nothing was submitted.
    await page.fill("#email_code", email_code)
    await page.fill("#phone_code", "000000" if phone_code != "000000" else "111111")
    await page.click("#submit")
    assert "does not match the one sent to +14155550100" in await page.text()
    waiting = await emu_client.verification_sessions.retrieve(shop.sessions[-1])
    assert waiting.status == "requires_input"

    await page.fill("#email_code", email_code)
    await page.fill("#phone_code", phone_code)
    await page.click("#submit")
    assert await page.url() == f"{shop.base}/done"
    assert "your verification is verified" in await page.text()
    session = await emu_client.verification_sessions.retrieve(
        shop.sessions[-1], {"expand": ["verified_outputs", "last_verification_report"]}
    )
    assert session.verified_outputs is not None
    assert session.verified_outputs.email == "jenny@example.com"
    assert session.verified_outputs.phone == "+14155550100"
    report = session.last_verification_report
    assert isinstance(report, si.VerificationReport)
    assert report.email is not None and report.email.status == "verified"
    assert report.phone is not None and report.phone.status == "verified"
    assert report.selfie is not None and report.document is not None


async def test_a_flow_fails_its_phone_check_from_the_page(
    browser: Chromium, shop: ShopApp, emu_client: si.AsyncStripeIdentity
) -> None:
    shop.flow = "vf_emulator_id_number_phone"
    page = await browser.new_page()
    await page.goto(f"{shop.base}/start")
    offered = await page.evaluate(
        "Array.from(document.querySelectorAll('select[name=error_code] option'), o => o.value)"
    )
    assert "phone_verification_declined" in offered and "id_number_mismatch" in offered
    assert not [code for code in offered if code.startswith(("document_", "selfie_", "email_"))]
    await page.check("input[value=requires_input]")
    await page.select("select[name=error_code]", "phone_verification_declined")
    await page.click("#submit")  # no code needed to decline
    assert "requires_input" in await page.text()
    session = await emu_client.verification_sessions.retrieve(
        shop.sessions[-1], {"expand": ["last_verification_report"]}
    )
    assert session.last_error is not None
    assert session.last_error.code == "phone_verification_declined"
    report = session.last_verification_report
    assert isinstance(report, si.VerificationReport)
    assert report.phone is not None and report.phone.status == "unverified"
    assert report.id_number is not None and report.id_number.status == "verified"
    assert report.document is None and report.email is None


async def test_the_page_offers_and_accepts_only_codes_of_the_checks_that_run(
    emulator: Emulator, emu_client: si.AsyncStripeIdentity
) -> None:
    session = await emu_client.verification_sessions.create({"type": "document"})
    assert session.url is not None
    _, text, _ = await _http("GET", session.url)
    offered = set(re.findall(r"<option value='([a-z_]+)'>", text))
    assert offered == {
        "abandoned",
        "consent_declined",
        "country_not_supported",
        "device_not_supported",
        "under_supported_age",
        "document_expired",
        "document_type_not_supported",
        "document_unverified_other",
    }
    assert "name=email_code" not in text and "name=phone_code" not in text

    # A selfie code posted anyway: refused, naming the code and the checks; nothing changes.
    status, text, _ = await _http(
        "POST", session.url, "outcome=requires_input&error_code=selfie_face_mismatch"
    )
    assert status == 400
    assert "selfie_face_mismatch" in text and "its checks are document" in text
    assert (await emu_client.verification_sessions.retrieve(session.id)).status == "requires_input"
    status, _, _ = await _http("POST", session.url, "outcome=requires_input&error_code=document_expired")
    assert status == 200
