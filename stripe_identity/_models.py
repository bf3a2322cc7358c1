"""Typed models of the objects the Identity API returns.

Every class mirrors one schema of ``shared/spec`` field for field. They are frozen attrs classes built by
the converter in ``_converter.py``; nothing here parses JSON.

Two rules keep the models forward compatible with what Stripe ships next:

* enum-valued fields are typed ``Literal[...] | str``: the literals document today's values and help the
  type checker, while an unknown value is kept as the plain string Stripe sent;
* the JSON object each model was built from is kept, so fields this version does not know are still
  reachable through :attr:`StripeObject.extra_fields`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import attrs

from ._response import ResponseMeta

__all__ = [
    "Address",
    "CalendarDate",
    "DocumentOptions",
    "DocumentReport",
    "DocumentReportError",
    "EmailOptions",
    "EmailReport",
    "EmailReportError",
    "ErrorObject",
    "Event",
    "EventData",
    "EventRequest",
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
    "StripeObject",
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
EventType = (
    Literal[
        "identity.verification_session.canceled",
        "identity.verification_session.created",
        "identity.verification_session.processing",
        "identity.verification_session.redacted",
        "identity.verification_session.requires_input",
        "identity.verification_session.verified",
    ]
    | str
)
ErrorType = Literal["api_error", "card_error", "idempotency_error", "invalid_request_error"] | str
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


@attrs.frozen(kw_only=True)
class StripeObject:
    """Base of every model: keeps the JSON object it was built from, outside equality."""

    _json: Mapping[str, Any] | None = attrs.field(default=None, eq=False, repr=False, alias="_json")

    @property
    def extra_fields(self) -> Mapping[str, Any]:
        """Fields of the JSON object that this version of the SDK does not model."""
        if not self._json:
            return {}
        known = _field_names(type(self))
        return {key: value for key, value in self._json.items() if key not in known}

    def to_dict(self) -> dict[str, Any]:
        """The object as plain JSON-compatible data, unknown fields included."""
        from ._converter import unstructure

        data: dict[str, Any] = unstructure(self)
        return data


@attrs.frozen(kw_only=True)
class APIResource(StripeObject):
    """A top-level object: it also remembers the HTTP response that produced it."""

    last_response: ResponseMeta | None = attrs.field(
        default=None, eq=False, repr=False, alias="_last_response"
    )


_FIELD_NAMES: dict[type, frozenset[str]] = {}


def _field_names(cls: type) -> frozenset[str]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = frozenset(f.name for f in attrs.fields(cls) if not f.name.startswith("_"))
        names -= {"last_response"}
        _FIELD_NAMES[cls] = names
    return names


# --- shared pieces -------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Address(StripeObject):
    city: str | None = None
    country: str | None = None
    line1: str | None = None
    line2: str | None = None
    postal_code: str | None = None
    state: str | None = None


@attrs.frozen(kw_only=True)
class CalendarDate(StripeObject):
    """A date as Stripe reports it: each part may be missing (or ``1`` once redacted)."""

    day: int | None = None
    month: int | None = None
    year: int | None = None


@attrs.frozen(kw_only=True)
class DocumentOptions(StripeObject):
    allowed_types: list[DocumentType] | None = None
    require_id_number: bool | None = None
    require_live_capture: bool | None = None
    require_matching_selfie: bool | None = None


@attrs.frozen(kw_only=True)
class IdNumberOptions(StripeObject):
    pass


# --- VerificationSession -------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class VerificationSessionLastError(StripeObject):
    code: LastErrorCode | None = None
    reason: str | None = None


@attrs.frozen(kw_only=True)
class EmailOptions(StripeObject):
    require_verification: bool | None = None


@attrs.frozen(kw_only=True)
class PhoneOptions(StripeObject):
    require_verification: bool | None = None


@attrs.frozen(kw_only=True)
class MatchingOptions(StripeObject):
    dob: MatchingMode | None = None
    name: MatchingMode | None = None


@attrs.frozen(kw_only=True)
class VerificationSessionOptions(StripeObject):
    document: DocumentOptions | None = None
    email: EmailOptions | None = None
    id_number: IdNumberOptions | None = None
    matching: MatchingOptions | None = None
    phone: PhoneOptions | None = None


@attrs.frozen(kw_only=True)
class ProvidedDetails(StripeObject):
    email: str | None = None
    phone: str | None = None


@attrs.frozen(kw_only=True)
class Redaction(StripeObject):
    status: RedactionStatus


@attrs.frozen(kw_only=True)
class RelatedPerson(StripeObject):
    account: str
    person: str


@attrs.frozen(kw_only=True)
class VerifiedOutputs(StripeObject):
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


@attrs.frozen(kw_only=True)
class DocumentReportError(StripeObject):
    code: DocumentErrorCode | None = None
    reason: str | None = None


@attrs.frozen(kw_only=True)
class DocumentReport(StripeObject):
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


@attrs.frozen(kw_only=True)
class EmailReportError(StripeObject):
    code: EmailErrorCode | None = None
    reason: str | None = None


@attrs.frozen(kw_only=True)
class EmailReport(StripeObject):
    status: CheckStatus
    email: str | None = None
    error: EmailReportError | None = None


@attrs.frozen(kw_only=True)
class IdNumberReportError(StripeObject):
    code: IdNumberErrorCode | None = None
    reason: str | None = None


@attrs.frozen(kw_only=True)
class IdNumberReport(StripeObject):
    status: CheckStatus
    dob: CalendarDate | None = None
    error: IdNumberReportError | None = None
    first_name: str | None = None
    id_number: str | None = None
    id_number_type: IdNumberType | None = None
    last_name: str | None = None


@attrs.frozen(kw_only=True)
class PhoneReportError(StripeObject):
    code: PhoneErrorCode | None = None
    reason: str | None = None


@attrs.frozen(kw_only=True)
class PhoneReport(StripeObject):
    status: CheckStatus
    error: PhoneReportError | None = None
    phone: str | None = None


@attrs.frozen(kw_only=True)
class SelfieReportError(StripeObject):
    code: SelfieErrorCode | None = None
    reason: str | None = None


@attrs.frozen(kw_only=True)
class SelfieReport(StripeObject):
    status: CheckStatus
    document: str | None = None
    error: SelfieReportError | None = None
    selfie: str | None = None


@attrs.frozen(kw_only=True)
class VerificationReportOptions(StripeObject):
    document: DocumentOptions | None = None
    id_number: IdNumberOptions | None = None


@attrs.frozen(kw_only=True)
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


@attrs.frozen(kw_only=True)
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


# --- errors --------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ErrorObject(StripeObject):
    """The ``error`` member of an error response body."""

    type: ErrorType
    code: str | None = None
    message: str | None = None
    param: str | None = None
    doc_url: str | None = None
    request_log_url: str | None = None
    advice_code: str | None = None
    decline_code: str | None = None
    network_advice_code: str | None = None
    network_decline_code: str | None = None
    payment_method_type: str | None = None
    charge: str | None = None


# --- events --------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class EventRequest(StripeObject):
    """The API request that caused an event (``id`` is ``None`` for automatic changes)."""

    id: str | None = None
    idempotency_key: str | None = None


@attrs.frozen(kw_only=True)
class EventData(StripeObject):
    object: VerificationSession
    #: The fields that changed, with their previous values (``*.updated``-style events only).
    previous_attributes: Mapping[str, Any] | None = None


@attrs.frozen(kw_only=True)
class Event(StripeObject):
    """A webhook event about a VerificationSession, as ``webhooks.construct_event`` returns it."""

    id: str
    object: Literal["event"] | str
    type: EventType
    created: int
    livemode: bool
    data: EventData
    api_version: str | None = None
    pending_webhooks: int | None = None
    request: EventRequest | None = None
