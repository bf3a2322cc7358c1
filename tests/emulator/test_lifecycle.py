"""The emulator through the SDK: the session lifecycle, as Stripe documents it."""

from __future__ import annotations

import anyio
import pytest

import stripe_identity as si
from stripe_identity.emulator import Emulator
from tests.conftest import TEST_KEY

pytestmark = pytest.mark.anyio


async def test_whole_lifecycle_through_the_sdk(
    emulator: Emulator, emu_client: si.AsyncStripeIdentity
) -> None:
    sessions = emu_client.verification_sessions
    created = await sessions.create(
        sessions.CreateParams(
            type="document",
            client_reference_id="user_42",
            metadata={"user": "42", "plan": "pro"},
            options=sessions.CreateParams.Options(
                document=sessions.CreateParams.DocumentOptions(
                    allowed_types=["passport", "driving_license"], require_matching_selfie=True
                )
            ),
            provided_details=sessions.CreateParams.ProvidedDetails(email="jenny@example.com"),
        )
    )
    assert created.id.startswith("vs_") and len(created.id) == 27
    assert created.status == "requires_input"
    assert created.client_secret is not None
    assert created.client_secret.startswith(f"{created.id}_secret_test_")
    assert created.url is not None and created.url.startswith(f"{emulator.api_base}/verify/test_")
    assert created.livemode is False
    assert created.metadata == {"plan": "pro", "user": "42"}
    assert created.options is not None and created.options.document is not None
    assert created.options.document.allowed_types == ["passport", "driving_license"]
    assert created.provided_details == si.ProvidedDetails(email="jenny@example.com")

    fetched = await sessions.retrieve(created.id)
    assert fetched == created

    updated = await sessions.update(created.id, {"metadata": {"plan": "", "step": "2"}})
    assert updated.metadata == {"step": "2", "user": "42"}  # "" unsets one key

    page = await sessions.list({"client_reference_id": "user_42"})
    assert [s.id for s in page] == [created.id]

    # The end user fails a check, then succeeds.
    emulator.submit(created.id, "requires_input", "document_expired")
    failed = await sessions.retrieve(created.id)
    assert failed.status == "requires_input"
    assert failed.last_error == si.VerificationSessionLastError(
        code="document_expired", reason="The document is expired."
    )
    assert failed.client_secret is not None and failed.client_secret != created.client_secret
    first_report = failed.last_verification_report_id

    emulator.submit(created.id)
    verified = await sessions.retrieve(
        created.id, {"expand": ["last_verification_report", "verified_outputs"]}
    )
    assert verified.status == "verified"
    assert verified.client_secret is None and verified.url is None
    assert verified.last_error is None
    report = verified.last_verification_report
    assert isinstance(report, si.VerificationReport)
    assert report.id != first_report
    assert report.verification_session == created.id
    assert report.document is not None and report.document.status == "verified"
    assert report.selfie is not None and report.selfie.status == "verified"
    assert verified.verified_outputs is not None
    assert verified.verified_outputs.first_name == "Jenny"
    assert verified.verified_outputs.dob is None  # sensitive: a restricted key must ask for it

    same = await emu_client.verification_reports.retrieve(report.id)
    assert same == report
    reports = await emu_client.verification_reports.list({"verification_session": created.id})
    assert [r.id for r in reports] == [report.id, first_report]

    with pytest.raises(si.InvalidRequestError, match="requires_input"):
        await sessions.cancel(created.id)
    with pytest.raises(si.InvalidRequestError, match="requires_input"):
        await sessions.update(created.id, {"metadata": {"k": "v"}})

    redacting = await sessions.redact(created.id)
    assert redacting.redaction == si.Redaction(status="processing")
    await anyio.sleep(0.05)
    redacted = await sessions.retrieve(created.id, {"expand": ["verified_outputs"]})
    assert redacted.redaction == si.Redaction(status="redacted")
    assert redacted.metadata == {}
    assert redacted.status == "verified"
    outputs = redacted.verified_outputs
    assert outputs is not None and outputs.first_name == "[redacted]"
    restricted = await sessions.retrieve(
        created.id, {"expand": ["verified_outputs.dob"]}, {"api_key": "rk_test_lifecycle"}
    )
    assert restricted.verified_outputs is not None  # redaction wins over any expansion
    assert restricted.verified_outputs.dob == si.CalendarDate(day=1, month=1, year=1)
    assert outputs.address is not None and outputs.address.country == "US"
    assert outputs.address.line1 == "[redacted]"
    assert redacted.provided_details == si.ProvidedDetails(email="[redacted]")
    redacted_report = await emu_client.verification_reports.retrieve(report.id)
    assert redacted_report.document is not None
    assert redacted_report.document.first_name == "[redacted]"
    assert redacted_report.document.files == []

    types = [e["type"].rsplit(".", 1)[1] for e in emulator.events(created.id)]
    assert types == ["created", "processing", "requires_input", "processing", "verified", "redacted"]


async def test_cancel_only_from_requires_input(
    emulator: Emulator, emu_client: si.AsyncStripeIdentity
) -> None:
    sessions = emu_client.verification_sessions
    session = await sessions.create({"type": "id_number"})
    assert session.options == si.VerificationSessionOptions(id_number=si.IdNumberOptions())
    canceled = await sessions.cancel(session.id)
    assert canceled.status == "canceled"
    assert canceled.client_secret is None and canceled.url is None
    with pytest.raises(si.InvalidRequestError, match="canceled"):
        await sessions.cancel(session.id)
    with pytest.raises(ValueError, match="requires_input"):
        emulator.submit(session.id)
    with pytest.raises(si.InvalidRequestError):
        await sessions.redact(session.id)


async def test_redacting_a_session_in_requires_input_cancels_it(
    emulator: Emulator, emu_client: si.AsyncStripeIdentity
) -> None:
    session = await emu_client.verification_sessions.create({"type": "document", "metadata": {"a": "b"}})
    redacted = await emu_client.verification_sessions.redact(session.id)
    assert redacted.status == "canceled"
    assert redacted.redaction is not None
    await anyio.sleep(0.05)
    after = await emu_client.verification_sessions.retrieve(session.id)
    assert after.metadata == {}
    with pytest.raises(si.InvalidRequestError, match="redacted"):
        await emu_client.verification_sessions.update(session.id, {"metadata": {"a": "c"}})
    # Redacting again is harmless.
    assert (await emu_client.verification_sessions.redact(session.id)).redaction is not None
    types = [e["type"].rsplit(".", 1)[1] for e in emulator.events(session.id)]
    assert types == ["created", "canceled", "redacted"]


async def test_processing_and_redaction_take_the_configured_time() -> None:
    async with (
        Emulator(processing_delay=0.2, redaction_delay=0.2) as emu,
        si.AsyncStripeIdentity(TEST_KEY, api_base=emu.api_base) as client,
    ):
        session = await client.verification_sessions.create({"type": "document"})
        assert emu.submit(session.id)["status"] == "processing"
        assert (await client.verification_sessions.retrieve(session.id)).status == "processing"
        with pytest.raises(si.InvalidRequestError, match="processing"):
            await client.verification_sessions.redact(session.id)
        await anyio.sleep(0.3)
        assert (await client.verification_sessions.retrieve(session.id)).status == "verified"
        await client.verification_sessions.redact(session.id)
        await anyio.sleep(0.1)
        middle = await client.verification_sessions.retrieve(session.id)
        assert middle.redaction == si.Redaction(status="processing")
        await anyio.sleep(0.2)
        done = await client.verification_sessions.retrieve(session.id)
        assert done.redaction == si.Redaction(status="redacted")


async def test_update_rules(emu_client: si.AsyncStripeIdentity) -> None:
    sessions = emu_client.verification_sessions
    session = await sessions.create(
        {
            "type": "document",
            "metadata": {"a": "1", "b": "2"},
            "options": {"document": {"require_id_number": True}},
        }
    )
    changed = await sessions.update(
        session.id,
        {"type": "id_number", "provided_details": {"phone": "+15555550100"}},
    )
    assert changed.type == "id_number"
    assert changed.options == si.VerificationSessionOptions(id_number=si.IdNumberOptions())
    assert changed.provided_details == si.ProvidedDetails(phone="+15555550100")
    back = await sessions.update(
        session.id, {"type": "document", "options": {"document": {"allowed_types": ["id_card"]}}}
    )
    assert back.options is not None and back.options.document is not None
    assert back.options.document.allowed_types == ["id_card"]
    unset = await sessions.update(session.id, {"options": {"document": ""}, "metadata": ""})
    assert unset.options == si.VerificationSessionOptions(document=si.DocumentOptions())
    assert unset.metadata == {}


async def test_failed_submission_codes(emulator: Emulator, emu_client: si.AsyncStripeIdentity) -> None:
    session = await emu_client.verification_sessions.create(
        {"type": "document", "options": {"document": {"require_matching_selfie": True}}}
    )
    emulator.submit(session.id, "requires_input", "selfie_face_mismatch")
    failed = await emu_client.verification_sessions.retrieve(
        session.id, {"expand": ["last_verification_report"]}
    )
    report = failed.last_verification_report
    assert isinstance(report, si.VerificationReport)
    assert report.selfie is not None and report.selfie.status == "unverified"
    assert report.selfie.error is not None and report.selfie.error.code == "selfie_face_mismatch"
    assert report.document is not None and report.document.status == "verified"
    # A session-level failure writes no report.
    emulator.submit(session.id, "requires_input", "consent_declined")
    again = await emu_client.verification_sessions.retrieve(session.id)
    assert again.last_error is not None and again.last_error.code == "consent_declined"
    assert again.last_verification_report == report.id
    with pytest.raises(ValueError, match="unknown error_code"):
        emulator.submit(session.id, "requires_input", "made_up")
    with pytest.raises(ValueError, match="No such verification_session"):
        emulator.submit("vs_missing")


async def test_pagination_over_25_sessions_both_ways(
    emu_client: si.AsyncStripeIdentity,
) -> None:
    sessions = emu_client.verification_sessions
    ids = [(await sessions.create({"type": "document"})).id for _ in range(25)]
    newest_first = ids[::-1]
    page = await sessions.list({"limit": 10})
    assert [s.id for s in page] == newest_first[:10]
    assert page.has_more
    assert [s.id async for s in page.auto_paging_iter()] == newest_first
    last = await sessions.list({"limit": 10, "starting_after": newest_first[19]})
    assert [s.id for s in last] == newest_first[20:]
    assert not last.has_more
    backwards = await sessions.list({"limit": 7, "ending_before": ids[0]})
    assert [s.id for s in backwards] == newest_first[-8:-1]
    assert backwards.has_more
    walked = [s.id async for s in backwards.auto_paging_iter()]
    assert walked == ids[1:]  # oldest first, moving away from the cursor
    with pytest.raises(si.InvalidRequestError) as info:
        await sessions.list({"starting_after": "vs_nope"})
    assert info.value.param == "starting_after"
    assert info.value.code == "resource_missing"


async def test_list_filters(emulator: Emulator, emu_client: si.AsyncStripeIdentity) -> None:
    sessions = emu_client.verification_sessions
    a = await sessions.create({"type": "document", "client_reference_id": "a"})
    b = await sessions.create({"type": "document", "related_customer": "cus_1"})
    emulator.submit(b.id)
    c = await sessions.create({"type": "id_number", "related_customer_account": "acct_9"})
    await sessions.cancel(c.id)
    assert [s.id for s in await sessions.list({"status": "verified"})] == [b.id]
    assert [s.id for s in await sessions.list({"status": "canceled"})] == [c.id]
    assert [s.id for s in await sessions.list({"client_reference_id": "a"})] == [a.id]
    assert [s.id for s in await sessions.list({"related_customer": "cus_1"})] == [b.id]
    assert [s.id for s in await sessions.list({"related_customer_account": "acct_9"})] == [c.id]
    created = a.created
    assert len(await sessions.list({"created": {"gte": created}})) == 3
    assert len(await sessions.list({"created": {"lt": created}})) == 0
    assert len(await sessions.list({"created": created})) == 3
    reports = emu_client.verification_reports
    assert len(await reports.list({"type": "document"})) == 1
    assert len(await reports.list({"type": "id_number"})) == 0
    expanded = await sessions.list({"status": "verified", "expand": ["data.last_verification_report"]})
    assert isinstance(expanded.data[0].last_verification_report, si.VerificationReport)
