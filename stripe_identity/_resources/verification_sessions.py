"""``client.verification_sessions``: the six VerificationSession operations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._ids import path_id
from .._models import ListObject, VerificationSession
from .._options import RequestOptions
from .._params._lazy import ParamsClass
from .._requestor import Requestor

if TYPE_CHECKING:
    from .._params import (
        VerificationSessionCancelParams,
        VerificationSessionCancelParamsDict,
        VerificationSessionCreateParams,
        VerificationSessionCreateParamsDict,
        VerificationSessionListParams,
        VerificationSessionListParamsDict,
        VerificationSessionRedactParams,
        VerificationSessionRedactParamsDict,
        VerificationSessionRetrieveParams,
        VerificationSessionRetrieveParamsDict,
        VerificationSessionUpdateParams,
        VerificationSessionUpdateParamsDict,
    )

__all__ = ["AsyncVerificationSessionService"]

_PATH = "/v1/identity/verification_sessions"
_ONE = _PATH + "/{session}"
_CANCEL = _ONE + "/cancel"
_REDACT = _ONE + "/redact"


class AsyncVerificationSessionService:
    """Create, list, retrieve, update, cancel and redact VerificationSessions."""

    CreateParams: ParamsClass[VerificationSessionCreateParams] = ParamsClass(
        "VerificationSessionCreateParams"
    )
    ListParams: ParamsClass[VerificationSessionListParams] = ParamsClass("VerificationSessionListParams")
    RetrieveParams: ParamsClass[VerificationSessionRetrieveParams] = ParamsClass(
        "VerificationSessionRetrieveParams"
    )
    UpdateParams: ParamsClass[VerificationSessionUpdateParams] = ParamsClass(
        "VerificationSessionUpdateParams"
    )
    CancelParams: ParamsClass[VerificationSessionCancelParams] = ParamsClass(
        "VerificationSessionCancelParams"
    )
    RedactParams: ParamsClass[VerificationSessionRedactParams] = ParamsClass(
        "VerificationSessionRedactParams"
    )

    def __init__(self, requestor: Requestor) -> None:
        self._requestor = requestor

    async def create(
        self,
        params: VerificationSessionCreateParams | VerificationSessionCreateParamsDict | None = None,
        opts: RequestOptions | Mapping[str, Any] | None = None,
    ) -> VerificationSession:
        """Create a VerificationSession.

        Show the verification flow to your user with its ``client_secret`` (modal) or send them to its
        ``url`` (redirect). Give ``type`` unless you give ``verification_flow``. Retries reuse one
        idempotency key, so a session is created at most once per call.
        """
        return await self._requestor.request("POST", _PATH, params, opts, VerificationSession)

    async def list(
        self,
        params: VerificationSessionListParams | VerificationSessionListParamsDict | None = None,
        opts: RequestOptions | Mapping[str, Any] | None = None,
    ) -> ListObject[VerificationSession]:
        """List VerificationSessions, newest first; ``auto_paging_iter()`` walks every page."""
        return await self._requestor.request_list(_PATH, params, opts, VerificationSession)

    async def retrieve(
        self,
        session: str,
        params: VerificationSessionRetrieveParams | VerificationSessionRetrieveParamsDict | None = None,
        opts: RequestOptions | Mapping[str, Any] | None = None,
    ) -> VerificationSession:
        """Retrieve a VerificationSession.

        While it is ``requires_input`` the result carries a fresh ``client_secret`` and ``url`` to let
        the user submit again. ``verified_outputs`` comes only with ``{"expand": ["verified_outputs"]}``
        (see :mod:`stripe_identity.sensitive` for the fields that also need a restricted key).
        """
        path = f"{_PATH}/{path_id(session, 'session')}"
        return await self._requestor.request("GET", path, params, opts, VerificationSession, _ONE)

    async def update(
        self,
        session: str,
        params: VerificationSessionUpdateParams | VerificationSessionUpdateParamsDict | None = None,
        opts: RequestOptions | Mapping[str, Any] | None = None,
    ) -> VerificationSession:
        """Update a VerificationSession's check, options or metadata (only in ``requires_input``)."""
        path = f"{_PATH}/{path_id(session, 'session')}"
        return await self._requestor.request("POST", path, params, opts, VerificationSession, _ONE)

    async def cancel(
        self,
        session: str,
        params: VerificationSessionCancelParams | VerificationSessionCancelParamsDict | None = None,
        opts: RequestOptions | Mapping[str, Any] | None = None,
    ) -> VerificationSession:
        """Cancel a VerificationSession in ``requires_input``; this cannot be undone."""
        path = f"{_PATH}/{path_id(session, 'session')}/cancel"
        return await self._requestor.request("POST", path, params, opts, VerificationSession, _CANCEL)

    async def redact(
        self,
        session: str,
        params: VerificationSessionRedactParams | VerificationSessionRedactParamsDict | None = None,
        opts: RequestOptions | Mapping[str, Any] | None = None,
    ) -> VerificationSession:
        """Redact a VerificationSession (``requires_input`` or ``verified``): irreversible.

        Personal data in the session and its reports is replaced by ``[redacted]``, metadata is erased
        and the collected images are deleted; ``redaction.status`` reads ``processing`` until the
        redaction completes. A session in ``requires_input`` is canceled as well.
        """
        path = f"{_PATH}/{path_id(session, 'session')}/redact"
        return await self._requestor.request("POST", path, params, opts, VerificationSession, _REDACT)
