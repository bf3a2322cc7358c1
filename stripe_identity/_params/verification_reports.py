"""Params of the VerificationReport operations, as attrs classes and as ``TypedDict``s."""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from .._models import VerificationSession
from ._common import CreatedFilter, CreatedFilterDict, ExpandableDict, Timestamp
from .verification_sessions import SessionType, SessionTypeName

__all__ = [
    "VerificationReportListParams",
    "VerificationReportListParamsDict",
    "VerificationReportRetrieveParams",
    "VerificationReportRetrieveParamsDict",
]


@attrs.frozen(kw_only=True)
class VerificationReportListParams:
    """Params of ``GET /v1/identity/verification_reports``."""

    client_reference_id: str | None = None
    created: Timestamp | CreatedFilter | None = None
    ending_before: str | None = None
    expand: Sequence[str] | None = None
    limit: int | None = None
    starting_after: str | None = None
    type: SessionType | None = None
    verification_session: str | None = None


@attrs.frozen(kw_only=True)
class VerificationReportRetrieveParams:
    """Params of ``GET /v1/identity/verification_reports/{report}``."""

    expand: Sequence[str] | None = None


class VerificationReportListParamsDict(ExpandableDict, total=False):
    """``VerificationReportListParams`` as a dict (a session model stands for its id)."""

    client_reference_id: str
    created: Timestamp | CreatedFilterDict
    ending_before: str
    limit: int
    starting_after: str
    type: SessionTypeName
    verification_session: str | VerificationSession


class VerificationReportRetrieveParamsDict(ExpandableDict, total=False):
    """``VerificationReportRetrieveParams`` as a dict."""
