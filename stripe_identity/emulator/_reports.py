"""What a submission finds, check by check: its report and the session's ``verified_outputs``.

The user is the test persona of Stripe's own fixtures (Jenny Rosen, San Francisco). A report has a
section for each check that ran (``_checks``: document, selfie, id_number, email, phone; matching has
none), and ``verified_outputs`` holds only what those checks verified:

* document: names, date of birth, address and sex, as read from the document;
* id_number: names, date of birth, the ID number and its type;
* email / phone: the address or number the one-time code went to: ``provided_details``'s, else the
  persona's (``jenny.rosen@example.com``, ``+14155550100``);
* selfie and matching verify no data of their own.

Everything else is ``null``. A report's ``id_number.id_number`` for a ``us_ssn`` carries the last 4
digits only, as Stripe's schema says; ``verified_outputs.id_number`` the whole number (a sensitive
field: see ``_sensitive``).
"""

from __future__ import annotations

from typing import Any

import attrs

from ._checks import check_of, checks_of

__all__ = [
    "PERSONA_EMAIL",
    "PERSONA_PHONE",
    "Images",
    "contact_of",
    "failed_report",
    "last_error_reason",
    "verified_outputs",
    "verified_report",
]

PERSONA_EMAIL = "jenny.rosen@example.com"
PERSONA_PHONE = "+14155550100"  # 555-01xx: reserved for fiction, never anyone's number
_PERSONA_SSN = "000000000"
_LAST_FOUR = 4

_REASONS = {
    "abandoned": "The user left the verification flow before finishing it.",
    "consent_declined": "The user declined to be verified.",
    "country_not_supported": "The user's country is not supported.",
    "device_not_supported": "The user's device cannot capture the required images.",
    "document_expired": "The document is expired.",
    "document_type_not_supported": "This type of document is not accepted.",
    "document_unverified_other": "The document could not be verified.",
    "email_unverified_other": "The email address could not be verified.",
    "email_verification_declined": "The user declined to verify their email address.",
    "id_number_insufficient_document_data": "The document lacks the data to match the ID number.",
    "id_number_mismatch": "The ID number does not match the name and date of birth.",
    "id_number_unverified_other": "The ID number could not be verified.",
    "phone_unverified_other": "The phone number could not be verified.",
    "phone_verification_declined": "The user declined to verify their phone number.",
    "selfie_document_missing_photo": "The document has no photo to compare the selfie with.",
    "selfie_face_mismatch": "The selfie does not match the photo on the document.",
    "selfie_manipulated": "The selfie appears to have been manipulated.",
    "selfie_unverified_other": "The selfie could not be verified.",
    "under_supported_age": "The user is under the supported age.",
}


@attrs.frozen
class Images:
    """The File ids of one submission's pictures: the document's two sides and the user's face."""

    front: str
    back: str
    face: str


def last_error_reason(code: str) -> str:
    return _REASONS.get(code, "The verification check failed.")


def contact_of(session: dict[str, Any], check: str) -> str:
    """The email address (``check="email"``) or phone number a one-time code goes to."""
    provided = session.get("provided_details") or {}
    given = provided.get(check)
    if given:
        return str(given)
    return PERSONA_EMAIL if check == "email" else PERSONA_PHONE


def _address() -> dict[str, Any]:
    return {
        "city": "San Francisco",
        "country": "US",
        "line1": "1234 Main St.",
        "line2": None,
        "postal_code": "94111",
        "state": "CA",
    }


def _dob() -> dict[str, int]:
    return {"day": 1, "month": 1, "year": 1990}


def verified_outputs(session: dict[str, Any]) -> dict[str, Any]:
    """The session's ``verified_outputs`` once every check it runs passed."""
    checks = checks_of(session)
    outputs: dict[str, Any] = dict.fromkeys(
        (
            "address",
            "dob",
            "email",
            "first_name",
            "id_number",
            "id_number_type",
            "last_name",
            "phone",
            "sex",
            "unparsed_place_of_birth",
            "unparsed_sex",
        )
    )
    if "document" in checks or "id_number" in checks:
        outputs.update(first_name="Jenny", last_name="Rosen", dob=_dob())
    if "document" in checks:
        outputs.update(address=_address(), sex="female")
    if "id_number" in checks:
        outputs.update(id_number=_PERSONA_SSN, id_number_type="us_ssn")
    for check in ("email", "phone"):
        if check in checks:
            outputs[check] = contact_of(session, check)
    return outputs


def _report_base(report_id: str, session: dict[str, Any], created: int) -> dict[str, Any]:
    document_options = session["options"].get("document")
    report: dict[str, Any] = {
        "client_reference_id": session["client_reference_id"],
        "created": created,
        "id": report_id,
        "livemode": False,
        "object": "identity.verification_report",
        "options": {"document": dict(document_options or {}), "id_number": {}},
        "type": session["type"],
        "verification_session": session["id"],
    }
    if "verification_flow" in session:
        report["verification_flow"] = session["verification_flow"]
    return report


def _document(status: str, error: dict[str, Any] | None, images: Images) -> dict[str, Any]:
    return {
        "address": _address(),
        "dob": _dob(),
        "error": error,
        "expiration_date": {"day": 1, "month": 12, "year": 2030},
        "files": [images.front, images.back],
        "first_name": "Jenny",
        "issued_date": {"day": 1, "month": 12, "year": 2020},
        "issuing_country": "US",
        "last_name": "Rosen",
        "number": "D1234567",
        "sex": "female",
        "status": status,
        "type": "driving_license",
        "unparsed_place_of_birth": None,
        "unparsed_sex": None,
    }


def _id_number(status: str, error: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "dob": _dob(),
        "error": error,
        "first_name": "Jenny",
        "id_number": _PERSONA_SSN[-_LAST_FOUR:],  # us_ssn: the last 4 digits only
        "id_number_type": "us_ssn",
        "last_name": "Rosen",
        "status": status,
    }


def _section(
    check: str,
    session: dict[str, Any],
    status: str,
    error: dict[str, Any] | None,
    images: Images,
) -> dict[str, Any]:
    if check == "document":
        return _document(status, error, images)
    if check == "id_number":
        return _id_number(status, error)
    if check == "selfie":
        # The photo on the document's front, and the face the user showed the camera.
        return {"document": images.front, "error": error, "selfie": images.face, "status": status}
    return {check: contact_of(session, check), "error": error, "status": status}


def _report(
    report_id: str,
    session: dict[str, Any],
    created: int,
    images: Images,
    failed: tuple[str, dict[str, Any]] | None,
) -> dict[str, Any]:
    report = _report_base(report_id, session, created)
    for check in checks_of(session):
        if check == "matching":
            continue  # no section of its own
        if failed is not None and failed[0] == check:
            report[check] = _section(check, session, "unverified", failed[1], images)
        else:
            report[check] = _section(check, session, "verified", None, images)
    return dict(sorted(report.items()))


def verified_report(
    report_id: str, session: dict[str, Any], created: int, images: Images
) -> dict[str, Any]:
    """The report of a submission whose every check passed."""
    return _report(report_id, session, created, images, None)


def failed_report(
    report_id: str, session: dict[str, Any], created: int, code: str, images: Images
) -> dict[str, Any]:
    """The report of a submission whose check of ``code`` (one the session runs) failed."""
    check = check_of(code)
    assert check is not None, f"{code} fails the session as a whole: no report"
    error = {"code": code, "reason": last_error_reason(code)}
    return _report(report_id, session, created, images, (check, error))
