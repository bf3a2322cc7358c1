"""Typed request parameters, one class per operation, as the spec defines them.

Each operation also takes a plain mapping; both encode to the same bytes (see ``_encoding``). Fields
left at ``None`` are not sent. ``""`` means "unset" where Stripe allows it (``metadata``,
``options[document]``). Values are not checked here: the API is the authority on what it accepts, and
its errors name the offending ``param``.
"""

from __future__ import annotations

from ._common import CreatedFilter, MetadataParam, Timestamp
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

__all__ = [
    "CreatedFilter",
    "DocumentOptionsParams",
    "EphemeralKeyCreateParams",
    "EphemeralKeyDeleteParams",
    "EventListParams",
    "EventRetrieveParams",
    "FileLinkCreateParams",
    "FileLinkListParams",
    "FileLinkRetrieveParams",
    "FileLinkUpdateParams",
    "FileListParams",
    "FileRetrieveParams",
    "MetadataParam",
    "OptionsParams",
    "ProvidedDetailsParams",
    "RelatedPersonParams",
    "Timestamp",
    "VerificationReportListParams",
    "VerificationReportRetrieveParams",
    "VerificationSessionCancelParams",
    "VerificationSessionCreateParams",
    "VerificationSessionListParams",
    "VerificationSessionRedactParams",
    "VerificationSessionRetrieveParams",
    "VerificationSessionUpdateParams",
]
