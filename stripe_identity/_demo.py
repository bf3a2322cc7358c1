"""``stripe-identity demo``: the life of a VerificationSession, told against the embedded emulator.

No account and no network: an emulator of the API starts on a free loopback port, a small web app
(its webhook endpoint and the page users come back to) starts beside it, and both clients (async,
then sync) walk through what an integration does: the verification page and the redirect back,
results read with a secret and a restricted key, document images, an ephemeral key for a mobile
app, events to catch up on. Everything printed comes from real HTTP responses.
"""

from __future__ import annotations

import asyncio
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import aiohttp
from aiohttp import web
from anyio.from_thread import start_blocking_portal

from . import sensitive, webhooks
from ._client import AsyncStripeIdentity
from ._errors import InvalidRequestError, SignatureVerificationError
from ._models import Event, VerificationReport, VerificationSession
from ._sync import StripeIdentity
from .emulator import Emulator

__all__ = ["run_demo"]

_KEY = "sk_test_demo_emulator"
#: A restricted key, for the sensitive results and the images (the emulator grants it everything).
_RESTRICTED = "rk_test_demo_emulator"


def _say(text: str = "") -> None:
    print(text, flush=True)


def _step(number: int, title: str) -> None:
    _say()
    _say(f"{number}. {title}")


def _show_session(session: VerificationSession) -> None:
    _say(f"   {session.id}  status={session.status}  type={session.type}")


class _WebhookEndpoint:
    """A webhook handler as an integration would write it: verify, then trust."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.events: list[Event] = []
        self.refused = 0
        self.lock = threading.Lock()

    async def handle(self, request: web.Request) -> web.Response:
        payload = await request.read()
        try:
            event = webhooks.construct_event(
                payload, request.headers.get("Stripe-Signature", ""), self.secret
            )
        except SignatureVerificationError:
            self.refused += 1
            return web.Response(status=400)
        with self.lock:
            self.events.append(event)
        return web.Response(status=200)


async def _back_in_the_app(request: web.Request) -> web.Response:
    return web.Response(text="Thanks! We are checking your documents.")


async def _user_submits(url: str) -> str:
    """What the user's browser does on the verification page: submit, follow the redirect."""
    async with aiohttp.ClientSession() as browser:
        async with browser.get(url) as page:
            await page.read()
        async with browser.post(url, data={"outcome": "verified"}) as landed:
            await landed.read()
            return str(landed.url)


@contextmanager
def _webhook_endpoint(secret: str) -> Iterator[tuple[str, _WebhookEndpoint]]:
    endpoint = _WebhookEndpoint(secret)
    app = web.Application()
    app.router.add_post("/webhooks/stripe", endpoint.handle)
    app.router.add_get("/verified", _back_in_the_app)
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.5)
    with start_blocking_portal("asyncio") as portal:
        portal.call(runner.setup)
        site = web.TCPSite(runner, "127.0.0.1", 0)
        portal.call(site.start)
        port = runner.addresses[0][1]
        try:
            yield f"http://127.0.0.1:{port}/webhooks/stripe", endpoint
        finally:
            portal.call(runner.cleanup)


async def _async_part(emu: Emulator, app_base: str) -> str:
    _say("Part 1: the async client (what an async web server would await)")
    async with AsyncStripeIdentity(_KEY, api_base=emu.api_base) as client:
        sessions = client.verification_sessions

        _step(1, "Create a VerificationSession for user 42, asking for a document and a selfie")
        session = await sessions.create(
            sessions.CreateParams(
                type="document",
                client_reference_id="user_42",
                metadata={"user_id": "42"},
                options=sessions.CreateParams.Options(
                    document=sessions.CreateParams.DocumentOptions(
                        allowed_types=["driving_license", "passport", "id_card"],
                        require_matching_selfie=True,
                    )
                ),
                return_url=f"{app_base}/verified",
            )
        )
        _show_session(session)
        # No URL is printed: the emulator that serves it stops with the demo, so it would be dead
        # by the time anyone opens it.
        _say("   redirect the user to session.url: on the emulator, a real page to pick the outcome")
        _say("   (to click through one, serve the emulator on its own: stripe-identity emulator)")
        _say(
            f"   request {session.last_response.request_id}, idempotency key "
            f"{session.last_response.idempotency_key} (retries reuse it: one session, not two)"
        )

        _step(2, "Retrieve it (while requires_input, it carries a fresh url)")
        session = await sessions.retrieve(session.id)
        _show_session(session)

        _step(3, "Update its metadata (only possible while requires_input)")
        session = await sessions.update(session.id, {"metadata": {"plan": "pro"}})
        _say(f"   metadata={dict(session.metadata)}")

        _step(4, "The user submits on the verification page, and every check passes")
        assert session.url is not None
        landed = await _user_submits(session.url)
        _say(f"   the page sent the browser back to {landed}")
        session = await sessions.retrieve(
            session.id, {"expand": [sensitive.LAST_VERIFICATION_REPORT, sensitive.VERIFIED_OUTPUTS]}
        )
        _show_session(session)
        outputs = session.verified_outputs
        if outputs is not None:
            _say(
                f"   verified_outputs (secret key): {outputs.first_name} {outputs.last_name}, "
                f"date of birth {outputs.dob} (sensitive: it needs a restricted key)"
            )
        restricted = client.with_options(api_key=_RESTRICTED)
        private = await restricted.verification_sessions.retrieve(
            session.id, {"expand": [sensitive.DOB]}
        )
        dob = private.verified_outputs.dob if private.verified_outputs else None
        if dob is not None:
            _say(f"   with a restricted key: born {dob.year}-{dob.month:02d}-{dob.day:02d}")
        report = session.last_verification_report
        if isinstance(report, VerificationReport):
            _step(5, "Read the VerificationReport (expanded in the same call)")
            document, selfie = report.document, report.selfie
            _say(f"   {report.id}")
            if document is not None:
                issued = document.issued_date.year if document.issued_date else None
                _say(
                    f"   document: {document.status} ({document.type} from "
                    f"{document.issuing_country}, issued in {issued})"
                )
            if selfie is not None:
                _say(f"   selfie:   {selfie.status}")
            if document is not None and document.files:
                image = await restricted.files.download(document.files[0])
                link = await restricted.file_links.create(
                    {"file": document.files[0], "expires_at": int(time.time()) + 30}
                )
                _say(f"   document image: {len(image)} bytes of PNG; a 30-second link: {link.id}")

        key = await client.ephemeral_keys.create(
            {"verification_session": session.id}, {"stripe_version": "2020-08-27"}
        )
        _say(f"   for a mobile app: ephemeral key {key.id} (its secret goes to the app)")
        await client.ephemeral_keys.delete(key.id)

        _step(6, "List the most recent sessions")
        page = await sessions.list({"limit": 3})
        for item in page:
            _say(f"   {item.id}  {item.status}")
        return session.id


def _sync_part(emu: Emulator, verified_id: str) -> None:
    _say()
    _say("Part 2: the sync client (scripts, Django/Flask views), same API, same models")
    with StripeIdentity(_KEY, api_base=emu.api_base) as client:
        sessions = client.verification_sessions

        _step(7, "A second user's check fails: their document has expired")
        session = sessions.create({"type": "document", "client_reference_id": "user_43"})
        emu.submit(session.id, "requires_input", "document_expired")
        session = sessions.retrieve(session.id)
        _show_session(session)
        if session.last_error is not None:
            _say(f"   last_error: {session.last_error.code}: {session.last_error.reason}")
        _say("   a new url lets the user try again; instead, we cancel:")

        _step(8, "Cancel it")
        session = sessions.cancel(session.id)
        _show_session(session)
        try:
            sessions.cancel(session.id)
        except InvalidRequestError as exc:
            _say(f"   cancelling twice is refused: HTTP {exc.http_status}: {exc.message}")

        _step(9, "Redact the verified session (personal data erased, irreversibly)")
        redacted = sessions.redact(verified_id)
        assert redacted.redaction is not None
        _say(f"   redaction.status={redacted.redaction.status}")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            redacted = sessions.retrieve(verified_id, {"expand": ["verified_outputs"]})
            if redacted.redaction is not None and redacted.redaction.status == "redacted":
                break
            time.sleep(0.05)
        outputs = redacted.verified_outputs
        assert redacted.redaction is not None
        _say(
            f"   redaction.status={redacted.redaction.status}  first_name="
            f"{outputs.first_name if outputs else None}  metadata={dict(redacted.metadata)}"
        )

        _step(10, "Walk every session, page by page (auto-pagination)")
        every = list(sessions.list({"limit": 1}).auto_paging_iter())
        _say(f"   {len(every)} sessions: " + ", ".join(s.status for s in every))


def run_demo() -> int:
    secret = "whsec_" + secrets.token_hex(16)
    with (
        _webhook_endpoint(secret) as (url, endpoint),
        Emulator(webhook_url=url, webhook_secret=secret, redaction_delay=0.2) as emu,
    ):
        _say("Stripe Identity demo")
        _say(f"The embedded emulator is serving the API at {emu.api_base}")
        _say("(no Stripe account, no network: everything below is real HTTP on 127.0.0.1)")
        _say()
        verified_id = asyncio.run(_async_part(emu, url.rsplit("/webhooks", 1)[0]))
        _sync_part(emu, verified_id)

        expected = len(emu.events())
        deadline = time.monotonic() + 5
        while len(endpoint.events) < expected and time.monotonic() < deadline:
            time.sleep(0.05)
        _step(11, "Webhook events your endpoint received, each signature verified")
        for event in endpoint.events:
            _say(f"   {event.id}  {event.type:<45} {event.session_object().id}")
        with StripeIdentity(_KEY, api_base=emu.api_base) as client:
            listed = list(
                client.events.list({"type": "identity.verification_session.*"}).auto_paging_iter()
            )
        _say(f"   GET /v1/events lists the same {len(listed)} (to catch up after missed deliveries)")
        _say()
        stats = emu.stats()
        _say(
            f"Done: {stats['requests']} API requests, {stats['sessions']} sessions, "
            f"{len(endpoint.events)} of {expected} events delivered and verified."
        )
        _say("Next: point AsyncStripeIdentity at https://api.stripe.com with your sk_test_ key.")
    return 0 if len(endpoint.events) == expected and endpoint.refused == 0 else 1
