"""The VerificationSession and VerificationReport params as ``TypedDict``s, for plain-dict callers.

Each ``<Name>ParamsDict`` has the keys of the attrs class ``<Name>Params`` and encodes to the same
bytes. They exist for type checkers: an unknown key (``"typ"``) or a value outside an enum
(``"documnet"``) is an error there, where ``Mapping[str, Any]`` let both through. Enums are closed
here, unlike in the response models: a params value the spec does not list is a typo until Stripe
documents it. At run time they are plain dicts and the services still take any mapping.
"""

from __future__ import annotations

from typing import Literal, TypedDict

from .._models import VerificationSession
from ._common import CreatedFilterDict, ExpandableDict, MetadataParam, Timestamp
from ._verification import DocumentTypeParam, SessionStatus, SessionTypeName

__all__ = [
    "DocumentOptionsParamsDict",
    "OptionsParamsDict",
    "ProvidedDetailsParamsDict",
    "RelatedPersonParamsDict",
    "VerificationReportListParamsDict",
    "VerificationReportRetrieveParamsDict",
    "VerificationSessionCancelParamsDict",
    "VerificationSessionCreateParamsDict",
    "VerificationSessionListParamsDict",
    "VerificationSessionRedactParamsDict",
    "VerificationSessionRetrieveParamsDict",
    "VerificationSessionUpdateParamsDict",
]


class DocumentOptionsParamsDict(TypedDict, total=False):
    """``options["document"]`` as a dict: the accepted documents, and what else to require."""

    allowed_types: list[DocumentTypeParam] | tuple[DocumentTypeParam, ...]
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
    status: SessionStatus


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


class VerificationReportListParamsDict(ExpandableDict, total=False):
    """``VerificationReportListParams`` as a dict (a session model stands for its id)."""

    client_reference_id: str
    created: Timestamp | CreatedFilterDict
    ending_before: str
    limit: int
    starting_after: str
    type: SessionTypeName
    verification_session: str | VerificationSession


class VerificationReportRetrieveParamsDict(ExpandableDict, total=False):
    """``VerificationReportRetrieveParams`` as a dict."""
