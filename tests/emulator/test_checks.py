"""A session's checks follow from its type, options and flow, and results say nothing more.

The report has a section for each check that ran and no other; ``verified_outputs`` holds what those
checks verified (a document check verifies no email, whatever ``provided_details`` says); a report's
``us_ssn`` is its last four digits; a failure code of a check the session does not run is refused,
by ``emu.submit`` (a typed ``SubmitError``) and by the control route (a 400 naming the code and the
checks that run).
"""

from __future__ import annotations

from typing import Any

import pytest

import stripe_identity as si
from stripe_identity.emulator import Emulator, SubmitError
from tests.conftest import RawHTTP

pytestmark = pytest.mark.anyio

RESTRICTED = "rk_test_checks0results"
EMAIL, PHONE = "jenny@example.com", "+15555550123"
DETAILS: si.ProvidedDetailsParamsDict = {"email": EMAIL, "phone": PHONE}
REPORT_SECTIONS = ("document", "email", "id_number", "phone", "selfie")


async def _raw_result(
    client: si.AsyncStripeIdentity, session_id: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The session's ``verified_outputs`` and its last report, as JSON (sensitive fields shown)."""
    restricted = client.with_options(api_key=RESTRICTED)
    session = await restricted.raw_request(
        "GET",
        f"/v1/identity/verification_sessions/{session_id}",
        {"expand": ["verified_outputs.id_number", "last_verification_report.id_number.id_number"]},
    )
    return session["verified_outputs"], session["last_verification_report"]


@pytest.mark.parametrize(
    ("params", "checks"),
    [
        ({"type": "document"}, {"document"}),
        (
            {"type": "document", "options": {"document": {"require_matching_selfie": True}}},
            {"document", "selfie"},
        ),
        (
            {"type": "document", "options": {"document": {"require_id_number": True}}},
            {"document", "id_number"},
        ),
        ({"type": "id_number"}, {"id_number"}),
        (
            {"verification_flow": "vf_emulator_document_email_phone"},
            {"document", "selfie", "email", "phone"},
        ),
        ({"verification_flow": "vf_emulator_id_number_phone"}, {"id_number", "phone"}),
    ],
)
async def test_a_report_has_a_section_for_each_check_that_ran_and_no_other(
    emulator: Emulator,
    emu_client: si.AsyncStripeIdentity,
    params: si.VerificationSessionCreateParamsDict,
    checks: set[str],
) -> None:
    session = await emu_client.verification_sessions.create({**params, "provided_details": DETAILS})
    emulator.submit(session.id)
    _, report = await _raw_result(emu_client, session.id)
    assert {name for name in REPORT_SECTIONS if name in report} == checks
    assert all(report[name]["status"] == "verified" for name in checks)


async def test_a_document_only_session_verifies_no_email_or_phone(
    emulator: Emulator, emu_client: si.AsyncStripeIdentity
) -> None:
    session = await emu_client.verification_sessions.create(
        {"type": "document", "provided_details": DETAILS}
    )
    emulator.submit(session.id)
    outputs, _ = await _raw_result(emu_client, session.id)
    assert (outputs["email"], outputs["phone"]) == (None, None)
    assert (outputs["first_name"], outputs["address"]["city"]) == ("Jenny", "San Francisco")
    assert (outputs["id_number"], outputs["id_number_type"]) == (None, None)  # no ID number check
    # What the user was asked to confirm stays where it was: in provided_details.
    retrieved = await emu_client.verification_sessions.retrieve(session.id)
    assert retrieved.provided_details == si.ProvidedDetails(email=EMAIL, phone=PHONE)


async def test_an_id_number_check_verifies_names_dob_and_number_but_no_address(
    emulator: Emulator, emu_client: si.AsyncStripeIdentity
) -> None:
    session = await emu_client.verification_sessions.create({"type": "id_number"})
    emulator.submit(session.id)
    outputs, report = await _raw_result(emu_client, session.id)
    assert (outputs["first_name"], outputs["dob"]) == ("Jenny", None)  # dob: not asked for
    assert (outputs["id_number"], outputs["id_number_type"]) == ("000000000", "us_ssn")
    assert (outputs["address"], outputs["sex"]) == (None, None)  # no document was read
    # Stripe: "When id_number_type is us_ssn, only the last 4 digits are present."
    assert report["id_number"]["id_number_type"] == "us_ssn"
    assert report["id_number"]["id_number"] == "0000"


async def test_email_and_phone_checks_verify_the_provided_details(
    emulator: Emulator, emu_client: si.AsyncStripeIdentity
) -> None:
    session = await emu_client.verification_sessions.create(
        {"verification_flow": "vf_emulator_document_email_phone", "provided_details": DETAILS}
    )
    emulator.submit(session.id)
    outputs, report = await _raw_result(emu_client, session.id)
    assert (outputs["email"], outputs["phone"]) == (EMAIL, PHONE)
    assert report["email"] == {"email": EMAIL, "error": None, "status": "verified"}
    assert report["phone"] == {"error": None, "phone": PHONE, "status": "verified"}

    # Without provided details, the code goes to the persona's address and number.
    bare = await emu_client.verification_sessions.create(
        {"verification_flow": "vf_emulator_id_number_phone"}
    )
    emulator.submit(bare.id)
    outputs, _ = await _raw_result(emu_client, bare.id)
    assert (outputs["email"], outputs["phone"]) == (None, "+14155550100")


async def test_a_failed_email_check_fails_only_its_own_section(
    emulator: Emulator, emu_client: si.AsyncStripeIdentity
) -> None:
    session = await emu_client.verification_sessions.create(
        {"verification_flow": "vf_emulator_document_email_phone"}
    )
    emulator.submit(session.id, "requires_input", "email_verification_declined")
    failed = await emu_client.verification_sessions.retrieve(
        session.id, {"expand": ["last_verification_report"]}
    )
    assert failed.last_error is not None and failed.last_error.code == "email_verification_declined"
    report = failed.last_verification_report
    assert isinstance(report, si.VerificationReport)
    assert report.email is not None and report.email.status == "unverified"
    assert report.email.error is not None
    assert report.email.error.code == "email_verification_declined"
    assert report.phone is not None and report.phone.status == "verified"
    assert report.document is not None and report.document.status == "verified"


async def test_emu_submit_refuses_a_selfie_error_for_a_session_without_a_selfie(
    emulator: Emulator, emu_client: si.AsyncStripeIdentity
) -> None:
    session = await emu_client.verification_sessions.create({"type": "document"})
    for code in ("selfie_face_mismatch", "phone_verification_declined", "id_number_mismatch"):
        with pytest.raises(SubmitError) as refused:
            emulator.submit(session.id, "requires_input", code)
        assert refused.value.param == "error_code"
        assert (refused.value.error_code, refused.value.checks) == (code, ("document",))
        assert code in str(refused.value) and "document" in str(refused.value)
    assert isinstance(refused.value, ValueError)  # as every refusal of submit() was before
    untouched = await emu_client.verification_sessions.retrieve(session.id)
    assert (untouched.status, untouched.last_error) == ("requires_input", None)
    assert [e["type"] for e in emulator.events(session.id)] == ["identity.verification_session.created"]
    # The same codes are fine where the check runs, and session-level codes anywhere.
    emulator.submit(session.id, "requires_input", "consent_declined")
    selfie = await emu_client.verification_sessions.create(
        {"type": "document", "options": {"document": {"require_matching_selfie": True}}}
    )
    emulator.submit(selfie.id, "requires_input", "selfie_face_mismatch")


async def test_the_control_route_refuses_it_with_a_400_naming_the_code_and_the_checks(
    emulator: Emulator, raw: RawHTTP
) -> None:
    _, _, session = await raw("POST", "/v1/identity/verification_sessions", "type=id_number")
    path = f"/_emulator/verification_sessions/{session['id']}/submit"
    status, _, error = await raw("POST", path, "outcome=requires_input&error_code=selfie_manipulated")
    assert status == 400
    assert error["error"]["param"] == "error_code"
    assert error["error"]["type"] == "invalid_request_error"
    message = error["error"]["message"]
    assert "selfie_manipulated" in message and "selfie check" in message
    assert "its checks are id_number" in message
    status, _, failed = await raw("POST", path, "outcome=requires_input&error_code=id_number_mismatch")
    assert (status, failed["last_error"]["code"]) == (200, "id_number_mismatch")


async def test_a_failure_without_a_code_fails_the_main_check(
    emulator: Emulator, emu_client: si.AsyncStripeIdentity
) -> None:
    cases: list[tuple[si.VerificationSessionCreateParamsDict, str]] = [
        ({"type": "document"}, "document_unverified_other"),
        ({"type": "id_number"}, "id_number_unverified_other"),
        ({"verification_flow": "vf_emulator_id_number_phone"}, "id_number_unverified_other"),
    ]
    for params, code in cases:
        session = await emu_client.verification_sessions.create(params)
        emulator.submit(session.id, "requires_input")
        failed = await emu_client.verification_sessions.retrieve(session.id)
        assert failed.last_error is not None and failed.last_error.code == code
