"""Webhook endpoints are the platform's or Connect endpoints, and each gets only its events, as
Stripe's Connect webhooks do: the platform's endpoints its own events, Connect endpoints the events
of connected accounts (``account`` set). An endpoint's ``api_version`` is the one its events carry."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import anyio
import pytest
from aiohttp import web

import stripe_identity as si
from stripe_identity import webhooks
from stripe_identity.emulator import Emulator, WebhookEndpoint
from tests.conftest import TEST_KEY

pytestmark = pytest.mark.anyio

ALICE = "acct_1AliceTenant0001"
PLATFORM_SECRET, CONNECT_SECRET = "whsec_platform0hooks", "whsec_connect0hooks"
CONNECT_VERSION = "2025-03-31.basil"


class Receiver:
    """Endpoints on one loopback server: each path checks its own secret and keeps what came."""

    def __init__(self) -> None:
        self.received: dict[str, list[si.Event]] = {"platform": [], "connect": []}
        self.raw_versions: dict[str, set[str]] = {"platform": set(), "connect": set()}

    def handler(self, name: str, secret: str) -> Callable[[web.Request], object]:
        async def handle(request: web.Request) -> web.Response:
            payload = await request.read()
            event = webhooks.construct_event(payload, request.headers["Stripe-Signature"], secret)
            self.received[name].append(event)
            self.raw_versions[name].add(str(event.api_version))
            return web.Response(status=200)

        return handle


@pytest.fixture
async def receiver(anyio_backend: str) -> AsyncIterator[tuple[str, Receiver]]:
    receiver = Receiver()
    app = web.Application()
    app.router.add_post("/platform", receiver.handler("platform", PLATFORM_SECRET))  # type: ignore[arg-type]
    app.router.add_post("/connect", receiver.handler("connect", CONNECT_SECRET))  # type: ignore[arg-type]
    runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.1)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}", receiver
    finally:
        await runner.cleanup()


async def eventually(check: Callable[[], bool], seconds: float = 20.0) -> None:
    """Wait until ``check()`` holds (generously: the machine may be busy)."""
    with anyio.fail_after(seconds):
        while not check():  # noqa: ASYNC110 - polling what another server fills in
            await anyio.sleep(0.01)


async def test_connect_endpoints_get_only_connected_accounts_events(
    receiver: tuple[str, Receiver],
) -> None:
    base, got = receiver
    endpoints = [
        WebhookEndpoint(f"{base}/connect", CONNECT_SECRET, connect=True, api_version=CONNECT_VERSION)
    ]
    async with (
        Emulator(
            webhook_url=f"{base}/platform", webhook_secret=PLATFORM_SECRET, webhook_endpoints=endpoints
        ) as emu,
        si.AsyncStripeIdentity(TEST_KEY, api_base=emu.api_base) as client,
    ):
        own = await client.verification_sessions.create({"type": "document"})
        tenant = client.with_options(stripe_account=ALICE)
        theirs = await tenant.verification_sessions.create({"type": "document"})
        emu.submit(own.id)
        emu.submit(theirs.id)
        await eventually(lambda: len(got.received["platform"]) == len(got.received["connect"]) == 3)
        await eventually(lambda: emu.stats()["webhooks"]["succeeded"] == 6)
        stats = emu.stats()["webhooks"]
        listed = {e["id"]: e for e in emu.events()}

    platform, connect = got.received["platform"], got.received["connect"]
    assert {e.session_object().id for e in platform} == {own.id}
    assert {e.account for e in platform} == {None}
    assert {e.session_object().id for e in connect} == {theirs.id}
    assert {e.account for e in connect} == {ALICE}
    assert sorted(e.type.rsplit(".", 1)[1] for e in connect) == ["created", "processing", "verified"]
    # Each event went to the one endpoint it was for: one delivery each, none pending.
    assert (stats["attempted"], stats["pending"]) == (6, 0)
    assert all(event["pending_webhooks"] == 0 for event in listed.values())
    # The Connect endpoint's version on what it got; the account's default everywhere else.
    assert got.raw_versions == {
        "platform": {si.DEFAULT_STRIPE_VERSION},
        "connect": {CONNECT_VERSION},
    }
    assert {e["api_version"] for e in listed.values()} == {si.DEFAULT_STRIPE_VERSION}


async def test_without_a_connect_endpoint_connected_events_go_nowhere(
    receiver: tuple[str, Receiver],
) -> None:
    base, got = receiver
    async with (
        Emulator(webhook_url=f"{base}/platform", webhook_secret=PLATFORM_SECRET) as emu,
        si.AsyncStripeIdentity(TEST_KEY, api_base=emu.api_base) as client,
    ):
        theirs = await client.with_options(stripe_account=ALICE).verification_sessions.create(
            {"type": "document"}
        )
        own = await client.verification_sessions.create({"type": "document"})
        await eventually(lambda: len(got.received["platform"]) == 1)
        event = emu.events(theirs.id)[0]
        assert event["pending_webhooks"] == 0  # no endpoint was to receive it
        assert emu.stats()["webhooks"]["attempted"] == 1
    assert [e.session_object().id for e in got.received["platform"]] == [own.id]


def test_endpoints_are_checked_when_the_emulator_is_built() -> None:
    with pytest.raises(ValueError, match="api_version is an API version"):
        WebhookEndpoint("http://127.0.0.1:9/hook", CONNECT_SECRET, api_version="latest")
    with pytest.raises(ValueError, match="signing secret"):
        WebhookEndpoint("http://127.0.0.1:9/hook", "")
    with pytest.raises(ValueError, match="url must be an absolute"):
        Emulator(webhook_endpoints=[WebhookEndpoint("127.0.0.1:9/hook", CONNECT_SECRET)])
    with pytest.raises(TypeError, match="list of WebhookEndpoint"):
        Emulator(webhook_endpoints=WebhookEndpoint("http://127.0.0.1:9/hook", CONNECT_SECRET))  # type: ignore[arg-type]
    endpoint = WebhookEndpoint("http://127.0.0.1:9/hook", CONNECT_SECRET, connect=True)
    assert CONNECT_SECRET not in repr(endpoint) and "connect=True" in repr(endpoint)
