"""Big, refused and broken downloads: streaming keeps memory flat, and a failure leaves nothing behind.

The memory test runs the client in a subprocess and the emulator here, in the test process:
``ru_maxrss`` is the peak of the whole process, so with the emulator beside the client the figure
would mix the server's buffers with the client's (the emulator generates its 20 MB as it sends them
and would likely pass there too, but a client holding the file could then hide behind a quiet
emulator, or a greedy emulator fail the client).

Two traps make a naive measurement meaningless, and the test avoids both:

* On Linux a process inherits, across ``exec``, the peak RSS of the process that started it: a fresh
  subprocess of pytest reports pytest's peak (tens of MB) as its own, and any growth below that is
  invisible. The script forks once after its imports (no thread runs yet) and measures in the child,
  whose peak starts at its own size.
* Growth is taken from the current RSS before the download (``/proc/self/statm``) to the peak after
  it: an upper bound that an earlier, higher peak cannot hide.

A control run of ``files.download``, which must hold the file, shows that this measurement does see
20 MB when they are there.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pathlib
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from typing import Any

import pytest

import stripe_identity as si
from stripe_identity.emulator import Emulator

RESTRICTED_KEY = "rk_test_51CompanionDownloads"
BIG = 20_000_000
MB = 1024 * 1024

CLIENT = textwrap.dedent(
    """
    import hashlib, json, os, resource, sys, time, traceback
    import stripe_identity as si

    api_base, key, big, warm, target, how = sys.argv[1:]

    pid = os.fork()  # measure in a child whose peak RSS is its own (see the test module)
    if pid:
        sys.exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))

    def peak() -> int:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kB on Linux

    def rss() -> int:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    try:
        with si.StripeIdentity(key, api_base=api_base, max_retries=0) as client:
            # Warm up on a 2 MB file: the connection, the worker threads, buffers at full size.
            client.files.download_to(warm, target)
            os.remove(target)
            before_peak, before = peak(), rss()
            started = time.perf_counter()
            if how == "download_to":
                size = client.files.download_to(big, target)
            else:
                size = len(client.files.download(big))
            seconds = time.perf_counter() - started
            after_peak = peak()
        digest = hashlib.sha256()
        if how == "download_to":
            with open(target, "rb") as f:
                while chunk := f.read(1 << 20):
                    digest.update(chunk)
        figures = {
            "before_peak": before_peak,
            "before": before,
            "after_peak": after_peak,
            "size": size,
            "seconds": seconds,
            "sha256": digest.hexdigest(),
        }
        print(json.dumps(figures), flush=True)
        os._exit(0)
    except BaseException:
        traceback.print_exc()
        sys.stderr.flush()
        os._exit(1)
    """
)


@pytest.fixture
def threaded_emulator() -> Iterator[Emulator]:
    with Emulator(seed=5) as emu:
        yield emu


def measure(emu: Emulator, how: str, big: str, warm: str, target: pathlib.Path) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-c", CLIENT, emu.api_base, RESTRICTED_KEY, big, warm, str(target), how],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    figures: dict[str, Any] = json.loads(result.stdout)
    figures["growth"] = figures["after_peak"] - figures["before"]
    print(
        f"\n{how}: RSS {figures['before'] / MB:.1f} MiB (peak so far {figures['before_peak'] / MB:.1f})"
        f" -> peak {figures['after_peak'] / MB:.1f} MiB: +{figures['growth'] / MB:.2f} MiB,"
        f" {figures['size'] / MB:.1f} MiB in {figures['seconds']:.2f}s"
    )
    return figures


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc/self/statm and forks")
def test_a_20_mb_download_to_a_path_keeps_peak_rss_flat(
    threaded_emulator: Emulator, tmp_path: pathlib.Path
) -> None:
    big = threaded_emulator.create_file(BIG)["id"]
    warm = threaded_emulator.create_file(2_000_000)["id"]
    target = tmp_path / "big.bin"

    streamed = measure(threaded_emulator, "download_to", big, warm, target)
    assert streamed["size"] == BIG == target.stat().st_size
    assert streamed["growth"] < 5 * MB
    check_no_leftovers(tmp_path, "big.bin")

    # The control: the same measurement sees a download held in memory.
    held = measure(threaded_emulator, "download", big, warm, tmp_path / "unused.bin")
    assert held["size"] == BIG
    assert held["growth"] > BIG * 0.9

    # And what reached the disk is the file, byte for byte.
    with si.StripeIdentity(RESTRICTED_KEY, api_base=threaded_emulator.api_base) as client:
        expected = hashlib.sha256(client.files.download(big)).hexdigest()
    assert streamed["sha256"] == expected


def check_no_leftovers(directory: pathlib.Path, *expected: str) -> None:
    """Only ``expected`` in ``directory``: no partial file, no ``.part`` temporary."""
    assert sorted(p.name for p in directory.iterdir()) == sorted(expected)


class Attempts:
    """A client middleware that counts attempts (retries included), as the client made them."""

    def __init__(self) -> None:
        self.count = 0

    async def __call__(self, request: si.Request, call_next: si.Handler) -> si.Response:
        self.count += 1
        return await call_next(request)


@pytest.mark.anyio
async def test_a_download_past_max_bytes_is_refused(
    emulator: Emulator, emu_client: si.AsyncStripeIdentity, tmp_path: pathlib.Path
) -> None:
    attempts = Attempts()
    rk = emu_client.with_options(api_key=RESTRICTED_KEY, middlewares=[attempts])
    big = emulator.create_file(BIG)["id"]
    with pytest.raises(si.APIError) as info:
        await rk.files.download(big, max_bytes=1_000_000)
    assert "max_bytes" in info.value.message
    assert not isinstance(info.value, si.APIConnectionError)
    with pytest.raises(si.APIError):
        await rk.files.download_to(big, tmp_path / "big.bin", max_bytes=BIG - 1)
    check_no_leftovers(tmp_path)
    buffer = io.BytesIO(b"keep")
    buffer.seek(4)
    with pytest.raises(si.APIError):
        await rk.files.download_to(big, buffer, max_bytes=BIG - 1)
    assert buffer.getvalue() == b"keep"
    assert attempts.count == 3  # refused at the declared length, not retried: one attempt each
    # Exactly at the limit is allowed.
    assert await rk.files.download_to(big, tmp_path / "big.bin", max_bytes=BIG) == BIG


@pytest.mark.anyio
async def test_a_download_cut_mid_body_fails_after_its_retries_and_leaves_nothing(
    emulator: Emulator, emu_client: si.AsyncStripeIdentity, tmp_path: pathlib.Path
) -> None:
    attempts = Attempts()
    rk = emu_client.with_options(api_key=RESTRICTED_KEY, max_retries=2, middlewares=[attempts])
    cut = emulator.create_file(2_000_000, cut_after=700_000)
    assert cut["size"] == 2_000_000
    target = tmp_path / "cut.bin"
    with pytest.raises(si.APIConnectionError):
        await rk.files.download_to(cut["id"], target)
    check_no_leftovers(tmp_path)
    assert attempts.count == 3  # the first try and 2 retries

    buffer = io.BytesIO(b"earlier bytes")
    buffer.seek(0, io.SEEK_END)
    with pytest.raises(si.APIConnectionError):
        await rk.files.download_to(cut["id"], buffer)
    assert buffer.getvalue() == b"earlier bytes"
    assert buffer.tell() == len(b"earlier bytes")

    with pytest.raises(si.APIConnectionError):
        await rk.files.download(cut["id"])
    assert attempts.count == 9

    # An existing file at the path is not touched by a failed download.
    target.write_bytes(b"the old contents")
    with pytest.raises(si.APIConnectionError):
        await rk.files.download_to(cut["id"], target)
    assert target.read_bytes() == b"the old contents"
    check_no_leftovers(tmp_path, "cut.bin")


def test_a_cut_download_through_the_sync_client_leaves_nothing(
    threaded_emulator: Emulator, tmp_path: pathlib.Path
) -> None:
    cut = threaded_emulator.create_file(2_000_000, cut_after=700_000)["id"]
    whole = threaded_emulator.create_file(2_000_000)["id"]
    with si.StripeIdentity(
        RESTRICTED_KEY,
        api_base=threaded_emulator.api_base,
        max_retries=1,
        retry_policy=si.RetryPolicy.no_wait(),
    ) as client:
        started = time.perf_counter()
        with pytest.raises(si.APIConnectionError):
            client.files.download_to(cut, tmp_path / "cut.bin")
        print(f"\ncut download, 2 attempts: {time.perf_counter() - started:.2f}s")
        check_no_leftovers(tmp_path)
        assert client.files.download_to(whole, tmp_path / "whole.bin") == 2_000_000
        check_no_leftovers(tmp_path, "whole.bin")
