"""stripe_identity: an async-first SDK for Stripe Identity VerificationSessions.

async with AsyncStripeIdentity(api_key="sk_test_...") as client:
    session = await client.verification_sessions.create({"type": "document"})
"""

from __future__ import annotations

from ._client import DEFAULT_API_BASE, AsyncStripeIdentity
from ._errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    IdempotencyError,
    InvalidRequestError,
    PermissionDeniedError,
    RateLimitError,
    SignatureVerificationError,
    StripeError,
)
from ._list import ListObject
from ._middleware import Handler, Middleware
from ._models import (
    Address,
    CalendarDate,
    DocumentOptions,
    DocumentReport,
    DocumentReportError,
    EmailOptions,
    EmailReport,
    EmailReportError,
    ErrorObject,
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
    StripeObject,
    VerificationReport,
    VerificationReportOptions,
    VerificationSession,
    VerificationSessionLastError,
    VerificationSessionOptions,
    VerifiedOutputs,
)
from ._options import RequestOptions
from ._params import (
    CreatedFilter,
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
from ._reports import AsyncVerificationReportService
from ._requestor import DEFAULT_STRIPE_VERSION
from ._response import Request, Response, ResponseMeta
from ._retry import RetryPolicy
from ._sessions import AsyncVerificationSessionService
from ._sync import ListObject as SyncListObject
from ._sync import StripeIdentity, VerificationReportService, VerificationSessionService
from ._version import __version__

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "Address",
    "AsyncStripeIdentity",
    "AsyncVerificationReportService",
    "AsyncVerificationSessionService",
    "AuthenticationError",
    "CalendarDate",
    "CreatedFilter",
    "DEFAULT_API_BASE",
    "DEFAULT_STRIPE_VERSION",
    "DocumentOptions",
    "DocumentOptionsParams",
    "DocumentReport",
    "DocumentReportError",
    "EmailOptions",
    "EmailReport",
    "EmailReportError",
    "ErrorObject",
    "Handler",
    "IdNumberOptions",
    "IdNumberReport",
    "IdNumberReportError",
    "IdempotencyError",
    "InvalidRequestError",
    "ListObject",
    "MatchingOptions",
    "Middleware",
    "OptionsParams",
    "PermissionDeniedError",
    "PhoneOptions",
    "PhoneReport",
    "PhoneReportError",
    "ProvidedDetails",
    "ProvidedDetailsParams",
    "RateLimitError",
    "Redaction",
    "RelatedPerson",
    "RelatedPersonParams",
    "Request",
    "RequestOptions",
    "Response",
    "ResponseMeta",
    "RetryPolicy",
    "SelfieReport",
    "SelfieReportError",
    "SignatureVerificationError",
    "StripeError",
    "StripeIdentity",
    "StripeObject",
    "SyncListObject",
    "VerificationReport",
    "VerificationReportListParams",
    "VerificationReportOptions",
    "VerificationReportRetrieveParams",
    "VerificationReportService",
    "VerificationSession",
    "VerificationSessionCancelParams",
    "VerificationSessionCreateParams",
    "VerificationSessionLastError",
    "VerificationSessionListParams",
    "VerificationSessionOptions",
    "VerificationSessionRedactParams",
    "VerificationSessionRetrieveParams",
    "VerificationSessionService",
    "VerificationSessionUpdateParams",
    "VerifiedOutputs",
    "__version__",
]
