"""Params of the VerificationSession and VerificationReport operations, as the spec defines them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import attrs

from ._common import CreatedFilter, MetadataParam, Timestamp

__all__ = [
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

#: The checks the spec lists; the params classes also let through a name it does not know yet.
SessionTypeName = Literal["document", "id_number"]
SessionType = SessionTypeName | str
SessionStatus = Literal["canceled", "processing", "requires_input", "verified"]
DocumentTypeParam = Literal["driving_license", "id_card", "passport"]


@attrs.frozen(kw_only=True)
class DocumentOptionsParams:
    """``options[document]``: which documents to accept, and what else to require."""

    allowed_types: Sequence[DocumentTypeParam] | None = None
    require_id_number: bool | None = None
    require_live_capture: bool | None = None
    require_matching_selfie: bool | None = None


@attrs.frozen(kw_only=True)
class OptionsParams:
    """``options``: the options of the session's checks (only ``document`` can be set)."""

    document: DocumentOptionsParams | Literal[""] | None = None


@attrs.frozen(kw_only=True)
class ProvidedDetailsParams:
    """``provided_details``: an email and phone to prefill and check."""

    email: str | None = None
    phone: str | None = None


@attrs.frozen(kw_only=True)
class RelatedPersonParams:
    """``related_person``: the Connect person being verified."""

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
    created: Timestamp | CreatedFilter | None = None
    ending_before: str | None = None
    expand: Sequence[str] | None = None
    limit: int | None = None
    related_customer: str | None = None
    related_customer_account: str | None = None
    starting_after: str | None = None
    status: SessionStatus | None = None


@attrs.frozen(kw_only=True)
class VerificationSessionRetrieveParams:
    """Params of ``GET /v1/identity/verification_sessions/{session}``."""

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
    """Params of ``POST /v1/identity/verification_sessions/{session}/cancel``."""

    expand: Sequence[str] | None = None


@attrs.frozen(kw_only=True)
class VerificationSessionRedactParams:
    """Params of ``POST /v1/identity/verification_sessions/{session}/redact``."""

    expand: Sequence[str] | None = None


@attrs.frozen(kw_only=True)
class VerificationReportListParams:
    """Params of ``GET /v1/identity/verification_reports``."""

    client_reference_id: str | None = None
    created: Timestamp | CreatedFilter | None = None
    ending_before: str | None = None
    expand: Sequence[str] | None = None
    limit: int | None = None
    starting_after: str | None = None
    type: SessionType | None = None
    verification_session: str | None = None


@attrs.frozen(kw_only=True)
class VerificationReportRetrieveParams:
    """Params of ``GET /v1/identity/verification_reports/{report}``."""

    expand: Sequence[str] | None = None
