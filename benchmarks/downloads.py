"""The full run's *downloads* section: a 20 MiB file through ``files.download`` and
``files.download_to``, against raw aiohttp.

One spawned process pinned to the client core hosts the three readers (so they share one heap and
one core, and the static server has the other): raw aiohttp ``resp.read()`` of the same URL, the
SDK's ``download`` (into memory, the body handed to its sink as it arrives) and ``download_to`` (to a
file in a temporary directory, written from a worker thread). Each repetition runs every reader's
block of downloads twice, in ABBA order; throughput is bytes over wall time, and ratios are taken per
repetition against raw aiohttp, then reduced to their median with a 90 % interval.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import time
from typing import Any

from . import fixtures, report
from .stats import interval, median
from .worker import run_isolated

__all__ = ["downloads_markdown", "run_downloads"]

_FILE_ID = "file_1Pgc76B7WZ01zgkWbench"
_READERS = ("raw-aiohttp", "si-download", "si-download_to")


async def _measure(api_base: str, size: int, per_block: int, reps: int) -> dict[str, Any]:
    import aiohttp

    import stripe_identity as si

    url = f"{api_base}/v1/files/{_FILE_ID}/contents"
    headers = {"Authorization": f"Bearer {fixtures.API_KEY}", "Stripe-Version": fixtures.STRIPE_VERSION}
    session = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=100), cookie_jar=aiohttp.DummyCookieJar()
    )
    client = si.AsyncStripeIdentity(fixtures.API_KEY, api_base=api_base)
    await client.__aenter__()
    folder = tempfile.mkdtemp(prefix="si-bench-download-")
    target = os.path.join(folder, "file.png")

    async def raw() -> int:
        async with session.get(url, headers=headers) as resp:
            body = await resp.read()
        if resp.status != 200:
            raise AssertionError(f"HTTP {resp.status}")
        return len(body)

    async def download() -> int:
        return len(await client.files.download(_FILE_ID))

    async def download_to() -> int:
        return await client.files.download_to(_FILE_ID, target)

    readers = {"raw-aiohttp": raw, "si-download": download, "si-download_to": download_to}
    blocks: list[dict[str, Any]] = []
    try:
        for fn in readers.values():  # warm-up: connections, the server's file, the page cache
            if await fn() != size:
                raise AssertionError("short download")
        for rep in range(reps):
            order = [*_READERS[rep % 3 :], *_READERS[: rep % 3]]
            for name in [*order, *reversed(order)]:
                fn = readers[name]
                wall, cpu = time.perf_counter(), time.process_time()
                total = 0
                for _ in range(per_block):
                    total += await fn()
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                if total != size * per_block:
                    raise AssertionError(f"{name}: {total} bytes instead of {size * per_block}")
                blocks.append({"rep": rep, "reader": name, "bytes": total, "wall_s": wall, "cpu_s": cpu})
    finally:
        await session.close()
        await client.aclose()
        shutil.rmtree(folder, ignore_errors=True)
    return {"blocks": blocks}


def _worker(api_base: str, size: int, per_block: int, reps: int) -> dict[str, Any]:
    return asyncio.run(_measure(api_base, size, per_block, reps))


def run_downloads(
    api_base: str, core: int | None, size: int, per_block: int, reps: int
) -> dict[str, Any]:
    """Run the readers in a fresh pinned process; summarize per reader and against raw aiohttp."""
    blocks = run_isolated(core, _worker, api_base, size, per_block, reps)["blocks"]
    per_rep: dict[tuple[int, str], dict[str, float]] = {}
    for b in blocks:
        agg = per_rep.setdefault((b["rep"], b["reader"]), {"bytes": 0, "wall_s": 0.0, "cpu_s": 0.0})
        for k in ("bytes", "wall_s", "cpu_s"):
            agg[k] += b[k]
    rows = []
    for reader in _READERS:
        mbps, cpu_ms, ratios = [], [], []
        for rep in range(reps):
            mine, raw = per_rep[rep, reader], per_rep[rep, "raw-aiohttp"]
            mine_mbps = mine["bytes"] / mine["wall_s"] / 1e6
            mbps.append(mine_mbps)
            cpu_ms.append(mine["cpu_s"] / (mine["bytes"] / size) * 1e3)
            ratios.append(mine_mbps / (raw["bytes"] / raw["wall_s"] / 1e6))
        rows.append(
            {
                "reader": reader,
                "mb_per_s": median(mbps),
                "cpu_ms_per_download": median(cpu_ms),
                "ratio": interval(ratios),
            }
        )
    return {"size": size, "per_block": per_block, "reps": reps, "rows": rows, "blocks": blocks}


def downloads_markdown(dl: dict[str, Any]) -> list[str]:
    labels = {
        "raw-aiohttp": "raw aiohttp `resp.read()`",
        "si-download": "`files.download` (memory)",
        "si-download_to": "`files.download_to` (a file)",
    }
    lines = [
        f"### Downloads ({dl['size'] / 2**20:.0f} MiB)",
        "",
        f"One pinned process, the three readers in ABBA blocks of {dl['per_block']} downloads, "
        f"{dl['reps']} repetitions; ratios per repetition against raw aiohttp, median and 90 % "
        "interval.",
        "",
    ]
    lines += report.table(
        ["reader", "MB/s", "CPU ms per download", "throughput x raw (90 % CI)"],
        [
            [
                labels.get(r["reader"], str(r["reader"])),
                report.fmt(r["mb_per_s"]),
                report.fmt(r["cpu_ms_per_download"], 1),
                "-" if r["reader"] == "raw-aiohttp" else report.ci(r["ratio"]),
            ]
            for r in dl["rows"]
        ],
        "lrrr",
    )
    return lines
