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
* ``ExportFormat``: ``Literal["jsonl", "csv"]``, the formats ``jobs.export_sessions`` writes.
* ``Handler``: ``Callable[[Request], Awaitable[Response]]``, the ``call_next`` a middleware gets.
* ``ProgressCallback``: ``Callable[[JobProgress], None]``, a bulk job's ``on_progress``.
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
    from ._adaptive import AdaptiveRateLimiter as AdaptiveRateLimiter
    from ._client import (
        AsyncStripeIdentity as AsyncStripeIdentity,
    )
    from ._defaults import (
        DEFAULT_API_BASE as DEFAULT_API_BASE,
        DEFAULT_FILES_BASE as DEFAULT_FILES_BASE,
        DEFAULT_MAX_DOWNLOAD_BYTES as DEFAULT_MAX_DOWNLOAD_BYTES,
        DEFAULT_STRIPE_VERSION as DEFAULT_STRIPE_VERSION,
    )
    from ._errors import (
        APIConnectionError as APIConnectionError,
        APIError as APIError,
        APITimeoutError as APITimeoutError,
        AuthenticationError as AuthenticationError,
        EventLoopError as EventLoopError,
        IdempotencyError as IdempotencyError,
        InvalidRequestError as InvalidRequestError,
        LeaseLostError as LeaseLostError,
        PermissionDeniedError as PermissionDeniedError,
        RateLimitError as RateLimitError,
        SharedStoreError as SharedStoreError,
        SignatureVerificationError as SignatureVerificationError,
        StripeError as StripeError,
        WebhookPayloadError as WebhookPayloadError,
    )
    from ._headers import (
        AppInfo as AppInfo,
    )
    from ._jobs import (
        CheckpointError as CheckpointError,
        ExportFormat as ExportFormat,
        ExportSummary as ExportSummary,
        ItemFailure as ItemFailure,
        ItemOutcome as ItemOutcome,
        JobProgress as JobProgress,
        JobStoppedError as JobStoppedError,
        ProgressCallback as ProgressCallback,
        RedactionSummary as RedactionSummary,
    )
    from ._ledger import (
        Claim as Claim,
        EventLedger as EventLedger,
        MemoryEventLedger as MemoryEventLedger,
    )
    from ._limiter import (
        AdaptiveLimiter as AdaptiveLimiter,
        Limiter as Limiter,
        RateLimiter as RateLimiter,
    )
    from ._middleware import (
        Handler as Handler,
        Middleware as Middleware,
    )
    from ._models import (
        Address as Address,
        CalendarDate as CalendarDate,
        DocumentOptions as DocumentOptions,
        DocumentReport as DocumentReport,
        DocumentReportError as DocumentReportError,
        EmailOptions as EmailOptions,
        EmailReport as EmailReport,
        EmailReportError as EmailReportError,
        EphemeralKey as EphemeralKey,
        ErrorObject as ErrorObject,
        Event as Event,
        EventData as EventData,
        EventNotification as EventNotification,
        EventReason as EventReason,
        EventReasonRequest as EventReasonRequest,
        EventRequest as EventRequest,
        File as File,
        FileLink as FileLink,
        IdNumberOptions as IdNumberOptions,
        IdNumberReport as IdNumberReport,
        IdNumberReportError as IdNumberReportError,
        ListObject as ListObject,
        MatchingOptions as MatchingOptions,
        PhoneOptions as PhoneOptions,
        PhoneReport as PhoneReport,
        PhoneReportError as PhoneReportError,
        ProvidedDetails as ProvidedDetails,
        RawObject as RawObject,
        Redaction as Redaction,
        RelatedObject as RelatedObject,
        RelatedPerson as RelatedPerson,
        SelfieReport as SelfieReport,
        SelfieReportError as SelfieReportError,
        StripeObject as StripeObject,
        ThinEvent as ThinEvent,
        ThinEventList as ThinEventList,
        VerificationReport as VerificationReport,
        VerificationReportOptions as VerificationReportOptions,
        VerificationSession as VerificationSession,
        VerificationSessionLastError as VerificationSessionLastError,
        VerificationSessionOptions as VerificationSessionOptions,
        VerifiedOutputs as VerifiedOutputs,
    )
    from ._options import (
        RequestOptions as RequestOptions,
    )
    from ._params import (
        CreatedFilter as CreatedFilter,
        CreatedFilterDict as CreatedFilterDict,
        DocumentOptionsParams as DocumentOptionsParams,
        DocumentOptionsParamsDict as DocumentOptionsParamsDict,
        EphemeralKeyCreateParams as EphemeralKeyCreateParams,
        EphemeralKeyCreateParamsDict as EphemeralKeyCreateParamsDict,
        EphemeralKeyDeleteParams as EphemeralKeyDeleteParams,
        EphemeralKeyDeleteParamsDict as EphemeralKeyDeleteParamsDict,
        EventListParams as EventListParams,
        EventListParamsDict as EventListParamsDict,
        EventRetrieveParams as EventRetrieveParams,
        EventRetrieveParamsDict as EventRetrieveParamsDict,
        FileLinkCreateParams as FileLinkCreateParams,
        FileLinkCreateParamsDict as FileLinkCreateParamsDict,
        FileLinkListParams as FileLinkListParams,
        FileLinkListParamsDict as FileLinkListParamsDict,
        FileLinkRetrieveParams as FileLinkRetrieveParams,
        FileLinkRetrieveParamsDict as FileLinkRetrieveParamsDict,
        FileLinkUpdateParams as FileLinkUpdateParams,
        FileLinkUpdateParamsDict as FileLinkUpdateParamsDict,
        FileListParams as FileListParams,
        FileListParamsDict as FileListParamsDict,
        FileRetrieveParams as FileRetrieveParams,
        FileRetrieveParamsDict as FileRetrieveParamsDict,
        OptionsParams as OptionsParams,
        OptionsParamsDict as OptionsParamsDict,
        ProvidedDetailsParams as ProvidedDetailsParams,
        ProvidedDetailsParamsDict as ProvidedDetailsParamsDict,
        RelatedPersonParams as RelatedPersonParams,
        RelatedPersonParamsDict as RelatedPersonParamsDict,
        ThinEventCreatedFilter as ThinEventCreatedFilter,
        ThinEventCreatedFilterDict as ThinEventCreatedFilterDict,
        ThinEventListParams as ThinEventListParams,
        ThinEventListParamsDict as ThinEventListParamsDict,
        VerificationReportListParams as VerificationReportListParams,
        VerificationReportListParamsDict as VerificationReportListParamsDict,
        VerificationReportRetrieveParams as VerificationReportRetrieveParams,
        VerificationReportRetrieveParamsDict as VerificationReportRetrieveParamsDict,
        VerificationSessionCancelParams as VerificationSessionCancelParams,
        VerificationSessionCancelParamsDict as VerificationSessionCancelParamsDict,
        VerificationSessionCreateParams as VerificationSessionCreateParams,
        VerificationSessionCreateParamsDict as VerificationSessionCreateParamsDict,
        VerificationSessionListParams as VerificationSessionListParams,
        VerificationSessionListParamsDict as VerificationSessionListParamsDict,
        VerificationSessionRedactParams as VerificationSessionRedactParams,
        VerificationSessionRedactParamsDict as VerificationSessionRedactParamsDict,
        VerificationSessionRetrieveParams as VerificationSessionRetrieveParams,
        VerificationSessionRetrieveParamsDict as VerificationSessionRetrieveParamsDict,
        VerificationSessionUpdateParams as VerificationSessionUpdateParams,
        VerificationSessionUpdateParamsDict as VerificationSessionUpdateParamsDict,
    )
    from ._resources import (
        AsyncEphemeralKeyService as AsyncEphemeralKeyService,
        AsyncEventService as AsyncEventService,
        AsyncFileLinkService as AsyncFileLinkService,
        AsyncFileService as AsyncFileService,
        AsyncJobService as AsyncJobService,
        AsyncThinEventService as AsyncThinEventService,
        AsyncVerificationReportService as AsyncVerificationReportService,
        AsyncVerificationSessionService as AsyncVerificationSessionService,
    )
    from ._response import (
        Request as Request,
        Response as Response,
        ResponseMeta as ResponseMeta,
    )
    from ._retry import (
        RetryPolicy as RetryPolicy,
    )
    from ._sync import (
        EphemeralKeyService as EphemeralKeyService,
        EventService as EventService,
        FileLinkService as FileLinkService,
        FileService as FileService,
        JobService as JobService,
        StripeIdentity as StripeIdentity,
        SyncListObject as SyncListObject,
        ThinEventService as ThinEventService,
        VerificationReportService as VerificationReportService,
        VerificationSessionService as VerificationSessionService,
    )
    from ._version import (
        __version__ as __version__,
    )


def __getattr__(name: str) -> _typing.Any:
    from ._exports import load

    return load(globals(), name)


def __dir__() -> list[str]:
    from ._exports import listing

    return listing(globals())
