"""Events name what caused them: ``request.id`` is the ``Request-Id`` of the API call that made the
change and ``request.idempotency_key`` its ``Idempotency-Key``; both are null for what happened
without an API call (the user's submission and its outcome, a redaction completing). ``api_version``
is the version the event was written in, whatever version a later request asks for."""

from __future__ import annotations

import anyio
import pytest

import stripe_identity as si
from stripe_identity.emulator import Emulator
from tests.conftest import RawHTTP

pytestmark = pytest.mark.anyio

SESSIONS = "/v1/identity/verification_sessions"
NONE = {"id": None, "idempotency_key": None}


def requests_of(emulator: Emulator, session_id: str) -> list[tuple[str, dict[str, str | None]]]:
    return [(e["type"].rsplit(".", 1)[1], e["request"]) for e in emulator.events(session_id)]


async def test_an_api_created_session_carries_its_request_and_transitions_carry_nulls(
    emulator: Emulator, raw: RawHTTP
) -> None:
    status, headers, session = await raw(
        "POST", SESSIONS, "type=document", {"Idempotency-Key": "signup-user-42"}
    )
    assert status == 200
    created = {"id": headers["Request-Id"], "idempotency_key": "signup-user-42"}
    # The user fails a check on the page, then passes from code: no API request behind either.
    assert session["url"] is not None
    async with raw.session.post(
        session["url"],
        data="outcome=requires_input&error_code=document_expired",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        allow_redirects=False,
    ) as page:
        assert page.status == 200
    emulator.submit(session["id"])
    assert requests_of(emulator, session["id"]) == [
        ("created", created),
        ("processing", NONE),
        ("requires_input", NONE),
        ("processing", NONE),
        ("verified", NONE),
    ]
    # A replay of the create makes no event, and answers with the request that made the first.
    status, headers, _ = await raw(
        "POST", SESSIONS, "type=document", {"Idempotency-Key": "signup-user-42"}
    )
    assert (status, headers["Original-Request"]) == (200, created["id"])
    assert len(emulator.events()) == 5


async def test_cancel_and_redact_carry_their_own_requests(emulator: Emulator, raw: RawHTTP) -> None:
    _, _, first = await raw("POST", SESSIONS, "type=document")
    _, headers, _ = await raw("POST", f"{SESSIONS}/{first['id']}/cancel")  # no Idempotency-Key
    assert requests_of(emulator, first["id"])[1] == (
        "canceled",
        {"id": headers["Request-Id"], "idempotency_key": None},
    )
    assert requests_of(emulator, first["id"])[0][1]["idempotency_key"] is None

    _, _, second = await raw("POST", SESSIONS, "type=id_number")
    _, headers, _ = await raw(
        "POST", f"{SESSIONS}/{second['id']}/redact", headers={"Idempotency-Key": "erase-7"}
    )
    redact = {"id": headers["Request-Id"], "idempotency_key": "erase-7"}
    for _ in range(200):  # the redaction completes on the emulator's loop
        if len(emulator.events(second["id"])) == 3:
            break
        await anyio.sleep(0.01)
    assert requests_of(emulator, second["id"])[1:] == [("canceled", redact), ("redacted", NONE)]


async def test_the_sdk_sees_the_cause_of_each_event(
    emulator: Emulator, emu_client: si.AsyncStripeIdentity
) -> None:
    session = await emu_client.verification_sessions.create(
        {"type": "document"}, {"idempotency_key": "from-the-sdk"}
    )
    emulator.submit(session.id)
    events = [e async for e in (await emu_client.events.list()).auto_paging_iter()]
    by_type = {e.type.rsplit(".", 1)[1]: e for e in events}
    created = by_type["created"].request
    assert created is not None and created.idempotency_key == "from-the-sdk"
    assert created.id is not None and created.id.startswith("req_")
    assert by_type["verified"].request == si.EventRequest(id=None, idempotency_key=None)


async def test_events_keep_the_version_they_were_written_in(
    emulator: Emulator, emu_client: si.AsyncStripeIdentity, raw: RawHTTP
) -> None:
    await emu_client.verification_sessions.create({"type": "document"})
    _, _, listed = await raw("GET", "/v1/events", headers={"Stripe-Version": "2020-08-27"})
    assert [e["api_version"] for e in listed["data"]] == [si.DEFAULT_STRIPE_VERSION]
