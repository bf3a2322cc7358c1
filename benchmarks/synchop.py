"""``--sync-hop``: what the sync client's hop to its loop thread costs, against the floor of any hop.

In one process, against the static server: retrieves through ``AsyncStripeIdentity`` (awaited on the
process's own loop) and through ``StripeIdentity`` (whose calls cross to its loop thread and back),
from one caller and from 16 (tasks for the async client, threads for the sync one). The sync
client's extra CPU per call over the async client's is the price of the hop; the floor it is
compared with is a bare ``asyncio.run_coroutine_threadsafe(noop(), loop).result()`` round trip to a
loop on another thread, from as many threads, measured in the same process. Beside them, the SDK's
crossing alone: ``LoopThread.run`` of a no-op coroutine.

Each repetition is a new process pinned to the client core; its blocks run in ABBA order, N/2
calls each (after a warm-up), and CPU is the process's (every thread's) time. Per repetition, the
hop is ``(sync - async) / floor``; the report gives its median with the 90 % interval of
:mod:`benchmarks.stats`. The target: at most 1.2 times the floor, at 1 and at 16 callers.
"""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from . import report, sysinfo
from .clients import make_async, make_sync
from .options import Options
from .progress import Progress
from .static_server import StaticServer
from .stats import interval, median
from .worker import run_isolated
from .workloads import run_async, run_sync

__all__ = ["render", "run"]

LEVELS = (1, 16)
#: The blocks of one level, in the order a repetition runs them (then reversed).
BLOCKS = ("async", "sync", "floor", "crossing")
TARGET = 1.2


async def _noop() -> None:
    return None


class _Floor:
    """A loop on a thread of its own, and the bare round trip to it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def call(self) -> None:
        asyncio.run_coroutine_threadsafe(_noop(), self.loop).result()

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()


def _threads(fn: Callable[[], None], n: int, concurrency: int, pool: ThreadPoolExecutor | None) -> None:
    outcome = run_sync(fn, n, concurrency, pool)
    if outcome.errors:
        raise RuntimeError(outcome.first_error)


def _repetition(api_base: str, n: int, quick: bool) -> dict[str, Any]:
    """One process: every block at every level, ABBA; CPU µs per call of each block."""
    from stripe_identity._loop_thread import LoopThread

    loop = asyncio.new_event_loop()
    asynchronous = make_async("si-async", api_base)
    loop.run_until_complete(asynchronous.start())
    synchronous = make_sync("si-sync", api_base)
    floor = _Floor()
    crossing = LoopThread("bench-crossing")
    pools = {c: ThreadPoolExecutor(c) for c in LEVELS if c > 1}

    def block(name: str, concurrency: int, calls: int) -> None:
        pool = pools.get(concurrency)
        if name == "async":
            outcome = loop.run_until_complete(run_async(asynchronous.get, calls, concurrency))
            if outcome.errors:
                raise RuntimeError(outcome.first_error)
        elif name == "sync":
            _threads(synchronous.get, calls, concurrency, pool)
        elif name == "floor":
            _threads(floor.call, calls, concurrency, pool)
        else:
            _threads(lambda: crossing.run(_noop), calls, concurrency, pool)

    cpu: dict[str, float] = {}
    try:
        for concurrency in LEVELS:
            for name in BLOCKS:  # warm-up: pools, the decoders, the threads
                block(name, concurrency, max(200, n // 10))
            for name in [*BLOCKS, *reversed(BLOCKS)]:
                gc.collect()
                started = time.process_time()
                block(name, concurrency, n // 2)
                key = f"{name}-{concurrency}"
                cpu[key] = cpu.get(key, 0.0) + (time.process_time() - started)
    finally:
        for pool in pools.values():
            pool.shutdown()
        crossing.stop()
        floor.close()
        synchronous.close()
        loop.run_until_complete(asynchronous.close())
        loop.close()
    return {key: seconds / n * 1e6 for key, seconds in cpu.items()}


def run(opts: Options, progress: Progress) -> dict[str, Any]:
    n = opts.n or (1000 if opts.quick else 6000)
    reps = opts.reps or (3 if opts.quick else 12)
    result: dict[str, Any] = {"meta": report.run_meta(opts.command), "n": n, "reps": reps}
    client_core, server_core = sysinfo.cpu_plan()
    sysinfo.pin(client_core)
    runs = []
    with StaticServer(server_core) as server:
        progress.total = reps
        for rep in range(reps):
            progress.note(f"sync hop rep {rep + 1}/{reps} ...", True)
            runs.append(run_isolated(client_core, _repetition, server.url, n, opts.quick))
            hop = [
                (runs[-1][f"sync-{c}"] - runs[-1][f"async-{c}"]) / runs[-1][f"floor-{c}"] for c in LEVELS
            ]
            progress.step(f"sync hop rep {rep + 1}/{reps}: " + ", ".join(f"{h:.2f}" for h in hop))
    progress.finish()
    result["runs"] = runs
    result["summary"] = summarize(runs)
    result["targets"] = [
        report.target(
            f"sync client's extra CPU per call / bare run_coroutine_threadsafe round trip, "
            f"{row['callers']} caller{'s' if row['callers'] > 1 else ''}",
            row["hop_x_floor"]["median"],
            "<=",
            TARGET,
            row["hop_x_floor"],
        )
        for row in result["summary"]
    ]
    return result


def summarize(runs: list[dict[str, float]]) -> list[dict[str, Any]]:
    rows = []
    for c in LEVELS:
        rows.append(
            {
                "callers": c,
                **{name: median(r[f"{name}-{c}"] for r in runs) for name in BLOCKS},
                "extra_us": interval([r[f"sync-{c}"] - r[f"async-{c}"] for r in runs]),
                "hop_x_floor": interval(
                    [(r[f"sync-{c}"] - r[f"async-{c}"]) / r[f"floor-{c}"] for r in runs]
                ),
                "crossing_x_floor": interval([r[f"crossing-{c}"] / r[f"floor-{c}"] for r in runs]),
            }
        )
    return rows


def render(result: dict[str, Any]) -> str:
    f = report.fmt
    lines = [
        *report.header(result["meta"]),
        "### The sync hop: StripeIdentity against AsyncStripeIdentity, and the floor of any hop",
        "",
        f"{result['reps']} repetitions, each a new process running every block twice in ABBA "
        f"order, {result['n'] // 2:,} calls per block; CPU µs per call (every thread of the "
        "process), medians. *floor*: a bare `run_coroutine_threadsafe(noop(), loop).result()` "
        "round trip; *crossing*: the SDK's `LoopThread.run(noop)`. The hop is "
        "(sync - async) / floor, per repetition.",
        "",
        *report.table(
            [
                "callers",
                "async µs",
                "sync µs",
                "floor µs",
                "crossing µs",
                "sync - async µs (90 % CI)",
                "hop x floor (90 % CI)",
                "crossing x floor (90 % CI)",
            ],
            [
                [
                    str(r["callers"]) + (" (threads / tasks)" if r["callers"] > 1 else ""),
                    f(r["async"], 1),
                    f(r["sync"], 1),
                    f(r["floor"], 1),
                    f(r["crossing"], 1),
                    report.ci(r["extra_us"], 1),
                    report.ci(r["hop_x_floor"]),
                    report.ci(r["crossing_x_floor"]),
                ]
                for r in result["summary"]
            ],
            "lrrrrrrr",
        ),
        "",
        *report.target_lines(result["targets"], "#### Targets"),
    ]
    return "\n".join(lines) + "\n"
