"""Reading verification results as Stripe allows it: expansions, restricted keys, and redaction.

Against the emulator, with both clients and with the official ``stripe`` package: a plain retrieve
has no ``verified_outputs``; expanding it gives names and address but no date of birth or ID number;
the sensitive fields need their full path and a restricted key (a secret key is refused); the same
holds for the report's fields, directly and through the session; redacted data stays redacted.
"""

from __future__ import annotations

from collections.abc import Iterator

import anyio
import pytest
import stripe
from stripe._base_address import BaseAddresses

import stripe_identity as si
from stripe_identity import sensitive
from stripe_identity.emulator import Emulator
from tests.conftest import TEST_KEY

RESTRICTED = "rk_test_sensitive0results"
WITH_ID_NUMBER: si.VerificationSessionCreateParamsDict = {
    "type": "document",
    "options": {"document": {"require_id_number": True, "require_matching_selfie": True}},
    "provided_details": {"email": "jenny@example.com"},
}


async def _verified(client: si.AsyncStripeIdentity, emulator: Emulator) -> si.VerificationSession:
    session = await client.verification_sessions.create(WITH_ID_NUMBER)
    emulator.submit(session.id)
    return session


@pytest.mark.anyio
async def test_a_plain_retrieve_has_no_verified_outputs(
    emulator: Emulator, emu_client: si.AsyncStripeIdentity
) -> None:
    session = await _verified(emu_client, emulator)
    raw = await emu_client.raw_request("GET", f"/v1/identity/verification_sessions/{session.id}")
    assert raw["status"] == "verified"
    assert "verified_outputs" not in raw
    assert (await emu_client.verification_sessions.retrieve(session.id)).verified_outputs is None


@pytest.mark.anyio
async def test_expanding_verified_outputs_gives_names_but_not_the_sensitive_fields(
    emulator: Emulator, emu_client: si.AsyncStripeIdentity
) -> None:
    session = await _verified(emu_client, emulator)
    got = await emu_client.verification_sessions.retrieve(
        session.id, {"expand": [sensitive.VERIFIED_OUTPUTS]}
    )
    outputs = got.verified_outputs
    assert outputs is not None
    names = (outputs.first_name, outputs.last_name, outputs.email)
    assert names == ("Jenny", "Rosen", None)  # no email check ran: provided_details is not verified
    assert outputs.address is not None and outputs.address.city == "San Francisco"
    assert outputs.id_number_type == "us_ssn"
    assert (outputs.dob, outputs.id_number, outputs.sex, outputs.unparsed_place_of_birth) == (
        None,
        None,
        None,
        None,
    )


@pytest.mark.anyio
async def test_sensitive_fields_need_their_path_and_a_restricted_key(
    emulator: Emulator, emu_client: si.AsyncStripeIdentity
) -> None:
    session = await _verified(emu_client, emulator)
    restricted = emu_client.with_options(api_key=RESTRICTED)
    got = await restricted.verification_sessions.retrieve(
        session.id, {"expand": [sensitive.DOB, sensitive.ID_NUMBER]}
    )
    outputs = got.verified_outputs
    assert outputs is not None
    assert outputs.dob == si.CalendarDate(day=1, month=1, year=1990)
    assert outputs.id_number == "000000000"
    assert outputs.sex is None  # not asked for by name
    assert outputs.first_name == "Jenny"  # a path inside verified_outputs expands it

    with pytest.raises(si.PermissionDeniedError) as refused:
        await emu_client.verification_sessions.retrieve(
            session.id, {"expand": [sensitive.VERIFIED_OUTPUTS, sensitive.DOB]}
        )
    assert refused.value.http_status == 403
    assert refused.value.param == "expand[1]"
    assert "restricted API key" in refused.value.message


@pytest.mark.anyio
async def test_report_fields_follow_the_same_rules(
    emulator: Emulator, emu_client: si.AsyncStripeIdentity
) -> None:
    session = await _verified(emu_client, emulator)
    restricted = emu_client.with_options(api_key=RESTRICTED)
    plain = await emu_client.verification_sessions.retrieve(
        session.id, {"expand": [sensitive.LAST_VERIFICATION_REPORT]}
    )
    report = plain.last_verification_report
    assert isinstance(report, si.VerificationReport)
    assert report.document is not None and report.id_number is not None
    assert report.document.first_name == "Jenny" and report.document.issuing_country == "US"
    assert (report.document.number, report.document.dob, report.document.expiration_date) == (
        None,
        None,
        None,
    )
    assert (report.id_number.id_number, report.id_number.dob) == (None, None)

    # Through the session: the path expands the report too.
    through = await restricted.verification_sessions.retrieve(
        session.id, {"expand": [sensitive.DOCUMENT_NUMBER, sensitive.ID_NUMBER_REPORT_ID_NUMBER]}
    )
    expanded = through.last_verification_report
    assert isinstance(expanded, si.VerificationReport)
    assert expanded.document is not None and expanded.document.number == "D1234567"
    assert expanded.document.expiration_date is None  # not asked for
    assert expanded.id_number is not None and expanded.id_number.id_number == "0000"  # us_ssn: last 4

    # Directly on the report, and on the report list.
    direct = await restricted.verification_reports.retrieve(
        report.id, {"expand": sensitive.report_paths(sensitive.DOCUMENT_EXPIRATION_DATE)}
    )
    assert direct.document is not None
    assert direct.document.expiration_date == si.CalendarDate(day=1, month=12, year=2030)
    listed = await restricted.verification_reports.list(
        {"expand": sensitive.list_paths(*sensitive.report_paths(sensitive.DOCUMENT_DOB))}
    )
    assert listed.data[0].document is not None and listed.data[0].document.dob is not None
    with pytest.raises(si.PermissionDeniedError):
        await emu_client.verification_reports.retrieve(
            report.id, {"expand": sensitive.report_paths(sensitive.DOCUMENT_NUMBER)}
        )
    with pytest.raises(si.PermissionDeniedError):
        await emu_client.verification_sessions.retrieve(
            session.id, {"expand": [sensitive.DOCUMENT_NUMBER]}
        )


@pytest.mark.anyio
async def test_lists_expand_behind_data(emulator: Emulator, emu_client: si.AsyncStripeIdentity) -> None:
    await _verified(emu_client, emulator)
    page = await emu_client.verification_sessions.list({"expand": ["data.verified_outputs"]})
    assert page.data[0].verified_outputs is not None
    assert page.data[0].verified_outputs.dob is None
    plain = await emu_client.raw_request("GET", "/v1/identity/verification_sessions")
    assert "verified_outputs" not in plain["data"][0]
    with pytest.raises(si.InvalidRequestError, match=r"data\.verified_outputs"):
        await emu_client.verification_sessions.list({"expand": ["verified_outputs"]})
    with pytest.raises(si.PermissionDeniedError):
        await emu_client.verification_sessions.list({"expand": sensitive.list_paths(sensitive.DOB)})


@pytest.mark.anyio
async def test_redaction_wins_over_any_expansion(
    emulator: Emulator, emu_client: si.AsyncStripeIdentity
) -> None:
    session = await _verified(emu_client, emulator)
    await emu_client.verification_sessions.redact(session.id)
    await anyio.sleep(0.05)
    restricted = emu_client.with_options(api_key=RESTRICTED)
    got = await restricted.verification_sessions.retrieve(
        session.id,
        {"expand": [*sensitive.SESSION_FIELDS, sensitive.DOCUMENT_NUMBER, sensitive.DOCUMENT_DOB]},
    )
    assert got.redaction == si.Redaction(status="redacted")
    outputs = got.verified_outputs
    assert outputs is not None
    assert outputs.first_name == "[redacted]" and outputs.id_number == "[redacted]"
    assert outputs.dob == si.CalendarDate(day=1, month=1, year=1)
    report = got.last_verification_report
    assert isinstance(report, si.VerificationReport) and report.document is not None
    assert report.document.number == "[redacted]"
    assert report.document.dob == si.CalendarDate(day=1, month=1, year=1)


def test_the_sync_client_reads_results_the_same_way() -> None:
    with (
        Emulator() as emu,
        si.StripeIdentity(TEST_KEY, api_base=emu.api_base) as client,
    ):
        session = client.verification_sessions.create(WITH_ID_NUMBER)
        emu.submit(session.id)
        assert client.verification_sessions.retrieve(session.id).verified_outputs is None
        named = client.verification_sessions.retrieve(session.id, {"expand": ["verified_outputs"]})
        assert named.verified_outputs is not None and named.verified_outputs.dob is None
        with pytest.raises(si.PermissionDeniedError):
            client.verification_sessions.retrieve(session.id, {"expand": [sensitive.DOB]})
        restricted = client.with_options(api_key=RESTRICTED)
        dob = restricted.verification_sessions.retrieve(session.id, {"expand": [sensitive.DOB]})
        assert dob.verified_outputs is not None
        assert dob.verified_outputs.dob == si.CalendarDate(day=1, month=1, year=1990)


def test_sensitive_helpers_refuse_paths_outside_the_report() -> None:
    with pytest.raises(ValueError, match="not a path inside"):
        sensitive.report_paths(sensitive.DOB)
    assert sensitive.list_paths("a", "b") == ["data.a", "data.b"]


@pytest.fixture
def threaded_emulator() -> Iterator[Emulator]:
    with Emulator() as emu:
        yield emu


def test_the_official_stripe_package_reads_results_from_the_emulator(
    threaded_emulator: Emulator,
) -> None:
    # The emulator serves any Stripe client, not only this SDK.
    with si.StripeIdentity(TEST_KEY, api_base=threaded_emulator.api_base) as ours:
        session_id = ours.verification_sessions.create(WITH_ID_NUMBER).id
    threaded_emulator.submit(session_id)
    addresses: BaseAddresses = {"api": threaded_emulator.api_base}
    secret = stripe.StripeClient(TEST_KEY, base_addresses=addresses)
    restricted = stripe.StripeClient(RESTRICTED, base_addresses=addresses)
    sessions = secret.v1.identity.verification_sessions

    plain = sessions.retrieve(session_id)
    assert plain.status == "verified"
    assert "verified_outputs" not in plain
    named = sessions.retrieve(session_id, {"expand": ["verified_outputs"]})
    assert named.verified_outputs is not None
    assert named.verified_outputs.first_name == "Jenny"
    assert named.verified_outputs.dob is None
    with pytest.raises(stripe.PermissionError):
        sessions.retrieve(session_id, {"expand": ["verified_outputs.dob"]})

    full = restricted.v1.identity.verification_sessions.retrieve(
        session_id,
        {"expand": ["verified_outputs.dob", "last_verification_report.document.number"]},
    )
    assert full.verified_outputs is not None and full.verified_outputs.dob is not None
    assert full.verified_outputs.dob.year == 1990
    report = full.last_verification_report
    assert not isinstance(report, str) and report is not None and report.document is not None
    assert report.document.number == "D1234567"
