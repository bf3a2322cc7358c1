"""FileSink batches its writes, and a write that fails at the very end still leaves no partial file."""

from __future__ import annotations

import io
import pathlib

import pytest

from stripe_identity import _sinks
from stripe_identity._sinks import FileSink

pytestmark = pytest.mark.anyio


async def test_small_chunks_are_written_in_batches(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_sinks, "_WRITE_BATCH", 100)
    target = tmp_path / "out.bin"
    writes: list[int] = []
    async with FileSink(target) as sink:
        assert sink._file is not None
        real_write = sink._file.write

        def counting_write(data: bytes) -> int:
            writes.append(len(data))
            return real_write(data)

        monkeypatch.setattr(sink._file, "write", counting_write)
        await sink.start(None)
        for _ in range(25):
            await sink.write(b"x" * 10)
    assert target.read_bytes() == b"x" * 250
    assert writes == [100, 100, 50]  # two full batches, then the tail on success


def _full(data: bytes) -> int:
    raise OSError("disk full")


async def _download_into_full_disk(destination: pathlib.Path | io.BytesIO, replace_write: bool) -> None:
    async with FileSink(destination) as sink:
        if replace_write:
            assert sink._file is not None
            sink._file.write = _full  # type: ignore[method-assign,assignment]
        await sink.start(None)
        await sink.write(b"abc")


def _entries(folder: pathlib.Path) -> list[pathlib.Path]:
    return list(folder.iterdir())


async def test_a_failing_tail_write_leaves_no_file(tmp_path: pathlib.Path) -> None:
    with pytest.raises(OSError, match="disk full"):
        await _download_into_full_disk(tmp_path / "out.bin", replace_write=True)
    assert _entries(tmp_path) == []


async def test_a_failing_tail_write_cuts_a_file_object_back() -> None:
    class Full(io.BytesIO):
        def write(self, data: bytes) -> int:  # type: ignore[override]
            raise OSError("disk full")

    buffer = Full(b"keep")
    buffer.seek(4)
    with pytest.raises(OSError, match="disk full"):
        await _download_into_full_disk(buffer, replace_write=False)
    assert buffer.getvalue() == b"keep"
