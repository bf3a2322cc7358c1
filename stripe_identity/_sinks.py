"""Where a downloaded file goes: into memory (``download``) or onto disk (``download_to``).

Both refuse a body larger than ``max_bytes`` (as soon as its declared length, or the bytes received,
pass it). A file destination never shows a partial download: a path is written to a temporary file
beside it and renamed into place on success, and removed on failure; a seekable file object is cut
back to where it started. Every attempt starts over, so a retried download is never written twice.
"""

from __future__ import annotations

import os
import pathlib
import uuid
from types import TracebackType
from typing import BinaryIO

import anyio.to_thread

from ._defaults import DEFAULT_MAX_DOWNLOAD_BYTES
from ._errors import APIConnectionError, APIError

__all__ = ["Destination", "FileSink", "MemorySink"]

#: Downloads larger than this are refused unless the call raises ``max_bytes``.

#: A file sink writes (from a worker thread) once this much has arrived: a thread hop per 64 KiB
#: chunk halved download_to's throughput against reading into memory.
_WRITE_BATCH = 1024 * 1024

#: A path to write to, or an open binary file.
Destination = str | os.PathLike[str] | BinaryIO


def _check_max(max_bytes: int) -> int:
    if not isinstance(max_bytes, int) or max_bytes < 0:
        raise ValueError(f"max_bytes must be a non-negative int, not {max_bytes!r}")
    return max_bytes


def _too_large(max_bytes: int) -> APIError:
    return APIError(f"the file is larger than max_bytes ({max_bytes} bytes) and was refused")


class MemorySink:
    """Collects the body in memory, up to ``max_bytes``."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES) -> None:
        self._max = _check_max(max_bytes)
        self._chunks: list[bytes] = []
        self._size = 0

    async def start(self, length: int | None) -> None:
        if length is not None and length > self._max:
            raise _too_large(self._max)
        self._chunks.clear()
        self._size = 0

    async def write(self, chunk: bytes) -> None:
        self._size += len(chunk)
        if self._size > self._max:
            raise _too_large(self._max)
        self._chunks.append(chunk)

    def getvalue(self) -> bytes:
        return b"".join(self._chunks)


class FileSink:
    """Streams the body to a path or a binary file; use as ``async with FileSink(...) as sink``."""

    def __init__(self, destination: Destination, max_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES) -> None:
        self._max = _check_max(max_bytes)
        self._destination = destination
        self._file: BinaryIO | None = None
        self._target: pathlib.Path | None = None
        self._temporary: pathlib.Path | None = None
        self._origin: int | None = None
        self._attempts = 0
        self._pending: list[bytes] = []  # received, not yet written
        self._pending_size = 0
        self.size = 0

    async def __aenter__(self) -> FileSink:
        destination = self._destination
        if isinstance(destination, (str, os.PathLike)):
            target = self._target = pathlib.Path(destination)
            temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex[:12]}.part")
            self._temporary = temporary

            def open_temporary() -> BinaryIO:
                return open(temporary, "wb")  # a plain open() call: typed alike by every checker

            # Opened before any request, so a path that cannot be written fails with its OSError.
            self._file = await anyio.to_thread.run_sync(open_temporary)
        else:
            self._file = destination
            try:
                self._origin = destination.tell() if destination.seekable() else None
            except (OSError, ValueError):
                self._origin = None
        return self

    async def start(self, length: int | None) -> None:
        if length is not None and length > self._max:
            raise _too_large(self._max)
        self._attempts += 1
        self._pending.clear()
        self._pending_size = 0
        if self._attempts > 1 and self.size:
            if self._origin is None and self._temporary is None:
                raise APIConnectionError(
                    "the download broke off and cannot be retried: the destination is not seekable",
                    should_retry=False,
                )
            await anyio.to_thread.run_sync(self._rewind)
        self.size = 0

    async def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self._max:
            raise _too_large(self._max)
        self._pending.append(chunk)
        self._pending_size += len(chunk)
        if self._pending_size >= _WRITE_BATCH:
            await anyio.to_thread.run_sync(self._write_pending)

    def _write_pending(self) -> None:
        assert self._file is not None
        data = b"".join(self._pending)
        self._pending.clear()
        self._pending_size = 0
        self._file.write(data)

    def _rewind(self) -> None:
        assert self._file is not None
        self._file.seek(0 if self._temporary is not None else (self._origin or 0))
        self._file.truncate()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await anyio.to_thread.run_sync(self._finish, exc is None, abandon_on_cancel=False)

    def _finish(self, ok: bool) -> None:
        if ok and self._pending:
            try:
                self._write_pending()  # the tail of the download
            except BaseException:
                self._finish(False)  # no partial file, as for any other failure
                raise
        file, temporary, target = self._file, self._temporary, self._target
        if (
            temporary is None or target is None
        ):  # the caller's file object: flush, or cut back what was written
            if not ok and self._origin is not None and file is not None:
                file.seek(self._origin)
                file.truncate()
            return
        assert file is not None
        file.close()
        if ok:
            os.replace(temporary, target)
        else:
            temporary.unlink(missing_ok=True)
