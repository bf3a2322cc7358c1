"""Typed request parameters, one class per operation, as the spec defines them.

Each operation also takes a plain dict, typed for mypy and pyright by the ``TypedDict`` named after
the class plus ``Dict`` (``VerificationSessionCreateParamsDict``, nested ones too); at run time any
mapping goes. Both encode to the same bytes (see ``_encoding``). Fields left at ``None`` are not sent.
``""`` means "unset" where Stripe allows it (``metadata``, ``options[document]``). Values are not
checked at run time: the API is the authority on what it accepts, and its errors name the offending
``param``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._common import (
        CreatedFilter as CreatedFilter,
        CreatedFilterDict as CreatedFilterDict,
        MetadataParam as MetadataParam,
        Timestamp as Timestamp,
    )
    from .ephemeral_keys import (
        EphemeralKeyCreateParams as EphemeralKeyCreateParams,
        EphemeralKeyCreateParamsDict as EphemeralKeyCreateParamsDict,
        EphemeralKeyDeleteParams as EphemeralKeyDeleteParams,
        EphemeralKeyDeleteParamsDict as EphemeralKeyDeleteParamsDict,
    )
    from .events import (
        EventListParams as EventListParams,
        EventListParamsDict as EventListParamsDict,
        EventRetrieveParams as EventRetrieveParams,
        EventRetrieveParamsDict as EventRetrieveParamsDict,
    )
    from .file_links import (
        FileLinkCreateParams as FileLinkCreateParams,
        FileLinkCreateParamsDict as FileLinkCreateParamsDict,
        FileLinkListParams as FileLinkListParams,
        FileLinkListParamsDict as FileLinkListParamsDict,
        FileLinkRetrieveParams as FileLinkRetrieveParams,
        FileLinkRetrieveParamsDict as FileLinkRetrieveParamsDict,
        FileLinkUpdateParams as FileLinkUpdateParams,
        FileLinkUpdateParamsDict as FileLinkUpdateParamsDict,
    )
    from .files import (
        FileListParams as FileListParams,
        FileListParamsDict as FileListParamsDict,
        FileRetrieveParams as FileRetrieveParams,
        FileRetrieveParamsDict as FileRetrieveParamsDict,
    )
    from .thin_events import (
        ThinEventCreatedFilter as ThinEventCreatedFilter,
        ThinEventCreatedFilterDict as ThinEventCreatedFilterDict,
        ThinEventListParams as ThinEventListParams,
        ThinEventListParamsDict as ThinEventListParamsDict,
    )
    from .verification_reports import (
        VerificationReportListParams as VerificationReportListParams,
        VerificationReportListParamsDict as VerificationReportListParamsDict,
        VerificationReportRetrieveParams as VerificationReportRetrieveParams,
        VerificationReportRetrieveParamsDict as VerificationReportRetrieveParamsDict,
    )
    from .verification_sessions import (
        DocumentOptionsParams as DocumentOptionsParams,
        DocumentOptionsParamsDict as DocumentOptionsParamsDict,
        OptionsParams as OptionsParams,
        OptionsParamsDict as OptionsParamsDict,
        ProvidedDetailsParams as ProvidedDetailsParams,
        ProvidedDetailsParamsDict as ProvidedDetailsParamsDict,
        RelatedPersonParams as RelatedPersonParams,
        RelatedPersonParamsDict as RelatedPersonParamsDict,
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
else:
    from .._exports import listing, load

    def __getattr__(name: str) -> Any:
        return load(globals(), name)

    def __dir__() -> list[str]:
        return listing(globals())
