"""What sessions and reports share: the spec's enums of Identity, addresses, dates, and the options
of the document and id number checks."""

from __future__ import annotations

from typing import Literal

import attrs

from ._base import StripeObject

__all__ = ["Address", "CalendarDate", "DocumentOptions", "IdNumberOptions"]


# Enum values as the spec lists them today. ``| str`` keeps values Stripe adds later.
CheckType = Literal["document", "id_number", "verification_flow"] | str
CheckStatus = Literal["unverified", "verified"] | str
DocumentTypeName = Literal["driving_license", "id_card", "passport"]
DocumentType = DocumentTypeName | str
IdNumberType = Literal["br_cpf", "sg_nric", "us_ssn"] | str
MatchingMode = Literal["none", "similar"] | str
RedactionStatus = Literal["processing", "redacted", "validated"] | str
Sex = Literal["[redacted]", "female", "male", "unknown"] | str
VerificationSessionStatusName = Literal["canceled", "processing", "requires_input", "verified"]
VerificationSessionStatus = VerificationSessionStatusName | str
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


@attrs.frozen(kw_only=True, slots=False, eq=False, repr=False)
class Address(StripeObject):
    """A postal address, as read from a document or entered by the user."""

    city: str | None = None
    country: str | None = None
    line1: str | None = None
    line2: str | None = None
    postal_code: str | None = None
    state: str | None = None


@attrs.frozen(kw_only=True, slots=False, eq=False, repr=False)
class CalendarDate(StripeObject):
    """A date as Stripe reports it: each part may be missing (or ``1`` once redacted)."""

    day: int | None = None
    month: int | None = None
    year: int | None = None


@attrs.frozen(kw_only=True, slots=False, eq=False, repr=False)
class DocumentOptions(StripeObject):
    """Options of the document check (``options.document``)."""

    allowed_types: list[DocumentType] | None = None
    require_id_number: bool | None = None
    require_live_capture: bool | None = None
    require_matching_selfie: bool | None = None


@attrs.frozen(kw_only=True, slots=False, eq=False, repr=False)
class IdNumberOptions(StripeObject):
    """Options of the ID number check (``options.id_number``; none exist today)."""
