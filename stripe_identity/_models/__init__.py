"""Typed models of the objects the API returns, one module per resource (named as in ``_resources``).

``_common`` holds what sessions and reports share; ``files`` holds files and their links, which
refer to each other.

Every class mirrors one schema of Stripe's spec field for field. They are frozen attrs classes built by
the decoders of ``_decoding``; nothing here parses JSON.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._base import (
        APIResource as APIResource,
        ErrorObject as ErrorObject,
        StripeObject as StripeObject,
    )
    from ._common import (
        Address as Address,
        CalendarDate as CalendarDate,
        DocumentOptions as DocumentOptions,
        IdNumberOptions as IdNumberOptions,
    )
    from ._list import (
        HasId as HasId,
        ListObject as ListObject,
    )
    from ._raw import (
        RawObject as RawObject,
    )
    from .ephemeral_keys import (
        EphemeralKey as EphemeralKey,
    )
    from .events import (
        Event as Event,
        EventData as EventData,
        EventRequest as EventRequest,
    )
    from .files import (
        File as File,
        FileLink as FileLink,
    )
    from .thin_events import (
        EventNotification as EventNotification,
        EventReason as EventReason,
        EventReasonRequest as EventReasonRequest,
        RelatedObject as RelatedObject,
        ThinEvent as ThinEvent,
        ThinEventList as ThinEventList,
    )
    from .verification_reports import (
        DocumentReport as DocumentReport,
        DocumentReportError as DocumentReportError,
        EmailReport as EmailReport,
        EmailReportError as EmailReportError,
        IdNumberReport as IdNumberReport,
        IdNumberReportError as IdNumberReportError,
        PhoneReport as PhoneReport,
        PhoneReportError as PhoneReportError,
        SelfieReport as SelfieReport,
        SelfieReportError as SelfieReportError,
        VerificationReport as VerificationReport,
        VerificationReportOptions as VerificationReportOptions,
    )
    from .verification_sessions import (
        EmailOptions as EmailOptions,
        MatchingOptions as MatchingOptions,
        PhoneOptions as PhoneOptions,
        ProvidedDetails as ProvidedDetails,
        Redaction as Redaction,
        RelatedPerson as RelatedPerson,
        VerificationSession as VerificationSession,
        VerificationSessionLastError as VerificationSessionLastError,
        VerificationSessionOptions as VerificationSessionOptions,
        VerifiedOutputs as VerifiedOutputs,
    )
else:
    from .._exports import listing, load

    def __getattr__(name: str) -> Any:
        return load(globals(), name)

    def __dir__() -> list[str]:
        return listing(globals())
