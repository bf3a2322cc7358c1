"""Expand paths for Identity's verification results, the sensitive ones by name.

Stripe returns a session's ``verified_outputs`` only when asked (``expand=[VERIFIED_OUTPUTS]``),
which a secret key may do: names, address, email, phone. The fields below are sensitive: they stay
``None`` unless expanded by their full path, and only a restricted key with Identity's "Access
recent sensitive verification results" permission may expand them (a secret key gets
:class:`~stripe_identity.PermissionDeniedError`)::

    from stripe_identity import sensitive

    session = await restricted.verification_sessions.retrieve(
        session_id, {"expand": [sensitive.DOB, sensitive.DOCUMENT_NUMBER]}
    )
    report = await restricted.verification_reports.retrieve(
        report_id, {"expand": sensitive.report_paths(sensitive.DOCUMENT_NUMBER)}
    )

Every constant is written as seen from a session; :func:`report_paths` gives the same paths from a
report, and :func:`list_paths` the paths for a list call (behind ``data.``).
"""

from __future__ import annotations

__all__ = [
    "DOB",
    "DOCUMENT_DOB",
    "DOCUMENT_EXPIRATION_DATE",
    "DOCUMENT_NUMBER",
    "DOCUMENT_SEX",
    "DOCUMENT_UNPARSED_PLACE_OF_BIRTH",
    "DOCUMENT_UNPARSED_SEX",
    "ID_NUMBER",
    "ID_NUMBER_REPORT_DOB",
    "ID_NUMBER_REPORT_ID_NUMBER",
    "LAST_VERIFICATION_REPORT",
    "REPORT_FIELDS",
    "SESSION_FIELDS",
    "SEX",
    "UNPARSED_PLACE_OF_BIRTH",
    "UNPARSED_SEX",
    "VERIFIED_OUTPUTS",
    "list_paths",
    "report_paths",
]

#: A session's verified data (no restricted key needed).
VERIFIED_OUTPUTS = "verified_outputs"
#: A session's latest report, as an object instead of an id.
LAST_VERIFICATION_REPORT = "last_verification_report"

DOB = "verified_outputs.dob"
ID_NUMBER = "verified_outputs.id_number"
SEX = "verified_outputs.sex"
UNPARSED_PLACE_OF_BIRTH = "verified_outputs.unparsed_place_of_birth"
UNPARSED_SEX = "verified_outputs.unparsed_sex"

DOCUMENT_DOB = "last_verification_report.document.dob"
DOCUMENT_EXPIRATION_DATE = "last_verification_report.document.expiration_date"
DOCUMENT_NUMBER = "last_verification_report.document.number"
DOCUMENT_SEX = "last_verification_report.document.sex"
DOCUMENT_UNPARSED_PLACE_OF_BIRTH = "last_verification_report.document.unparsed_place_of_birth"
DOCUMENT_UNPARSED_SEX = "last_verification_report.document.unparsed_sex"
ID_NUMBER_REPORT_DOB = "last_verification_report.id_number.dob"
ID_NUMBER_REPORT_ID_NUMBER = "last_verification_report.id_number.id_number"

#: Every sensitive field of ``verified_outputs``.
SESSION_FIELDS: tuple[str, ...] = (DOB, ID_NUMBER, SEX, UNPARSED_PLACE_OF_BIRTH, UNPARSED_SEX)
#: Every sensitive field of the latest report, as seen from its session.
REPORT_FIELDS: tuple[str, ...] = (
    DOCUMENT_DOB,
    DOCUMENT_EXPIRATION_DATE,
    DOCUMENT_NUMBER,
    DOCUMENT_SEX,
    DOCUMENT_UNPARSED_PLACE_OF_BIRTH,
    DOCUMENT_UNPARSED_SEX,
    ID_NUMBER_REPORT_DOB,
    ID_NUMBER_REPORT_ID_NUMBER,
)

_REPORT_PREFIX = LAST_VERIFICATION_REPORT + "."


def report_paths(*paths: str) -> list[str]:
    """Report paths (``DOCUMENT_NUMBER`` ...) as a report's own retrieve or list expands them."""
    out = []
    for path in paths:
        if not path.startswith(_REPORT_PREFIX):
            raise ValueError(f"{path!r} is not a path inside last_verification_report")
        out.append(path[len(_REPORT_PREFIX) :])
    return out


def list_paths(*paths: str) -> list[str]:
    """The same paths for a list call, where every expansion starts with ``data.``."""
    return [f"data.{path}" for path in paths]
