"""The emulator's manners: fresh ids on every run unless seeded, and failures it does not hide."""

from __future__ import annotations

import logging
import socket

import anyio
import pytest

import stripe_identity as si
from stripe_identity.emulator import Emulator
from tests.conftest import TEST_KEY


def _first_ids(seed: int | None) -> tuple[str, str | None, str | None]:
    with Emulator(seed=seed) as emu, si.StripeIdentity(TEST_KEY, api_base=emu.api_base) as client:
        session = client.verification_sessions.create({"type": "document"})
        return session.id, session.client_secret, session.last_response.request_id


def test_emulators_without_a_seed_hand_out_different_ids() -> None:
    first, second = _first_ids(None), _first_ids(None)
    assert first[0] != second[0]  # a restarted emulator never repeats an earlier run's ids
    assert first[1] != second[1] and first[2] != second[2]


def test_emulators_with_the_same_seed_hand_out_the_same_ids() -> None:
    assert _first_ids(1) == _first_ids(1)
    assert _first_ids(1)[0] != _first_ids(2)[0]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.mark.anyio
async def test_failed_deliveries_are_counted_logged_and_left_pending(
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/webhooks"
    caplog.set_level(logging.INFO, logger="stripe_identity.emulator")
    async with (
        Emulator(webhook_url=url, webhook_secret="whsec_manners0test") as emu,
        si.AsyncStripeIdentity(TEST_KEY, api_base=emu.api_base) as client,
    ):
        session = await client.verification_sessions.create({"type": "document"})
        with anyio.fail_after(10):
            while emu.stats()["webhooks"]["failed_attempts"] < 2:  # noqa: ASYNC110 - polling another loop's counter
                await anyio.sleep(0.02)
        stats = emu.stats()["webhooks"]
        assert stats["succeeded"] == 0 and stats["pending"] == 1
        assert stats["attempted"] == stats["failed_attempts"] >= 2
        events = await client.events.list({"delivery_success": False})
        assert [e.pending_webhooks for e in events] == [1]
        assert (await client.events.list({"delivery_success": True})).data == []
        assert session.id in {e.session_object().id for e in events}
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    failures = [message for message in warnings if "webhook" in message]
    assert failures and url in failures[0]
    assert "identity.verification_session.created" in failures[0]
    requests = [r.getMessage() for r in caplog.records if "POST /v1/identity" in r.getMessage()]
    assert requests and "-> 200 req_" in requests[0]  # one line per request
