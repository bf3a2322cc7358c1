"""VerificationSession, VerificationReport and the objects nested in them, as the spec has them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import attrs

from ._base import APIResource, StripeObject

__all__ = [
    "Address",
    "CalendarDate",
    "DocumentOptions",
    "DocumentReport",
    "DocumentReportError",
    "EmailOptions",
    "EmailReport",
    "EmailReportError",
    "IdNumberOptions",
    "IdNumberReport",
    "IdNumberReportError",
    "MatchingOptions",
    "PhoneOptions",
    "PhoneReport",
    "PhoneReportError",
    "ProvidedDetails",
    "Redaction",
    "RelatedPerson",
    "SelfieReport",
    "SelfieReportError",
    "VerificationReport",
    "VerificationReportOptions",
    "VerificationSession",
    "VerificationSessionLastError",
    "VerificationSessionOptions",
    "VerifiedOutputs",
]

# Enum values as the spec lists them today. ``| str`` keeps values Stripe adds later.
CheckType = Literal["document", "id_number", "verification_flow"] | str
CheckStatus = Literal["unverified", "verified"] | str
DocumentType = Literal["driving_license", "id_card", "passport"] | str
IdNumberType = Literal["br_cpf", "sg_nric", "us_ssn"] | str
MatchingMode = Literal["none", "similar"] | str
RedactionStatus = Literal["processing", "redacted", "validated"] | str
Sex = Literal["[redacted]", "female", "male", "unknown"] | str
VerificationSessionStatus = Literal["canceled", "processing", "requires_input", "verified"] | str
LastErrorCode = (
    Literal[
        "abandoned",
        "consent_declined",
        "country_not_supported",
        "device_not_supported",
        "document_expired",
        "document_type_not_supported",
        "document_unverified_other",
        "email_unverified_other",
        "email_verification_declined",
        "id_number_insufficient_document_data",
        "id_number_mismatch",
        "id_number_unverified_other",
        "phone_unverified_other",
        "phone_verification_declined",
        "selfie_document_missing_photo",
        "selfie_face_mismatch",
        "selfie_manipulated",
        "selfie_unverified_other",
        "under_supported_age",
    ]
    | str
)
DocumentErrorCode = (
    Literal["document_expired", "document_type_not_supported", "document_unverified_other"] | str
)
EmailErrorCode = Literal["email_unverified_other", "email_verification_declined"] | str
IdNumberErrorCode = (
    Literal["id_number_insufficient_document_data", "id_number_mismatch", "id_number_unverified_other"]
    | str
)
PhoneErrorCode = Literal["phone_unverified_other", "phone_verification_declined"] | str
SelfieErrorCode = (
    Literal[
        "selfie_document_missing_photo",
        "selfie_face_mismatch",
        "selfie_manipulated",
        "selfie_unverified_other",
    ]
    | str
)


# --- shared pieces -------------------------------------------------------------------------------


@attrs.frozen(kw_only=True, slots=False)
class Address(StripeObject):
    """A postal address, as read from a document or entered by the user."""

    city: str | None = None
    country: str | None = None
    line1: str | None = None
    line2: str | None = None
    postal_code: str | None = None
    state: str | None = None


@attrs.frozen(kw_only=True, slots=False)
class CalendarDate(StripeObject):
    """A date as Stripe reports it: each part may be missing (or ``1`` once redacted)."""

    day: int | None = None
    month: int | None = None
    year: int | None = None


@attrs.frozen(kw_only=True, slots=False)
class DocumentOptions(StripeObject):
    """Options of the document check (``options.document``)."""

    allowed_types: list[DocumentType] | None = None
    require_id_number: bool | None = None
    require_live_capture: bool | None = None
    require_matching_selfie: bool | None = None


@attrs.frozen(kw_only=True, slots=False)
class IdNumberOptions(StripeObject):
    """Options of the ID number check (``options.id_number``; none exist today)."""


# --- VerificationSession -------------------------------------------------------------------------


@attrs.frozen(kw_only=True, slots=False)
class VerificationSessionLastError(StripeObject):
    """Why the last submission failed (``last_error``); ``None`` while nothing failed."""

    code: LastErrorCode | None = None
    reason: str | None = None


@attrs.frozen(kw_only=True, slots=False)
class EmailOptions(StripeObject):
    """Options of the email check (``options.email``)."""

    require_verification: bool | None = None


@attrs.frozen(kw_only=True, slots=False)
class PhoneOptions(StripeObject):
    """Options of the phone check (``options.phone``)."""

    require_verification: bool | None = None


@attrs.frozen(kw_only=True, slots=False)
class MatchingOptions(StripeObject):
    """How strictly the provided details must match the document (``options.matching``)."""

    dob: MatchingMode | None = None
    name: MatchingMode | None = None


@attrs.frozen(kw_only=True, slots=False)
class VerificationSessionOptions(StripeObject):
    """The checks a session asks for and their options (``options``)."""

    document: DocumentOptions | None = None
    email: EmailOptions | None = None
    id_number: IdNumberOptions | None = None
    matching: MatchingOptions | None = None
    phone: PhoneOptions | None = None


@attrs.frozen(kw_only=True, slots=False)
class ProvidedDetails(StripeObject):
    """Email and phone the integration supplied on creation (``provided_details``)."""

    email: str | None = None
    phone: str | None = None


@attrs.frozen(kw_only=True, slots=False)
class Redaction(StripeObject):
    """Where a redaction stands (``redaction``): ``processing``, then ``redacted``."""

    status: RedactionStatus


@attrs.frozen(kw_only=True, slots=False)
class RelatedPerson(StripeObject):
    """The Connect person this session verifies (``related_person``)."""

    account: str
    person: str


@attrs.frozen(kw_only=True, slots=False)
class VerifiedOutputs(StripeObject):
    """The user's verified data (``verified_outputs``).

    Stripe returns it only when expanded (``expand=["verified_outputs"]``); ``dob``, ``id_number``,
    ``sex`` and the place of birth stay ``None`` unless also expanded by name with a restricted key
    (see :mod:`stripe_identity.sensitive`).
    """

    address: Address | None = None
    dob: CalendarDate | None = None
    email: str | None = None
    first_name: str | None = None
    id_number: str | None = None
    id_number_type: IdNumberType | None = None
    last_name: str | None = None
    phone: str | None = None
    sex: Sex | None = None
    unparsed_place_of_birth: str | None = None
    unparsed_sex: str | None = None


# --- VerificationReport --------------------------------------------------------------------------


@attrs.frozen(kw_only=True, slots=False)
class DocumentReportError(StripeObject):
    """Why the document check failed."""

    code: DocumentErrorCode | None = None
    reason: str | None = None


@attrs.frozen(kw_only=True, slots=False)
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


@attrs.frozen(kw_only=True, slots=False)
class EmailReportError(StripeObject):
    """Why the email check failed."""

    code: EmailErrorCode | None = None
    reason: str | None = None


@attrs.frozen(kw_only=True, slots=False)
class EmailReport(StripeObject):
    """The result of the email check."""

    status: CheckStatus
    email: str | None = None
    error: EmailReportError | None = None


@attrs.frozen(kw_only=True, slots=False)
class IdNumberReportError(StripeObject):
    """Why the ID number check failed."""

    code: IdNumberErrorCode | None = None
    reason: str | None = None


@attrs.frozen(kw_only=True, slots=False)
class IdNumberReport(StripeObject):
    """The result of the ID number check."""

    status: CheckStatus
    dob: CalendarDate | None = None
    error: IdNumberReportError | None = None
    first_name: str | None = None
    id_number: str | None = None
    id_number_type: IdNumberType | None = None
    last_name: str | None = None


@attrs.frozen(kw_only=True, slots=False)
class PhoneReportError(StripeObject):
    """Why the phone check failed."""

    code: PhoneErrorCode | None = None
    reason: str | None = None


@attrs.frozen(kw_only=True, slots=False)
class PhoneReport(StripeObject):
    """The result of the phone check."""

    status: CheckStatus
    error: PhoneReportError | None = None
    phone: str | None = None


@attrs.frozen(kw_only=True, slots=False)
class SelfieReportError(StripeObject):
    """Why the selfie check failed."""

    code: SelfieErrorCode | None = None
    reason: str | None = None


@attrs.frozen(kw_only=True, slots=False)
class SelfieReport(StripeObject):
    """The result of the selfie check; ``document`` and ``selfie`` are File ids of the images."""

    status: CheckStatus
    document: str | None = None
    error: SelfieReportError | None = None
    selfie: str | None = None


@attrs.frozen(kw_only=True, slots=False)
class VerificationReportOptions(StripeObject):
    """The options the verified session had when this report was made."""

    document: DocumentOptions | None = None
    id_number: IdNumberOptions | None = None


@attrs.frozen(kw_only=True, slots=False)
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


@attrs.frozen(kw_only=True, slots=False)
class VerificationSession(APIResource):
    """A request to verify a user's identity, and where it stands."""

    id: str
    object: Literal["identity.verification_session"] | str
    created: int
    livemode: bool
    metadata: Mapping[str, str]
    status: VerificationSessionStatus
    type: CheckType
    client_reference_id: str | None = None
    client_secret: str | None = attrs.field(default=None, repr=False)
    last_error: VerificationSessionLastError | None = None
    last_verification_report: str | VerificationReport | None = None
    options: VerificationSessionOptions | None = None
    provided_details: ProvidedDetails | None = None
    redaction: Redaction | None = None
    related_customer: str | None = None
    related_customer_account: str | None = None
    related_person: RelatedPerson | None = None
    url: str | None = None
    verification_flow: str | None = None
    verified_outputs: VerifiedOutputs | None = None

    @property
    def last_verification_report_id(self) -> str | None:
        """The report's id whether or not ``last_verification_report`` was expanded."""
        report = self.last_verification_report
        if report is None or isinstance(report, str):
            return report
        return report.id
