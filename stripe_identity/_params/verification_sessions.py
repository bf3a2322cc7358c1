"""Params of the six VerificationSession operations, as attrs classes and as ``TypedDict``s."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, TypedDict

import attrs

from .._models._common import DocumentTypeName, VerificationSessionStatusName
from ._common import CreatedFilter, CreatedFilterDict, ExpandableDict, MetadataParam, Timestamp

__all__ = [
    "DocumentOptionsParams",
    "DocumentOptionsParamsDict",
    "OptionsParams",
    "OptionsParamsDict",
    "ProvidedDetailsParams",
    "ProvidedDetailsParamsDict",
    "RelatedPersonParams",
    "RelatedPersonParamsDict",
    "VerificationSessionCancelParams",
    "VerificationSessionCancelParamsDict",
    "VerificationSessionCreateParams",
    "VerificationSessionCreateParamsDict",
    "VerificationSessionListParams",
    "VerificationSessionListParamsDict",
    "VerificationSessionRedactParams",
    "VerificationSessionRedactParamsDict",
    "VerificationSessionRetrieveParams",
    "VerificationSessionRetrieveParamsDict",
    "VerificationSessionUpdateParams",
    "VerificationSessionUpdateParamsDict",
]


#: The checks a session can be created for. The TypedDicts take only documented values (a typo is a
#: type error); the attrs classes also let through a name the spec does not know yet. Other enums are
#: the models' own, without their open ``| str``.
SessionTypeName = Literal["document", "id_number"]
SessionType = SessionTypeName | str


@attrs.frozen(kw_only=True)
class DocumentOptionsParams:
    """``options[document]``: which documents to accept, and what else to require."""

    allowed_types: Sequence[DocumentTypeName] | None = None
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
    status: VerificationSessionStatusName | None = None


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


class DocumentOptionsParamsDict(TypedDict, total=False):
    """``options["document"]`` as a dict: the accepted documents, and what else to require."""

    allowed_types: list[DocumentTypeName] | tuple[DocumentTypeName, ...]
    require_id_number: bool
    require_live_capture: bool
    require_matching_selfie: bool


class OptionsParamsDict(TypedDict, total=False):
    """``options`` as a dict; ``{"document": ""}`` unsets the document options."""

    document: DocumentOptionsParamsDict | Literal[""]


class ProvidedDetailsParamsDict(TypedDict, total=False):
    """``provided_details`` as a dict: ``{"email": ..., "phone": ...}``."""

    email: str
    phone: str


class RelatedPersonParamsDict(TypedDict):
    """``related_person`` as a dict: both keys are required."""

    account: str
    person: str


class VerificationSessionCreateParamsDict(ExpandableDict, total=False):
    """``VerificationSessionCreateParams`` as a dict: give ``type`` or ``verification_flow``."""

    client_reference_id: str
    metadata: MetadataParam
    options: OptionsParamsDict
    provided_details: ProvidedDetailsParamsDict
    related_customer: str
    related_customer_account: str
    related_person: RelatedPersonParamsDict
    return_url: str
    type: SessionTypeName
    verification_flow: str


class VerificationSessionListParamsDict(ExpandableDict, total=False):
    """``VerificationSessionListParams`` as a dict (``limit`` is 1-100)."""

    client_reference_id: str
    created: Timestamp | CreatedFilterDict
    ending_before: str
    limit: int
    related_customer: str
    related_customer_account: str
    starting_after: str
    status: VerificationSessionStatusName


class VerificationSessionRetrieveParamsDict(ExpandableDict, total=False):
    """``VerificationSessionRetrieveParams`` as a dict: ``{"expand": ["verified_outputs"]}``."""


class VerificationSessionUpdateParamsDict(ExpandableDict, total=False):
    """``VerificationSessionUpdateParams`` as a dict."""

    metadata: MetadataParam
    options: OptionsParamsDict
    provided_details: ProvidedDetailsParamsDict
    type: SessionTypeName


class VerificationSessionCancelParamsDict(ExpandableDict, total=False):
    """``VerificationSessionCancelParams`` as a dict."""


class VerificationSessionRedactParamsDict(ExpandableDict, total=False):
    """``VerificationSessionRedactParams`` as a dict."""
