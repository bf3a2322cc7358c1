"""Fully populated objects for the model tests: every optional field of a session and a report."""

from __future__ import annotations

from typing import Any

from tests.fake_api import REPORT, SESSION

__all__ = ["FULL_REPORT", "FULL_SESSION"]

FULL_SESSION: dict[str, Any] = {
    **SESSION,
    "client_reference_id": "user_42",
    "client_secret": "vs_1_secret_test_abc",
    "url": "https://verify.stripe.com/start/test_abc",
    "status": "requires_input",
    "metadata": {"user": "42"},
    "last_error": {"code": "document_expired", "reason": "The document is expired."},
    "options": {
        "document": {
            "allowed_types": ["driving_license", "passport"],
            "require_id_number": False,
            "require_live_capture": True,
            "require_matching_selfie": True,
        },
        "email": {"require_verification": True},
        "id_number": {},
        "matching": {"dob": "similar", "name": "none"},
        "phone": {"require_verification": False},
    },
    "provided_details": {"email": "jenny@example.com", "phone": "+15555550100"},
    "related_person": {"account": "acct_1", "person": "person_1"},
    "verification_flow": "vf_1",
    "verified_outputs": {
        "address": {
            "city": "SF",
            "country": "US",
            "line1": "1 Main",
            "line2": None,
            "postal_code": "94111",
            "state": "CA",
        },
        "dob": {"day": 1, "month": 2, "year": 1990},
        "email": "jenny@example.com",
        "first_name": "Jenny",
        "id_number": "000000000",
        "id_number_type": "us_ssn",
        "last_name": "Rosen",
        "phone": "+15555550100",
        "sex": "female",
        "unparsed_place_of_birth": "SF",
        "unparsed_sex": "F",
    },
}

FULL_REPORT: dict[str, Any] = {
    **REPORT,
    "email": {"email": "j@example.com", "error": None, "status": "verified"},
    "id_number": {
        "dob": {"day": 1, "month": 1, "year": 1990},
        "error": {"code": "id_number_mismatch", "reason": "mismatch"},
        "first_name": "J",
        "id_number": "1",
        "id_number_type": "br_cpf",
        "last_name": "R",
        "status": "unverified",
    },
    "phone": {
        "error": {"code": "phone_verification_declined", "reason": "no"},
        "phone": "+1",
        "status": "unverified",
    },
    "selfie": {"document": "file_1", "error": None, "selfie": "file_2", "status": "verified"},
    "verification_flow": "vf_1",
}
