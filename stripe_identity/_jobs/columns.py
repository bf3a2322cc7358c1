"""The columns of a CSV export, in order, each with what it holds (docs/bulk-jobs.md lists them).

Columns come in groups, each added by an option of the export:

* ``session``: always;
* ``report``: with ``expand_report`` (the latest VerificationReport's results);
* ``outputs``: with ``verified_outputs`` or ``sensitive`` (the user's verified data);
* ``sensitive``: with ``sensitive`` (a restricted key's fields), and ``sensitive_report``: with
  ``sensitive`` and ``expand_report`` both.

A value the session does not have is an empty cell. Times are ISO 8601 in UTC, dates
``YYYY-MM-DD`` (or as much of it as Stripe gives), booleans ``true``/``false``, metadata a JSON object.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any

import attrs

from .._models import CalendarDate, VerificationReport, VerificationSession

__all__ = ["COLUMNS", "Column", "cell", "columns_for"]


@attrs.frozen
class Column:
    """One CSV column: its header, the option group that adds it, what it holds, and its value."""

    name: str
    group: str
    description: str
    value: Callable[[VerificationSession], Any] = attrs.field(repr=False)


def _report(session: VerificationSession) -> VerificationReport | None:
    report = session.last_verification_report
    return report if isinstance(report, VerificationReport) else None


def _path(*names: str) -> Callable[[Any], Any]:
    """A getter of ``obj.a.b.c`` that gives ``None`` as soon as a step is missing."""

    def get(obj: Any) -> Any:
        for name in names:
            if obj is None:
                return None
            obj = getattr(obj, name)
        return obj

    return get


def _in_report(*names: str) -> Callable[[VerificationSession], Any]:
    get = _path(*names)
    return lambda session: get(_report(session))


def _in_outputs(*names: str) -> Callable[[VerificationSession], Any]:
    get = _path("verified_outputs", *names)
    return lambda session: get(session)


def _col(name: str, group: str, description: str, value: Callable[[VerificationSession], Any]) -> Column:
    return Column(name, group, description, value)


COLUMNS: tuple[Column, ...] = (
    _col("id", "session", "the session's id (`vs_...`)", _path("id")),
    _col("created", "session", "when the session was created", _path("created")),
    _col(
        "status", "session", "`requires_input`, `processing`, `verified` or `canceled`", _path("status")
    ),
    _col("type", "session", "the check: `document`, `id_number` or `verification_flow`", _path("type")),
    _col("livemode", "session", "`true` for a live-mode session", _path("livemode")),
    _col("client_reference_id", "session", "your reference for it", _path("client_reference_id")),
    _col(
        "redaction_status",
        "session",
        "`processing` or `redacted` once redaction was asked for",
        _path("redaction", "status"),
    ),
    _col("last_error_code", "session", "why the last submission failed", _path("last_error", "code")),
    _col("last_error_reason", "session", "the same in words", _path("last_error", "reason")),
    _col(
        "last_verification_report",
        "session",
        "its latest report's id (`vr_...`)",
        lambda session: session.last_verification_report_id,
    ),
    _col("related_customer", "session", "the customer it verifies", _path("related_customer")),
    _col("metadata", "session", "its metadata, a JSON object", _path("metadata")),
    _col("report_created", "report", "when the latest report was made", _in_report("created")),
    _col(
        "document_status",
        "report",
        "the document check: `verified` or `unverified`",
        _in_report("document", "status"),
    ),
    _col(
        "document_error_code",
        "report",
        "why the document check failed",
        _in_report("document", "error", "code"),
    ),
    _col(
        "document_type",
        "report",
        "`driving_license`, `id_card` or `passport`",
        _in_report("document", "type"),
    ),
    _col(
        "document_issuing_country",
        "report",
        "the document's country (two letters)",
        _in_report("document", "issuing_country"),
    ),
    _col(
        "id_number_status", "report", "the ID number check's result", _in_report("id_number", "status")
    ),
    _col(
        "id_number_error_code",
        "report",
        "why the ID number check failed",
        _in_report("id_number", "error", "code"),
    ),
    _col("selfie_status", "report", "the selfie check's result", _in_report("selfie", "status")),
    _col(
        "selfie_error_code",
        "report",
        "why the selfie check failed",
        _in_report("selfie", "error", "code"),
    ),
    _col("email_status", "report", "the email check's result", _in_report("email", "status")),
    _col("phone_status", "report", "the phone check's result", _in_report("phone", "status")),
    _col("first_name", "outputs", "the verified first name", _in_outputs("first_name")),
    _col("last_name", "outputs", "the verified last name", _in_outputs("last_name")),
    _col("email", "outputs", "the verified email address", _in_outputs("email")),
    _col("phone", "outputs", "the verified phone number", _in_outputs("phone")),
    _col(
        "address_line1", "outputs", "the verified address: first line", _in_outputs("address", "line1")
    ),
    _col("address_line2", "outputs", "second line", _in_outputs("address", "line2")),
    _col("address_city", "outputs", "city", _in_outputs("address", "city")),
    _col("address_state", "outputs", "state, county or province", _in_outputs("address", "state")),
    _col("address_postal_code", "outputs", "postal code", _in_outputs("address", "postal_code")),
    _col("address_country", "outputs", "country (two letters)", _in_outputs("address", "country")),
    _col(
        "id_number_type",
        "outputs",
        "`br_cpf`, `sg_nric` or `us_ssn`",
        _in_outputs("id_number_type"),
    ),
    _col("dob", "sensitive", "the verified date of birth", _in_outputs("dob")),
    _col("id_number", "sensitive", "the verified ID number", _in_outputs("id_number")),
    _col("sex", "sensitive", "the verified sex", _in_outputs("sex")),
    _col(
        "unparsed_place_of_birth",
        "sensitive",
        "the place of birth, as written",
        _in_outputs("unparsed_place_of_birth"),
    ),
    _col(
        "document_number",
        "sensitive_report",
        "the document's number",
        _in_report("document", "number"),
    ),
    _col(
        "document_expiration_date",
        "sensitive_report",
        "the document's expiry date",
        _in_report("document", "expiration_date"),
    ),
    _col(
        "document_dob",
        "sensitive_report",
        "the date of birth on the document",
        _in_report("document", "dob"),
    ),
)

_TIMES = frozenset({"created", "report_created"})


def columns_for(*, report: bool, outputs: bool, sensitive: bool) -> list[Column]:
    """The columns an export with these options writes, in order."""
    groups = {"session"}
    if report:
        groups.add("report")
    if outputs or sensitive:
        groups.add("outputs")
    if sensitive:
        groups.add("sensitive")
        if report:
            groups.add("sensitive_report")
    return [column for column in COLUMNS if column.group in groups]


def cell(column: Column, session: VerificationSession) -> str:
    """The column's value for ``session``, as the CSV cell's text."""
    value = column.value(session)
    if value is None:
        return ""
    if column.name in _TIMES and isinstance(value, int):
        when = datetime.datetime.fromtimestamp(value, datetime.timezone.utc)
        return when.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, CalendarDate):
        return _date(value)
    if isinstance(value, dict) or column.name == "metadata":
        return json.dumps(dict(value), ensure_ascii=False, sort_keys=True)
    return str(value)


def _date(date: CalendarDate) -> str:
    parts = [f"{date.year:04d}" if date.year is not None else ""]
    if date.month is not None:
        parts.append(f"{date.month:02d}")
        if date.day is not None:
            parts.append(f"{date.day:02d}")
    return "-".join(parts) if parts[0] else ""
