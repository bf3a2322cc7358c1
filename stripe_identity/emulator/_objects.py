"""The JSON objects the emulator stores and returns, shaped like Stripe's.

Objects are plain dicts with the spec's keys in alphabetical order (as Stripe sends them). The
identity a verified submission "finds" is the test persona of Stripe's own fixtures (Jenny Rosen,
San Francisco); nothing here is random except the ids and tokens, which come from the seeded RNG.
"""

from __future__ import annotations

import base64
import random
import string
from typing import Any

import attrs

__all__ = [
    "REDACTED",
    "SESSION_LEVEL_ERRORS",
    "IdFactory",
    "Images",
    "checks",
    "failed_report",
    "last_error_reason",
    "new_session",
    "session_options",
    "redact_report",
    "redact_session",
    "verified_outputs",
    "verified_report",
]

REDACTED = "[redacted]"
_ALPHABET = string.ascii_letters + string.digits

#: Failures of the session as a whole: no check ran, so no report is written.
SESSION_LEVEL_ERRORS = frozenset(
    {
        "abandoned",
        "consent_declined",
        "country_not_supported",
        "device_not_supported",
        "under_supported_age",
    }
)

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


class IdFactory:
    """Stripe-shaped ids and tokens from one seeded RNG, so a seed replays the same ids."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng

    def token(self, length: int) -> str:
        return "".join(self._rng.choices(_ALPHABET, k=length))

    def object_id(self, prefix: str) -> str:
        return f"{prefix}_{self.token(24)}"

    def request_id(self) -> str:
        return f"req_{self.token(14)}"

    def secret_and_link(self, session_id: str) -> tuple[str, str]:
        """A session's ``client_secret``, and the token of its verification page's URL."""
        token = self.token(32)
        # Stripe's hosted link token base64-encodes an account and a nonce.
        link = base64.urlsafe_b64encode(f"acct_emulator,_{token}".encode()).decode().rstrip("=")
        return f"{session_id}_secret_test_{token}", f"test_{link}"


def _document_options(params: Any) -> dict[str, Any]:
    if not isinstance(params, dict):  # absent, or "" (unset): no document options
        return {}
    return {key: params[key] for key in sorted(params)}


def session_options(check_type: str, options: dict[str, Any] | None) -> dict[str, Any]:
    """The response ``options`` for a session of ``check_type`` created with ``options`` params."""
    document = _document_options((options or {}).get("document"))
    if check_type == "id_number":
        return {"id_number": {}}
    return {"document": document}


def new_session(
    *,
    session_id: str,
    created: int,
    params: dict[str, Any],
    client_secret: str,
    url: str,
) -> dict[str, Any]:
    check_type = "verification_flow" if params.get("verification_flow") else params["type"]
    provided = params.get("provided_details")
    session: dict[str, Any] = {
        "client_reference_id": params.get("client_reference_id"),
        "client_secret": client_secret,
        "created": created,
        "id": session_id,
        "last_error": None,
        "last_verification_report": None,
        "livemode": False,
        "metadata": dict(sorted((params.get("metadata") or {}).items())),
        "object": "identity.verification_session",
        "options": session_options(check_type, params.get("options")),
        "provided_details": dict(sorted(provided.items())) if provided else None,
        "redaction": None,
        "related_customer": params.get("related_customer"),
        "related_customer_account": params.get("related_customer_account"),
        "status": "requires_input",
        "type": check_type,
        "url": url,
        "verified_outputs": None,
    }
    if params.get("related_person"):
        person = params["related_person"]
        session["related_person"] = {"account": person["account"], "person": person["person"]}
    if params.get("verification_flow"):
        session["verification_flow"] = params["verification_flow"]
    return dict(sorted(session.items()))


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
    document_options = session["options"].get("document") or {}
    wants_id_number = session["type"] == "id_number" or document_options.get("require_id_number")
    provided = session.get("provided_details") or {}
    return {
        "address": _address(),
        "dob": _dob(),
        "email": provided.get("email"),
        "first_name": "Jenny",
        "id_number": "000000000" if wants_id_number else None,
        "id_number_type": "us_ssn" if wants_id_number else None,
        "last_name": "Rosen",
        "phone": provided.get("phone"),
        "sex": "female",
        "unparsed_place_of_birth": None,
        "unparsed_sex": None,
    }


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


def _document_report(status: str, error: dict[str, Any] | None, files: list[str]) -> dict[str, Any]:
    return {
        "address": _address(),
        "dob": _dob(),
        "error": error,
        "expiration_date": {"day": 1, "month": 12, "year": 2030},
        "files": files,
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


def _id_number_report(status: str, error: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "dob": _dob(),
        "error": error,
        "first_name": "Jenny",
        "id_number": "000000000",
        "id_number_type": "us_ssn",
        "last_name": "Rosen",
        "status": status,
    }


def _selfie_report(status: str, error: dict[str, Any] | None, images: Images) -> dict[str, Any]:
    # The photo on the document's front, and the face the user showed the camera.
    return {"document": images.front, "error": error, "selfie": images.face, "status": status}


def _checks(session: dict[str, Any]) -> tuple[bool, bool, bool]:
    """(document, id_number, selfie): which checks a submission of this session runs."""
    options = session["options"].get("document") or {}
    is_id_number = session["type"] == "id_number"
    document = not is_id_number
    id_number = is_id_number or bool(options.get("require_id_number"))
    selfie = document and bool(options.get("require_matching_selfie"))
    return document, id_number, selfie


def checks(session: dict[str, Any]) -> tuple[bool, bool, bool]:
    """(document, id_number, selfie): which checks a submission of this session runs."""
    return _checks(session)


def verified_report(
    report_id: str, session: dict[str, Any], created: int, images: Images
) -> dict[str, Any]:
    report = _report_base(report_id, session, created)
    document, id_number, selfie = _checks(session)
    if document:
        report["document"] = _document_report("verified", None, [images.front, images.back])
    if id_number:
        report["id_number"] = _id_number_report("verified", None)
    if selfie:
        report["selfie"] = _selfie_report("verified", None, images)
    return dict(sorted(report.items()))


def failed_report(
    report_id: str, session: dict[str, Any], created: int, code: str, images: Images
) -> dict[str, Any]:
    """The report of a failed submission: the check that failed carries the error."""
    report = _report_base(report_id, session, created)
    document, id_number, selfie = _checks(session)
    files = [images.front, images.back]
    error = {"code": code, "reason": last_error_reason(code)}
    kind = code.split("_", 1)[0]
    if document or kind == "document":
        failed = kind == "document"
        report["document"] = _document_report(
            "unverified" if failed else "verified", error if failed else None, files
        )
    if id_number or kind == "id":
        failed = kind == "id"
        report["id_number"] = _id_number_report(
            "unverified" if failed else "verified", error if failed else None
        )
    if selfie or kind == "selfie":
        failed = kind == "selfie"
        report["selfie"] = _selfie_report(
            "unverified" if failed else "verified", error if failed else None, images
        )
    if kind in ("email", "phone"):
        report[kind] = {kind: None, "error": error, "status": "unverified"}
    return dict(sorted(report.items()))


def _redact_fields(obj: dict[str, Any] | None, names: tuple[str, ...]) -> None:
    if not obj:
        return
    for name in names:
        if obj.get(name) is not None:
            obj[name] = REDACTED


def _redact_date(obj: dict[str, Any] | None, name: str) -> None:
    if obj and obj.get(name) is not None:
        obj[name] = {"day": 1, "month": 1, "year": 1}


def _redact_address(obj: dict[str, Any] | None) -> None:
    if obj and obj.get("address"):
        _redact_fields(obj["address"], ("city", "line1", "line2", "postal_code", "state"))


def redact_session(session: dict[str, Any]) -> None:
    """Replace personal data with ``[redacted]`` (as Stripe documents it) and erase metadata."""
    session["metadata"] = {}
    _redact_fields(session.get("provided_details"), ("email", "phone"))
    outputs = session.get("verified_outputs")
    if outputs:
        _redact_fields(
            outputs,
            (
                "email",
                "first_name",
                "id_number",
                "last_name",
                "phone",
                "sex",
                "unparsed_place_of_birth",
                "unparsed_sex",
            ),
        )
        _redact_address(outputs)
        _redact_date(outputs, "dob")
        outputs["id_number_type"] = None


def redact_report(report: dict[str, Any]) -> None:
    document = report.get("document")
    if document:
        _redact_fields(
            document,
            ("first_name", "last_name", "number", "sex", "unparsed_place_of_birth", "unparsed_sex"),
        )
        _redact_address(document)
        for name in ("dob", "expiration_date", "issued_date"):
            _redact_date(document, name)
        document["files"] = []
    id_number = report.get("id_number")
    if id_number:
        _redact_fields(id_number, ("first_name", "id_number", "last_name"))
        _redact_date(id_number, "dob")
        id_number["id_number_type"] = None
    selfie = report.get("selfie")
    _redact_fields(selfie, ("document", "selfie"))
    for kind in ("email", "phone"):
        _redact_fields(report.get(kind), (kind,))
