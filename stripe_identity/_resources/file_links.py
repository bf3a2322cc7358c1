"""``client.file_links``: short-lived public URLs of files, to show an image without proxying it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._ids import path_id
from .._models import FileLink, ListObject
from .._options import RequestOptions
from .._params._lazy import ParamsClass
from .._requestor import Requestor

if TYPE_CHECKING:
    from .._params import (
        FileLinkCreateParams,
        FileLinkCreateParamsDict,
        FileLinkListParams,
        FileLinkListParamsDict,
        FileLinkRetrieveParams,
        FileLinkRetrieveParamsDict,
        FileLinkUpdateParams,
        FileLinkUpdateParamsDict,
    )

__all__ = ["AsyncFileLinkService"]

_PATH = "/v1/file_links"
_ONE = _PATH + "/{link}"


class AsyncFileLinkService:
    """Create, retrieve, update and list FileLinks."""

    CreateParams: ParamsClass[FileLinkCreateParams] = ParamsClass("FileLinkCreateParams")
    ListParams: ParamsClass[FileLinkListParams] = ParamsClass("FileLinkListParams")
    RetrieveParams: ParamsClass[FileLinkRetrieveParams] = ParamsClass("FileLinkRetrieveParams")
    UpdateParams: ParamsClass[FileLinkUpdateParams] = ParamsClass("FileLinkUpdateParams")

    def __init__(self, requestor: Requestor) -> None:
        self._requestor = requestor

    async def create(
        self,
        params: FileLinkCreateParams | FileLinkCreateParamsDict | None = None,
        opts: RequestOptions | Mapping[str, Any] | None = None,
    ) -> FileLink:
        """Create a link to ``{"file": "file_...", "expires_at": ...}``.

        Links to Identity images need a restricted key and must expire within 30 seconds.
        """
        return await self._requestor.request("POST", _PATH, params, opts, FileLink)

    async def retrieve(
        self,
        link: str,
        params: FileLinkRetrieveParams | FileLinkRetrieveParamsDict | None = None,
        opts: RequestOptions | Mapping[str, Any] | None = None,
    ) -> FileLink:
        """Retrieve a FileLink by id (``link_...``)."""
        path = f"{_PATH}/{path_id(link, 'link')}"
        return await self._requestor.request("GET", path, params, opts, FileLink, _ONE)

    async def update(
        self,
        link: str,
        params: FileLinkUpdateParams | FileLinkUpdateParamsDict | None = None,
        opts: RequestOptions | Mapping[str, Any] | None = None,
    ) -> FileLink:
        """Change a link's ``metadata`` or ``expires_at`` (``"now"`` expires it at once)."""
        path = f"{_PATH}/{path_id(link, 'link')}"
        return await self._requestor.request("POST", path, params, opts, FileLink, _ONE)

    async def list(
        self,
        params: FileLinkListParams | FileLinkListParamsDict | None = None,
        opts: RequestOptions | Mapping[str, Any] | None = None,
    ) -> ListObject[FileLink]:
        """List FileLinks, newest first (filter by ``file``, ``expired``...)."""
        return await self._requestor.request_list(_PATH, params, opts, FileLink)
