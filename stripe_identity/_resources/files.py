"""``client.files``: file metadata, and the contents of document and selfie images."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._defaults import DEFAULT_MAX_DOWNLOAD_BYTES
from .._ids import path_id
from .._models import File, ListObject
from .._options import RequestOptions
from .._params._lazy import ParamsClass
from .._requestor import Requestor
from .._sinks import Destination, FileSink, MemorySink

if TYPE_CHECKING:
    from .._params import (
        FileListParams,
        FileListParamsDict,
        FileRetrieveParams,
        FileRetrieveParamsDict,
    )

__all__ = ["AsyncFileService"]

_PATH = "/v1/files"
_ONE = _PATH + "/{file}"
_CONTENTS = _ONE + "/contents"


def _contents(file: str | File) -> str:
    file_id = file.id if isinstance(file, File) else file
    return f"{_PATH}/{path_id(file_id, 'file')}/contents"


class AsyncFileService:
    """Retrieve and list files, and download their contents from the files host.

    Identity images (purposes ``identity_document_downloadable`` and ``selfie``) need a restricted
    key. Downloads stream: ``download_to`` never holds the file in memory, and both refuse files
    larger than ``max_bytes`` (64 MiB unless you say otherwise).
    """

    ListParams: ParamsClass[FileListParams] = ParamsClass("FileListParams")
    RetrieveParams: ParamsClass[FileRetrieveParams] = ParamsClass("FileRetrieveParams")

    def __init__(self, requestor: Requestor) -> None:
        self._requestor = requestor

    async def retrieve(
        self,
        file: str,
        params: FileRetrieveParams | FileRetrieveParamsDict | None = None,
        opts: RequestOptions | Mapping[str, Any] | None = None,
    ) -> File:
        """Retrieve a file's metadata (``size``, ``purpose``, ``type``...)."""
        path = f"{_PATH}/{path_id(file, 'file')}"
        return await self._requestor.request("GET", path, params, opts, File, _ONE)

    async def list(
        self,
        params: FileListParams | FileListParamsDict | None = None,
        opts: RequestOptions | Mapping[str, Any] | None = None,
    ) -> ListObject[File]:
        """List files newest first (filter by ``purpose``...)."""
        return await self._requestor.request_list(_PATH, params, opts, File)

    async def download(
        self,
        file: str | File,
        opts: RequestOptions | Mapping[str, Any] | None = None,
        *,
        max_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES,
    ) -> bytes:
        """The file's contents, from the files host (``files_base``)."""
        sink = MemorySink(max_bytes)
        await self._requestor.stream(_contents(file), opts, sink, _CONTENTS)
        return sink.getvalue()

    async def download_to(
        self,
        file: str | File,
        destination: Destination,
        opts: RequestOptions | Mapping[str, Any] | None = None,
        *,
        max_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES,
    ) -> int:
        """Stream the file's contents to a path or a binary file; returns the number of bytes.

        A path appears only once the whole file has arrived; after a failure there is no partial file
        (a seekable file object is cut back to where it was).
        """
        async with FileSink(destination, max_bytes) as sink:
            await self._requestor.stream(_contents(file), opts, sink, _CONTENTS)
        return sink.size
