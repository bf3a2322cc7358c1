"""``client.verification_reports``: the read-only VerificationReport operations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._ids import path_id
from .._models import ListObject, VerificationReport
from .._options import RequestOptions
from .._params._lazy import ParamsClass
from .._requestor import Requestor

if TYPE_CHECKING:
    from .._params import (
        VerificationReportListParams,
        VerificationReportListParamsDict,
        VerificationReportRetrieveParams,
        VerificationReportRetrieveParamsDict,
    )

__all__ = ["AsyncVerificationReportService"]

_PATH = "/v1/identity/verification_reports"
_ONE = _PATH + "/{report}"


class AsyncVerificationReportService:
    """List and retrieve the VerificationReports that sessions produce."""

    ListParams: ParamsClass[VerificationReportListParams] = ParamsClass("VerificationReportListParams")
    RetrieveParams: ParamsClass[VerificationReportRetrieveParams] = ParamsClass(
        "VerificationReportRetrieveParams"
    )

    def __init__(self, requestor: Requestor) -> None:
        self._requestor = requestor

    async def list(
        self,
        params: VerificationReportListParams | VerificationReportListParamsDict | None = None,
        opts: RequestOptions | Mapping[str, Any] | None = None,
    ) -> ListObject[VerificationReport]:
        """List VerificationReports, newest first (filter by ``verification_session``, ``type``...)."""
        return await self._requestor.request_list(_PATH, params, opts, VerificationReport)

    async def retrieve(
        self,
        report: str,
        params: VerificationReportRetrieveParams | VerificationReportRetrieveParamsDict | None = None,
        opts: RequestOptions | Mapping[str, Any] | None = None,
    ) -> VerificationReport:
        """Retrieve a VerificationReport by id.

        The sensitive fields (``document.number``, ``document.dob``...) are filled only when expanded
        by name with a restricted key: see :mod:`stripe_identity.sensitive`.
        """
        path = f"{_PATH}/{path_id(report, 'report')}"
        return await self._requestor.request("GET", path, params, opts, VerificationReport, _ONE)
