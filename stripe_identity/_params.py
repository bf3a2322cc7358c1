"""Typed request parameters, one class per operation, as the spec defines them.

Each operation also takes a plain mapping; both encode to the same bytes (see ``_encoding``). Fields
left at ``None`` are not sent. ``""`` means "unset" where Stripe allows it (``metadata``,
``options[document]``). Values are not checked here: the API is the authority on what it accepts, and
its errors name the offending ``param``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import attrs

__all__ = [
    "CreatedFilter",
    "DocumentOptionsParams",
    "OptionsParams",
    "ProvidedDetailsParams",
    "RelatedPersonParams",
    "VerificationReportListParams",
    "VerificationReportRetrieveParams",
    "VerificationSessionCancelParams",
    "VerificationSessionCreateParams",
    "VerificationSessionListParams",
    "VerificationSessionRedactParams",
    "VerificationSessionRetrieveParams",
    "VerificationSessionUpdateParams",
]

SessionType = Literal["document", "id_number"] | str
SessionStatus = Literal["canceled", "processing", "requires_input", "verified"]
DocumentTypeParam = Literal["driving_license", "id_card", "passport"]
#: ``""`` unsets every key; a key mapped to ``""`` unsets that key.
MetadataParam = Mapping[str, str] | Literal[""]


@attrs.frozen(kw_only=True)
class CreatedFilter:
    """A range over ``created`` (unix seconds); pass a plain ``int`` for an exact match."""

    gt: int | None = None
    gte: int | None = None
    lt: int | None = None
    lte: int | None = None


@attrs.frozen(kw_only=True)
class DocumentOptionsParams:
    allowed_types: Sequence[DocumentTypeParam] | None = None
    require_id_number: bool | None = None
    require_live_capture: bool | None = None
    require_matching_selfie: bool | None = None


@attrs.frozen(kw_only=True)
class OptionsParams:
    document: DocumentOptionsParams | Literal[""] | None = None


@attrs.frozen(kw_only=True)
class ProvidedDetailsParams:
    email: str | None = None
    phone: str | None = None


@attrs.frozen(kw_only=True)
class RelatedPersonParams:
    account: str
    person: str


@attrs.frozen(kw_only=True)
class VerificationSessionCreateParams:
    """Params of ``POST /v1/identity/verification_sessions``.

    Give ``type`` unless you give ``verification_flow``.
    """

    Options = OptionsParams
    DocumentOptions = DocumentOptionsParams
    ProvidedDetails = ProvidedDetailsParams
    RelatedPerson = RelatedPersonParams

    client_reference_id: str | None = None
    expand: Sequence[str] | None = None
    metadata: MetadataParam | None = None
    options: OptionsParams | None = None
    provided_details: ProvidedDetailsParams | None = None
    related_customer: str | None = None
    related_customer_account: str | None = None
    related_person: RelatedPersonParams | None = None
    return_url: str | None = None
    type: SessionType | None = None
    verification_flow: str | None = None


@attrs.frozen(kw_only=True)
class VerificationSessionListParams:
    """Params of ``GET /v1/identity/verification_sessions`` (``limit`` is 1-100, default 10)."""

    client_reference_id: str | None = None
    created: int | CreatedFilter | None = None
    ending_before: str | None = None
    expand: Sequence[str] | None = None
    limit: int | None = None
    related_customer: str | None = None
    related_customer_account: str | None = None
    starting_after: str | None = None
    status: SessionStatus | None = None


@attrs.frozen(kw_only=True)
class VerificationSessionRetrieveParams:
    expand: Sequence[str] | None = None


@attrs.frozen(kw_only=True)
class VerificationSessionUpdateParams:
    """Params of ``POST /v1/identity/verification_sessions/{session}`` (only in ``requires_input``)."""

    Options = OptionsParams
    DocumentOptions = DocumentOptionsParams
    ProvidedDetails = ProvidedDetailsParams

    expand: Sequence[str] | None = None
    metadata: MetadataParam | None = None
    options: OptionsParams | None = None
    provided_details: ProvidedDetailsParams | None = None
    type: SessionType | None = None


@attrs.frozen(kw_only=True)
class VerificationSessionCancelParams:
    expand: Sequence[str] | None = None


@attrs.frozen(kw_only=True)
class VerificationSessionRedactParams:
    expand: Sequence[str] | None = None


@attrs.frozen(kw_only=True)
class VerificationReportListParams:
    """Params of ``GET /v1/identity/verification_reports``."""

    client_reference_id: str | None = None
    created: int | CreatedFilter | None = None
    ending_before: str | None = None
    expand: Sequence[str] | None = None
    limit: int | None = None
    starting_after: str | None = None
    type: SessionType | None = None
    verification_session: str | None = None


@attrs.frozen(kw_only=True)
class VerificationReportRetrieveParams:
    expand: Sequence[str] | None = None
