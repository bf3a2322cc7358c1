"""Typed request parameters, one class per operation, as the spec defines them.

Each operation also takes a plain dict, typed for mypy and pyright by the ``TypedDict`` named after
the class plus ``Dict`` (``VerificationSessionCreateParamsDict``, nested ones too); at run time any
mapping goes. Both encode to the same bytes (see ``_encoding``). Fields left at ``None`` are not sent.
``""`` means "unset" where Stripe allows it (``metadata``, ``options[document]``). Values are not
checked at run time: the API is the authority on what it accepts, and its errors name the offending
``param``.
"""

from __future__ import annotations

from ._common import CreatedFilter, CreatedFilterDict, MetadataParam, Timestamp
from ._companion import (
    EphemeralKeyCreateParams,
    EphemeralKeyDeleteParams,
    EventListParams,
    EventRetrieveParams,
    FileLinkCreateParams,
    FileLinkListParams,
    FileLinkRetrieveParams,
    FileLinkUpdateParams,
    FileListParams,
    FileRetrieveParams,
)
from ._companion_dicts import (
    EphemeralKeyCreateParamsDict,
    EphemeralKeyDeleteParamsDict,
    EventListParamsDict,
    EventRetrieveParamsDict,
    FileLinkCreateParamsDict,
    FileLinkListParamsDict,
    FileLinkRetrieveParamsDict,
    FileLinkUpdateParamsDict,
    FileListParamsDict,
    FileRetrieveParamsDict,
)
from ._verification import (
    DocumentOptionsParams,
    OptionsParams,
    ProvidedDetailsParams,
    RelatedPersonParams,
    VerificationReportListParams,
    VerificationReportRetrieveParams,
    VerificationSessionCancelParams,
    VerificationSessionCreateParams,
    VerificationSessionListParams,
    VerificationSessionRedactParams,
    VerificationSessionRetrieveParams,
    VerificationSessionUpdateParams,
)
from ._verification_dicts import (
    DocumentOptionsParamsDict,
    OptionsParamsDict,
    ProvidedDetailsParamsDict,
    RelatedPersonParamsDict,
    VerificationReportListParamsDict,
    VerificationReportRetrieveParamsDict,
    VerificationSessionCancelParamsDict,
    VerificationSessionCreateParamsDict,
    VerificationSessionListParamsDict,
    VerificationSessionRedactParamsDict,
    VerificationSessionRetrieveParamsDict,
    VerificationSessionUpdateParamsDict,
)

__all__ = [
    "CreatedFilter",
    "CreatedFilterDict",
    "DocumentOptionsParams",
    "DocumentOptionsParamsDict",
    "EphemeralKeyCreateParams",
    "EphemeralKeyCreateParamsDict",
    "EphemeralKeyDeleteParams",
    "EphemeralKeyDeleteParamsDict",
    "EventListParams",
    "EventListParamsDict",
    "EventRetrieveParams",
    "EventRetrieveParamsDict",
    "FileLinkCreateParams",
    "FileLinkCreateParamsDict",
    "FileLinkListParams",
    "FileLinkListParamsDict",
    "FileLinkRetrieveParams",
    "FileLinkRetrieveParamsDict",
    "FileLinkUpdateParams",
    "FileLinkUpdateParamsDict",
    "FileListParams",
    "FileListParamsDict",
    "FileRetrieveParams",
    "FileRetrieveParamsDict",
    "MetadataParam",
    "OptionsParams",
    "OptionsParamsDict",
    "ProvidedDetailsParams",
    "ProvidedDetailsParamsDict",
    "RelatedPersonParams",
    "RelatedPersonParamsDict",
    "Timestamp",
    "VerificationReportListParams",
    "VerificationReportListParamsDict",
    "VerificationReportRetrieveParams",
    "VerificationReportRetrieveParamsDict",
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
