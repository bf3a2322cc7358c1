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
from .ephemeral_keys import (
    EphemeralKeyCreateParams,
    EphemeralKeyCreateParamsDict,
    EphemeralKeyDeleteParams,
    EphemeralKeyDeleteParamsDict,
)
from .events import (
    EventListParams,
    EventListParamsDict,
    EventRetrieveParams,
    EventRetrieveParamsDict,
)
from .file_links import (
    FileLinkCreateParams,
    FileLinkCreateParamsDict,
    FileLinkListParams,
    FileLinkListParamsDict,
    FileLinkRetrieveParams,
    FileLinkRetrieveParamsDict,
    FileLinkUpdateParams,
    FileLinkUpdateParamsDict,
)
from .files import (
    FileListParams,
    FileListParamsDict,
    FileRetrieveParams,
    FileRetrieveParamsDict,
)
from .thin_events import (
    ThinEventCreatedFilter,
    ThinEventCreatedFilterDict,
    ThinEventListParams,
    ThinEventListParamsDict,
)
from .verification_reports import (
    VerificationReportListParams,
    VerificationReportListParamsDict,
    VerificationReportRetrieveParams,
    VerificationReportRetrieveParamsDict,
)
from .verification_sessions import (
    DocumentOptionsParams,
    DocumentOptionsParamsDict,
    OptionsParams,
    OptionsParamsDict,
    ProvidedDetailsParams,
    ProvidedDetailsParamsDict,
    RelatedPersonParams,
    RelatedPersonParamsDict,
    VerificationSessionCancelParams,
    VerificationSessionCancelParamsDict,
    VerificationSessionCreateParams,
    VerificationSessionCreateParamsDict,
    VerificationSessionListParams,
    VerificationSessionListParamsDict,
    VerificationSessionRedactParams,
    VerificationSessionRedactParamsDict,
    VerificationSessionRetrieveParams,
    VerificationSessionRetrieveParamsDict,
    VerificationSessionUpdateParams,
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
    "ThinEventCreatedFilter",
    "ThinEventCreatedFilterDict",
    "ThinEventListParams",
    "ThinEventListParamsDict",
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
