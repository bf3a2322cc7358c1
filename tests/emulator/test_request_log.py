"""The emulator's request log: what a test reads to see which requests ran and which were replays."""

from __future__ import annotations

import pytest

from stripe_identity.emulator import Emulator
from stripe_identity.emulator._log import KEPT, RequestLog
from tests.conftest import RawHTTP

pytestmark = pytest.mark.anyio

SESSIONS = "/v1/identity/verification_sessions"


async def test_the_log_lists_each_request_and_marks_replays(emulator: Emulator, raw: RawHTTP) -> None:
    _, _, session = await raw("POST", SESSIONS, "type=document")
    redact = f"{SESSIONS}/{session['id']}/redact"
    key = {"Idempotency-Key": "redact-once"}
    first = await raw("POST", redact, "", headers=key)
    second = await raw("POST", redact, "", headers=key)
    await raw("GET", f"{SESSIONS}/{session['id']}")
    assert first[0] == second[0] == 200
    assert second[1]["Idempotent-Replayed"] == "true"

    entries = emulator.requests()
    assert [(e["method"], e["operation"], e["status"], e["replayed"]) for e in entries] == [
        ("POST", "create", 200, False),
        ("POST", "redact", 200, False),
        ("POST", "redact", 200, True),
        ("GET", "retrieve", 200, False),
    ]
    assert entries[1]["path"] == redact
    assert entries[1]["idempotency_key"] == entries[2]["idempotency_key"] == "redact-once"
    assert entries[3]["idempotency_key"] is None
    assert entries[1]["request_id"] == first[1]["Request-Id"]
    assert entries[2]["request_id"] == second[1]["Request-Id"]

    # One operation's requests, in Python and over HTTP alike.
    assert emulator.requests("redact") == entries[1:3]
    status, _, listed = await raw("GET", "/_emulator/requests?operation=redact")
    assert status == 200
    assert listed == {"object": "list", "data": entries[1:3]}
    _, _, everything = await raw("GET", "/_emulator/requests")
    assert everything["data"] == entries  # control requests are not API requests: not listed


async def test_errors_are_logged_with_their_status_and_reset_clears_the_log(
    emulator: Emulator, raw: RawHTTP
) -> None:
    await raw("POST", f"{SESSIONS}/vs_missing/redact", "")
    await raw("GET", SESSIONS, auth=False)
    assert [(e["operation"], e["status"]) for e in emulator.requests()] == [
        ("redact", 404),
        ("list", 401),
    ]
    emulator.reset()
    assert emulator.requests() == []


def test_the_log_keeps_only_the_latest_requests() -> None:
    log = RequestLog()
    assert log._entries.maxlen == KEPT
