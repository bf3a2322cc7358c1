"""VerificationReport and the result of each check in it, as the spec has them."""

from __future__ import annotations

from typing import Literal

import attrs

from ._base import APIResource, StripeObject
from ._common import (
    Address,
    CalendarDate,
    CheckStatus,
    CheckType,
    DocumentErrorCode,
    DocumentOptions,
    DocumentType,
    EmailErrorCode,
    IdNumberErrorCode,
    IdNumberOptions,
    IdNumberType,
    PhoneErrorCode,
    SelfieErrorCode,
    Sex,
)

__all__ = [
    "DocumentReport",
    "DocumentReportError",
    "EmailReport",
    "EmailReportError",
    "IdNumberReport",
    "IdNumberReportError",
    "PhoneReport",
    "PhoneReportError",
    "SelfieReport",
    "SelfieReportError",
    "VerificationReport",
    "VerificationReportOptions",
]


@attrs.frozen(kw_only=True, slots=False, eq=False, repr=False)
class DocumentReportError(StripeObject):
    """Why the document check failed."""

    code: DocumentErrorCode | None = None
    reason: str | None = None


@attrs.frozen(kw_only=True, slots=False, eq=False, repr=False)
class DocumentReport(StripeObject):
    """The result of the document check: what the document says, and whether it is genuine."""

    status: CheckStatus
    address: Address | None = None
    dob: CalendarDate | None = None
    error: DocumentReportError | None = None
    expiration_date: CalendarDate | None = None
    files: list[str] | None = None
    first_name: str | None = None
    issued_date: CalendarDate | None = None
    issuing_country: str | None = None
    last_name: str | None = None
    number: str | None = None
    sex: Sex | None = None
    type: DocumentType | None = None
    unparsed_place_of_birth: str | None = None
    unparsed_sex: str | None = None


@attrs.frozen(kw_only=True, slots=False, eq=False, repr=False)
class EmailReportError(StripeObject):
    """Why the email check failed."""

    code: EmailErrorCode | None = None
    reason: str | None = None


@attrs.frozen(kw_only=True, slots=False, eq=False, repr=False)
class EmailReport(StripeObject):
    """The result of the email check."""

    status: CheckStatus
    email: str | None = None
    error: EmailReportError | None = None


@attrs.frozen(kw_only=True, slots=False, eq=False, repr=False)
class IdNumberReportError(StripeObject):
    """Why the ID number check failed."""

    code: IdNumberErrorCode | None = None
    reason: str | None = None


@attrs.frozen(kw_only=True, slots=False, eq=False, repr=False)
class IdNumberReport(StripeObject):
    """The result of the ID number check."""

    status: CheckStatus
    dob: CalendarDate | None = None
    error: IdNumberReportError | None = None
    first_name: str | None = None
    id_number: str | None = None
    id_number_type: IdNumberType | None = None
    last_name: str | None = None


@attrs.frozen(kw_only=True, slots=False, eq=False, repr=False)
class PhoneReportError(StripeObject):
    """Why the phone check failed."""

    code: PhoneErrorCode | None = None
    reason: str | None = None


@attrs.frozen(kw_only=True, slots=False, eq=False, repr=False)
class PhoneReport(StripeObject):
    """The result of the phone check."""

    status: CheckStatus
    error: PhoneReportError | None = None
    phone: str | None = None


@attrs.frozen(kw_only=True, slots=False, eq=False, repr=False)
class SelfieReportError(StripeObject):
    """Why the selfie check failed."""

    code: SelfieErrorCode | None = None
    reason: str | None = None


@attrs.frozen(kw_only=True, slots=False, eq=False, repr=False)
class SelfieReport(StripeObject):
    """The result of the selfie check; ``document`` and ``selfie`` are File ids of the images."""

    status: CheckStatus
    document: str | None = None
    error: SelfieReportError | None = None
    selfie: str | None = None


@attrs.frozen(kw_only=True, slots=False, eq=False, repr=False)
class VerificationReportOptions(StripeObject):
    """The options the verified session had when this report was made."""

    document: DocumentOptions | None = None
    id_number: IdNumberOptions | None = None


@attrs.frozen(kw_only=True, slots=False, eq=False, repr=False)
class VerificationReport(APIResource):
    """The result of one submission of a VerificationSession (read-only)."""

    id: str
    object: Literal["identity.verification_report"] | str
    created: int
    livemode: bool
    type: CheckType
    client_reference_id: str | None = None
    document: DocumentReport | None = None
    email: EmailReport | None = None
    id_number: IdNumberReport | None = None
    options: VerificationReportOptions | None = None
    phone: PhoneReport | None = None
    selfie: SelfieReport | None = None
    verification_flow: str | None = None
    verification_session: str | None = None
