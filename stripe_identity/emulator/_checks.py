"""Which verification checks a session runs, and which ``last_error`` codes each check can fail with.

A session's checks follow from its ``type`` and ``options`` (a flow's session carries the flow's
options, see ``_flows``), as Stripe documents them:

* ``document``: a ``document`` session, or a flow that collects a document;
* ``selfie``: ``options.document.require_matching_selfie``;
* ``id_number``: an ``id_number`` session (or flow), or ``options.document.require_id_number``;
* ``email`` / ``phone``: ``options.email`` / ``options.phone`` with ``require_verification``: a
  one-time code sent to the address or number (only a flow sets these options);
* ``matching``: ``options.matching`` (only a flow sets it): it compares names and dates of birth and
  has no section of its own in a report, nor an error code.

The report of a submission has a section for each check that ran, no other; a failure names a code of
a check that runs, or one of the session-level codes (the user gave up, declined, ...), which any
session can end with and which write no report.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._failures import APIFailure

__all__ = [
    "CHECKS",
    "SESSION_LEVEL_ERRORS",
    "ErrorCodeRefused",
    "accepted_error_codes",
    "check_of",
    "checks_of",
    "default_error_code",
    "refuse_foreign_code",
]

#: Every check, in the order the verification page and the messages list them.
CHECKS = ("document", "selfie", "id_number", "email", "phone", "matching")

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

_CODES: dict[str, tuple[str, ...]] = {
    "document": ("document_expired", "document_type_not_supported", "document_unverified_other"),
    "selfie": (
        "selfie_document_missing_photo",
        "selfie_face_mismatch",
        "selfie_manipulated",
        "selfie_unverified_other",
    ),
    "id_number": (
        "id_number_insufficient_document_data",
        "id_number_mismatch",
        "id_number_unverified_other",
    ),
    "email": ("email_unverified_other", "email_verification_declined"),
    "phone": ("phone_unverified_other", "phone_verification_declined"),
    "matching": (),
}
_CHECK_OF_CODE = {code: check for check, codes in _CODES.items() for code in codes}


class ErrorCodeRefused(APIFailure):
    """A failure code of a check the session does not run (a 400 naming ``error_code``)."""

    def __init__(self, code: str, checks: tuple[str, ...]) -> None:
        check = _CHECK_OF_CODE[code]
        super().__init__(
            400,
            f"error_code {code} belongs to the {check} check, which this session does not run: "
            f"its checks are {', '.join(checks)}. Use a code of one of them, or a session-level "
            f"code ({', '.join(sorted(SESSION_LEVEL_ERRORS))}).",
            param="error_code",
        )
        self.error_code = code
        self.checks = checks


def _wants(options: Mapping[str, Any], name: str) -> bool:
    section = options.get(name)
    return isinstance(section, Mapping) and bool(section.get("require_verification"))


def checks_of(session: Mapping[str, Any]) -> tuple[str, ...]:
    """The checks a submission of ``session`` runs, in :data:`CHECKS` order."""
    options: Mapping[str, Any] = session.get("options") or {}
    document_options: Mapping[str, Any] = options.get("document") or {}
    kind = session["type"]
    document = kind == "document" or (kind == "verification_flow" and "document" in options)
    runs = {
        "document": document,
        "selfie": document and bool(document_options.get("require_matching_selfie")),
        "id_number": kind == "id_number"
        or "id_number" in options
        or (document and bool(document_options.get("require_id_number"))),
        "email": _wants(options, "email"),
        "phone": _wants(options, "phone"),
        "matching": "matching" in options,
    }
    return tuple(check for check in CHECKS if runs[check])


def check_of(code: str) -> str | None:
    """The check a ``last_error`` code belongs to (``None`` for a session-level code)."""
    return _CHECK_OF_CODE.get(code)


def accepted_error_codes(session: Mapping[str, Any]) -> list[str]:
    """The codes a failed submission of ``session`` may carry: its checks' and the session-level
    ones, sorted."""
    codes = set(SESSION_LEVEL_ERRORS)
    for check in checks_of(session):
        codes.update(_CODES[check])
    return sorted(codes)


def refuse_foreign_code(session: Mapping[str, Any], code: str) -> None:
    """Raise :class:`ErrorCodeRefused` unless ``code`` (a known ``last_error`` code) can end a
    submission of ``session``."""
    check = _CHECK_OF_CODE.get(code)
    checks = checks_of(session)
    if check is not None and check not in checks:
        raise ErrorCodeRefused(code, checks)


def default_error_code(session: Mapping[str, Any]) -> str:
    """The generic failure of the session's main check (its document, else its ID number)."""
    checks = checks_of(session)
    main = next((c for c in ("document", "id_number", "email", "phone") if c in checks), "document")
    return f"{main}_unverified_other"
