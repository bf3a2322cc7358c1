"""stripe_identity: an async-first SDK for Stripe Identity VerificationSessions.

    async with AsyncStripeIdentity(api_key="sk_test_...") as client:
        session = await client.verification_sessions.create({"type": "document"})

:class:`AsyncStripeIdentity` is the client, :class:`StripeIdentity` its sync facade; the models,
params, errors and pipeline types are all importable from here. The emulator lives in
:mod:`stripe_identity.emulator`, the pytest fixtures in :mod:`stripe_identity.testing`.

Constants and type aliases:

* ``DEFAULT_API_BASE``: ``"https://api.stripe.com"``, where the API lives unless ``api_base`` or
  ``$STRIPE_API_BASE`` says otherwise.
* ``DEFAULT_FILES_BASE``: ``"https://files.stripe.com"``, where Stripe serves file contents.
* ``DEFAULT_MAX_DOWNLOAD_BYTES``: 64 MiB, the largest file ``files.download`` accepts by default.
* ``DEFAULT_STRIPE_VERSION``: the ``Stripe-Version`` this SDK is built from and sends by default.
* ``Handler``: ``Callable[[Request], Awaitable[Response]]``, the ``call_next`` a middleware gets.
* ``__version__``: this package's version.

Each public name is written once, below, as an import that type checkers read and that does not run:
names are loaded on first use (PEP 562, see ``_exports``), so ``import stripe_identity`` itself costs
next to nothing, and the pytest plugin and scripts that only need a corner of the package do not pay
for all of it (the sync facade, the webhooks module, the decoders).
"""

from __future__ import annotations

import typing as _typing

if _typing.TYPE_CHECKING:
    from . import webhooks as webhooks
    from ._client import (
        AsyncStripeIdentity as AsyncStripeIdentity,
    )
    from ._defaults import (
        DEFAULT_API_BASE as DEFAULT_API_BASE,
    )
    from ._defaults import (
        DEFAULT_FILES_BASE as DEFAULT_FILES_BASE,
    )
    from ._defaults import (
        DEFAULT_MAX_DOWNLOAD_BYTES as DEFAULT_MAX_DOWNLOAD_BYTES,
    )
    from ._defaults import (
        DEFAULT_STRIPE_VERSION as DEFAULT_STRIPE_VERSION,
    )
    from ._errors import (
        APIConnectionError as APIConnectionError,
    )
    from ._errors import (
        APIError as APIError,
    )
    from ._errors import (
        APITimeoutError as APITimeoutError,
    )
    from ._errors import (
        AuthenticationError as AuthenticationError,
    )
    from ._errors import (
        EventLoopError as EventLoopError,
    )
    from ._errors import (
        IdempotencyError as IdempotencyError,
    )
    from ._errors import (
        InvalidRequestError as InvalidRequestError,
    )
    from ._errors import (
        PermissionDeniedError as PermissionDeniedError,
    )
    from ._errors import (
        RateLimitError as RateLimitError,
    )
    from ._errors import (
        SignatureVerificationError as SignatureVerificationError,
    )
    from ._errors import (
        StripeError as StripeError,
    )
    from ._errors import (
        WebhookPayloadError as WebhookPayloadError,
    )
    from ._headers import (
        AppInfo as AppInfo,
    )
    from ._limiter import (
        AdaptiveLimiter as AdaptiveLimiter,
    )
    from ._limiter import (
        AdaptiveRateLimiter as AdaptiveRateLimiter,
    )
    from ._limiter import (
        Limiter as Limiter,
    )
    from ._limiter import (
        RateLimiter as RateLimiter,
    )
    from ._middleware import (
        Handler as Handler,
    )
    from ._middleware import (
        Middleware as Middleware,
    )
    from ._models import (
        Address as Address,
    )
    from ._models import (
        CalendarDate as CalendarDate,
    )
    from ._models import (
        DocumentOptions as DocumentOptions,
    )
    from ._models import (
        DocumentReport as DocumentReport,
    )
    from ._models import (
        DocumentReportError as DocumentReportError,
    )
    from ._models import (
        EmailOptions as EmailOptions,
    )
    from ._models import (
        EmailReport as EmailReport,
    )
    from ._models import (
        EmailReportError as EmailReportError,
    )
    from ._models import (
        EphemeralKey as EphemeralKey,
    )
    from ._models import (
        ErrorObject as ErrorObject,
    )
    from ._models import (
        Event as Event,
    )
    from ._models import (
        EventData as EventData,
    )
    from ._models import (
        EventRequest as EventRequest,
    )
    from ._models import (
        File as File,
    )
    from ._models import (
        FileLink as FileLink,
    )
    from ._models import (
        IdNumberOptions as IdNumberOptions,
    )
    from ._models import (
        IdNumberReport as IdNumberReport,
    )
    from ._models import (
        IdNumberReportError as IdNumberReportError,
    )
    from ._models import (
        ListObject as ListObject,
    )
    from ._models import (
        MatchingOptions as MatchingOptions,
    )
    from ._models import (
        PhoneOptions as PhoneOptions,
    )
    from ._models import (
        PhoneReport as PhoneReport,
    )
    from ._models import (
        PhoneReportError as PhoneReportError,
    )
    from ._models import (
        ProvidedDetails as ProvidedDetails,
    )
    from ._models import (
        RawObject as RawObject,
    )
    from ._models import (
        Redaction as Redaction,
    )
    from ._models import (
        RelatedPerson as RelatedPerson,
    )
    from ._models import (
        SelfieReport as SelfieReport,
    )
    from ._models import (
        SelfieReportError as SelfieReportError,
    )
    from ._models import (
        StripeObject as StripeObject,
    )
    from ._models import (
        VerificationReport as VerificationReport,
    )
    from ._models import (
        VerificationReportOptions as VerificationReportOptions,
    )
    from ._models import (
        VerificationSession as VerificationSession,
    )
    from ._models import (
        VerificationSessionLastError as VerificationSessionLastError,
    )
    from ._models import (
        VerificationSessionOptions as VerificationSessionOptions,
    )
    from ._models import (
        VerifiedOutputs as VerifiedOutputs,
    )
    from ._options import (
        RequestOptions as RequestOptions,
    )
    from ._params import (
        CreatedFilter as CreatedFilter,
    )
    from ._params import (
        CreatedFilterDict as CreatedFilterDict,
    )
    from ._params import (
        DocumentOptionsParams as DocumentOptionsParams,
    )
    from ._params import (
        DocumentOptionsParamsDict as DocumentOptionsParamsDict,
    )
    from ._params import (
        EphemeralKeyCreateParams as EphemeralKeyCreateParams,
    )
    from ._params import (
        EphemeralKeyCreateParamsDict as EphemeralKeyCreateParamsDict,
    )
    from ._params import (
        EphemeralKeyDeleteParams as EphemeralKeyDeleteParams,
    )
    from ._params import (
        EphemeralKeyDeleteParamsDict as EphemeralKeyDeleteParamsDict,
    )
    from ._params import (
        EventListParams as EventListParams,
    )
    from ._params import (
        EventListParamsDict as EventListParamsDict,
    )
    from ._params import (
        EventRetrieveParams as EventRetrieveParams,
    )
    from ._params import (
        EventRetrieveParamsDict as EventRetrieveParamsDict,
    )
    from ._params import (
        FileLinkCreateParams as FileLinkCreateParams,
    )
    from ._params import (
        FileLinkCreateParamsDict as FileLinkCreateParamsDict,
    )
    from ._params import (
        FileLinkListParams as FileLinkListParams,
    )
    from ._params import (
        FileLinkListParamsDict as FileLinkListParamsDict,
    )
    from ._params import (
        FileLinkRetrieveParams as FileLinkRetrieveParams,
    )
    from ._params import (
        FileLinkRetrieveParamsDict as FileLinkRetrieveParamsDict,
    )
    from ._params import (
        FileLinkUpdateParams as FileLinkUpdateParams,
    )
    from ._params import (
        FileLinkUpdateParamsDict as FileLinkUpdateParamsDict,
    )
    from ._params import (
        FileListParams as FileListParams,
    )
    from ._params import (
        FileListParamsDict as FileListParamsDict,
    )
    from ._params import (
        FileRetrieveParams as FileRetrieveParams,
    )
    from ._params import (
        FileRetrieveParamsDict as FileRetrieveParamsDict,
    )
    from ._params import (
        OptionsParams as OptionsParams,
    )
    from ._params import (
        OptionsParamsDict as OptionsParamsDict,
    )
    from ._params import (
        ProvidedDetailsParams as ProvidedDetailsParams,
    )
    from ._params import (
        ProvidedDetailsParamsDict as ProvidedDetailsParamsDict,
    )
    from ._params import (
        RelatedPersonParams as RelatedPersonParams,
    )
    from ._params import (
        RelatedPersonParamsDict as RelatedPersonParamsDict,
    )
    from ._params import (
        VerificationReportListParams as VerificationReportListParams,
    )
    from ._params import (
        VerificationReportListParamsDict as VerificationReportListParamsDict,
    )
    from ._params import (
        VerificationReportRetrieveParams as VerificationReportRetrieveParams,
    )
    from ._params import (
        VerificationReportRetrieveParamsDict as VerificationReportRetrieveParamsDict,
    )
    from ._params import (
        VerificationSessionCancelParams as VerificationSessionCancelParams,
    )
    from ._params import (
        VerificationSessionCancelParamsDict as VerificationSessionCancelParamsDict,
    )
    from ._params import (
        VerificationSessionCreateParams as VerificationSessionCreateParams,
    )
    from ._params import (
        VerificationSessionCreateParamsDict as VerificationSessionCreateParamsDict,
    )
    from ._params import (
        VerificationSessionListParams as VerificationSessionListParams,
    )
    from ._params import (
        VerificationSessionListParamsDict as VerificationSessionListParamsDict,
    )
    from ._params import (
        VerificationSessionRedactParams as VerificationSessionRedactParams,
    )
    from ._params import (
        VerificationSessionRedactParamsDict as VerificationSessionRedactParamsDict,
    )
    from ._params import (
        VerificationSessionRetrieveParams as VerificationSessionRetrieveParams,
    )
    from ._params import (
        VerificationSessionRetrieveParamsDict as VerificationSessionRetrieveParamsDict,
    )
    from ._params import (
        VerificationSessionUpdateParams as VerificationSessionUpdateParams,
    )
    from ._params import (
        VerificationSessionUpdateParamsDict as VerificationSessionUpdateParamsDict,
    )
    from ._resources import (
        AsyncEphemeralKeyService as AsyncEphemeralKeyService,
    )
    from ._resources import (
        AsyncEventService as AsyncEventService,
    )
    from ._resources import (
        AsyncFileLinkService as AsyncFileLinkService,
    )
    from ._resources import (
        AsyncFileService as AsyncFileService,
    )
    from ._resources import (
        AsyncVerificationReportService as AsyncVerificationReportService,
    )
    from ._resources import (
        AsyncVerificationSessionService as AsyncVerificationSessionService,
    )
    from ._response import (
        Request as Request,
    )
    from ._response import (
        Response as Response,
    )
    from ._response import (
        ResponseMeta as ResponseMeta,
    )
    from ._retry import (
        RetryPolicy as RetryPolicy,
    )
    from ._sync import (
        EphemeralKeyService as EphemeralKeyService,
    )
    from ._sync import (
        EventService as EventService,
    )
    from ._sync import (
        FileLinkService as FileLinkService,
    )
    from ._sync import (
        FileService as FileService,
    )
    from ._sync import (
        StripeIdentity as StripeIdentity,
    )
    from ._sync import (
        SyncListObject as SyncListObject,
    )
    from ._sync import (
        VerificationReportService as VerificationReportService,
    )
    from ._sync import (
        VerificationSessionService as VerificationSessionService,
    )
    from ._version import (
        __version__ as __version__,
    )


def __getattr__(name: str) -> _typing.Any:
    from ._exports import load

    return load(globals(), name)


def __dir__() -> list[str]:
    from ._exports import origins

    return sorted(set(globals()) | set(origins()))
