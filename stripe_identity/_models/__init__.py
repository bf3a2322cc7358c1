"""Typed models of the objects the API returns, one module per resource.

Every class mirrors one schema of Stripe's spec field for field. They are frozen attrs classes built by
the decoders of ``_decoding``; nothing here parses JSON.
"""

from __future__ import annotations

from ._base import APIResource, ErrorObject, StripeObject
from ._ephemeral_keys import EphemeralKey
from ._events import Event, EventData, EventRequest
from ._files import File, FileLink
from ._list import HasId, ListObject
from ._raw import RawObject
from ._verification import (
    Address,
    CalendarDate,
    DocumentOptions,
    DocumentReport,
    DocumentReportError,
    EmailOptions,
    EmailReport,
    EmailReportError,
    IdNumberOptions,
    IdNumberReport,
    IdNumberReportError,
    MatchingOptions,
    PhoneOptions,
    PhoneReport,
    PhoneReportError,
    ProvidedDetails,
    Redaction,
    RelatedPerson,
    SelfieReport,
    SelfieReportError,
    VerificationReport,
    VerificationReportOptions,
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
