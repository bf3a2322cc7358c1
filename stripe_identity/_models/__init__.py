"""Typed models of the objects the API returns, one module per resource (named as in ``_resources``).

``_common`` holds what sessions and reports share; ``files`` holds files and their links, which
refer to each other.

Every class mirrors one schema of Stripe's spec field for field. They are frozen attrs classes built by
the decoders of ``_decoding``; nothing here parses JSON.
"""

from __future__ import annotations

from ._base import APIResource, ErrorObject, StripeObject
from ._common import Address, CalendarDate, DocumentOptions, IdNumberOptions
from ._list import HasId, ListObject
from ._raw import RawObject
from .ephemeral_keys import EphemeralKey
from .events import Event, EventData, EventRequest
from .files import File, FileLink
from .thin_events import (
    EventNotification,
    EventReason,
    EventReasonRequest,
    RelatedObject,
    ThinEvent,
    ThinEventList,
)
from .verification_reports import (
    DocumentReport,
    DocumentReportError,
    EmailReport,
    EmailReportError,
    IdNumberReport,
    IdNumberReportError,
    PhoneReport,
    PhoneReportError,
    SelfieReport,
    SelfieReportError,
    VerificationReport,
    VerificationReportOptions,
)
from .verification_sessions import (
    EmailOptions,
    MatchingOptions,
    PhoneOptions,
    ProvidedDetails,
    Redaction,
    RelatedPerson,
    VerificationSession,
    VerificationSessionLastError,
    VerificationSessionOptions,
    VerifiedOutputs,
)

__all__ = [
    "APIResource",
    "Address",
    "CalendarDate",
    "DocumentOptions",
    "DocumentReport",
    "DocumentReportError",
    "EmailOptions",
    "EmailReport",
    "EmailReportError",
    "EphemeralKey",
    "ErrorObject",
    "Event",
    "EventData",
    "EventNotification",
    "EventReason",
    "EventReasonRequest",
    "EventRequest",
    "File",
    "FileLink",
    "HasId",
    "IdNumberOptions",
    "IdNumberReport",
    "IdNumberReportError",
    "ListObject",
    "MatchingOptions",
    "PhoneOptions",
    "PhoneReport",
    "PhoneReportError",
    "ProvidedDetails",
    "RawObject",
    "Redaction",
    "RelatedObject",
    "RelatedPerson",
    "SelfieReport",
    "SelfieReportError",
    "StripeObject",
    "ThinEvent",
    "ThinEventList",
    "VerificationReport",
    "VerificationReportOptions",
    "VerificationSession",
    "VerificationSessionLastError",
    "VerificationSessionOptions",
    "VerifiedOutputs",
]
