"""``--sync-hop``: what the sync client's hop to its loop thread costs, against the floor of any hop.

In one process, against the static server: retrieves through ``AsyncStripeIdentity`` (awaited on the
process's own loop) and through ``StripeIdentity`` (whose calls cross to its loop thread and back),
from one caller and from 16 (tasks for the async client, threads for the sync one). The sync
client's extra CPU per call over the async client's is the price of the hop; the floor it is
compared with is a bare ``asyncio.run_coroutine_threadsafe(noop(), loop).result()`` round trip to a
loop on another thread, from as many threads, measured in the same process. Beside them, the SDK's
crossing alone: ``LoopThread.run`` of a no-op coroutine.

The same again with a middleware answering every call from memory (the whole call path but the
socket): there the difference is the hop alone, without the noise of network wake-ups.

Each repetition is a new process pinned to the client core; its blocks run in alternating order
(ABBA ABBA ...), thirty-two of N/32 calls each for every client and level (after a warm-up), and CPU is
the process's (every thread's) time. Per repetition, the
hop is ``(sync - async) / floor``; the report gives its median with the 90 % interval of
:mod:`benchmarks.stats`. The target: at most 1.2 times the floor, at 1 and at 16 callers.
"""

from __future__ import annotations

import asyncio
import gc
import sys
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

__all__ = ["markdown", "render", "run"]

LEVELS = (1, 16)
#: The blocks of one level, in the order a repetition runs them (then reversed).
BLOCKS = ("async", "sync", "floor", "crossing", "async_memory", "sync_memory", "handover")
#: (the sync block, the async block it is compared with): over the network, and answered in memory.
HOPS = {"network": ("sync", "async"), "memory": ("sync_memory", "async_memory")}
TARGET = 1.2
#: Blocks per repetition for each client and level, in alternating order (ABBA ABBA ...).
_ROUNDS = 32


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

    def on_loop(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()


def _threads(fn: Callable[[], None], n: int, concurrency: int, pool: ThreadPoolExecutor | None) -> None:
    outcome = run_sync(fn, n, concurrency, pool)
    if outcome.errors:
        raise RuntimeError(outcome.first_error)


def _repetition(api_base: str, n: int, sdk_path: str | None) -> dict[str, Any]:
    """One process: every block at every level, alternating; CPU µs per call of each block."""
    if sdk_path:
        sys.path.insert(0, sdk_path)  # before anything imports stripe_identity
    from stripe_identity._loop_thread import LoopThread

    from .micro import answer_in_memory

    loop = asyncio.new_event_loop()
    asynchronous = make_async("si-async", api_base)
    in_memory = {"middlewares": [answer_in_memory]}
    asynchronous_memory = make_async("si-async", api_base, in_memory)
    for client in (asynchronous, asynchronous_memory):
        loop.run_until_complete(client.start())
    synchronous = make_sync("si-sync", api_base)
    synchronous_memory = make_sync("si-sync", api_base, in_memory)
    floor = _Floor()
    # The async client driven from threads by asyncio's own hand-over, run_coroutine_threadsafe: what
    # a thread hand-over of a call that does I/O costs, beside the no-op floor.
    handed = make_async("si-async", api_base)
    floor.on_loop(handed.start())
    crossing = LoopThread("bench-crossing")
    pools = {c: ThreadPoolExecutor(c) for c in LEVELS if c > 1}

    def block(name: str, concurrency: int, calls: int) -> None:
        pool = pools.get(concurrency)
        if name.startswith("async"):
            client = asynchronous_memory if name == "async_memory" else asynchronous
            outcome = loop.run_until_complete(run_async(client.get, calls, concurrency))
            if outcome.errors:
                raise RuntimeError(outcome.first_error)
        elif name == "sync":
            _threads(synchronous.get, calls, concurrency, pool)
        elif name == "sync_memory":
            _threads(synchronous_memory.get, calls, concurrency, pool)
        elif name == "handover":
            _threads(lambda: floor.on_loop(handed.get()), calls, concurrency, pool)
        elif name == "floor":
            _threads(floor.call, calls, concurrency, pool)
        else:
            _threads(lambda: crossing.run(_noop), calls, concurrency, pool)

    cpu: dict[str, float] = {}
    try:
        for concurrency in LEVELS:
            for name in BLOCKS:  # warm-up: pools, the decoders, the threads
                block(name, concurrency, max(200, n // 10))
            # Short blocks, alternating direction: the drift of a shared machine hits all alike.
            for round_ in range(_ROUNDS):
                for name in BLOCKS if round_ % 2 == 0 else reversed(BLOCKS):
                    gc.collect()
                    started = time.process_time()
                    block(name, concurrency, n // _ROUNDS)
                    key = f"{name}-{concurrency}"
                    cpu[key] = cpu.get(key, 0.0) + (time.process_time() - started)
    finally:
        for pool in pools.values():
            pool.shutdown()
        crossing.stop()
        floor.on_loop(handed.close())
        floor.close()
        synchronous.close()
        synchronous_memory.close()
        for client in (asynchronous, asynchronous_memory):
            loop.run_until_complete(client.close())
        loop.close()
    return {key: seconds / n * 1e6 for key, seconds in cpu.items()}


def run(opts: Options, progress: Progress) -> dict[str, Any]:
    """``--contenders`` may name SDK trees (``current`` for this one): each is measured in every
    repetition, in alternating order, and reported apart."""
    n = opts.n or (1000 if opts.quick else 6000)
    reps = opts.reps or (3 if opts.quick else 12)
    trees = list(opts.contenders) or ["current"]
    result: dict[str, Any] = {
        "meta": report.run_meta(opts.command),
        "n": n,
        "reps": reps,
        "trees": trees,
    }
    client_core, server_core = sysinfo.cpu_plan()
    sysinfo.pin(client_core)
    runs: dict[str, list[dict[str, float]]] = {tree: [] for tree in trees}
    with StaticServer(server_core) as server:
        progress.total = reps * len(trees)
        for rep in range(reps):
            shift = rep % len(trees)
            for tree in [*trees[shift:], *trees[:shift]]:
                progress.note(f"sync hop rep {rep + 1}/{reps} {tree} ...", True)
                path = None if tree == "current" else tree
                run_ = run_isolated(client_core, _repetition, server.url, n, path)
                runs[tree].append(run_)
                hop = [(run_[f"sync-{c}"] - run_[f"async-{c}"]) / run_[f"floor-{c}"] for c in LEVELS]
                progress.step(
                    f"sync hop rep {rep + 1}/{reps} {tree}: " + ", ".join(f"{h:.2f}" for h in hop)
                )
    progress.finish()
    result["runs"] = runs
    result["summaries"] = {tree: summarize(tree_runs) for tree, tree_runs in runs.items()}
    result["summary"] = result["summaries"][trees[-1]]
    result["targets"] = [
        report.target(
            f"sync client's extra CPU per call / bare run_coroutine_threadsafe round trip, "
            f"{row['callers']} caller{'s' if row['callers'] > 1 else ''}, {row['where']}"
            + (f" ({trees[-1]})" if len(trees) > 1 else ""),
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
    for where, (sync, asynchronous) in HOPS.items():
        for c in LEVELS:
            extra = [r[f"{sync}-{c}"] - r[f"{asynchronous}-{c}"] for r in runs]
            rows.append(
                {
                    "where": where,
                    "callers": c,
                    "async": median(r[f"{asynchronous}-{c}"] for r in runs),
                    "sync": median(r[f"{sync}-{c}"] for r in runs),
                    "floor": median(r[f"floor-{c}"] for r in runs),
                    "crossing": median(r[f"crossing-{c}"] for r in runs),
                    "extra_us": interval(extra),
                    "hop_x_floor": interval(
                        [e / r[f"floor-{c}"] for e, r in zip(extra, runs, strict=True)]
                    ),
                    "crossing_x_floor": interval([r[f"crossing-{c}"] / r[f"floor-{c}"] for r in runs]),
                    # asyncio's own hand-over of the same call, over the network: its extra CPU.
                    "handover_us": interval([r[f"handover-{c}"] - r[f"async-{c}"] for r in runs])
                    if where == "network"
                    else None,
                }
            )
    return rows


def render(result: dict[str, Any]) -> str:
    return "\n".join([*report.header(result["meta"]), *markdown(result)]) + "\n"


def markdown(result: dict[str, Any]) -> list[str]:
    """The section's tables and targets (the full run prints them under its own header)."""
    lines = [
        "### The sync hop: StripeIdentity against AsyncStripeIdentity, and the floor of any hop",
        "",
        f"{result['reps']} repetitions, each a new process running every block {_ROUNDS} times "
        f"in alternating order, {result['n'] // _ROUNDS:,} calls per block; CPU µs per call "
        "(every thread of the process), medians. *floor*: a bare "
        "`run_coroutine_threadsafe(noop(), loop).result()` round trip; *crossing*: the SDK's "
        "`LoopThread.run(noop)`. The hop is (sync - async) / floor, per repetition; over the "
        "network it is what a hand-over costs when the loop waits for a socket, in memory (a "
        "middleware answers: the whole call path but the socket) the hop alone. *asyncio's "
        "hand-over*: the async client driven from the callers' threads by "
        "`run_coroutine_threadsafe(client.retrieve(...), loop).result()`.",
    ]
    summaries = result.get("summaries") or {"current": result["summary"]}
    for tree, rows in summaries.items():
        if len(summaries) > 1:
            lines += ["", f"SDK: `{tree}`"]
        lines += ["", *_table(rows)]
    if result.get("targets"):
        lines += ["", *report.target_lines(result["targets"], "#### Targets")]
    return lines


def _table(rows: list[dict[str, Any]]) -> list[str]:
    f = report.fmt
    return report.table(
        [
            "retrieves",
            "callers",
            "async µs",
            "sync µs",
            "floor µs",
            "crossing µs",
            "sync - async µs (90 % CI)",
            "hop x floor (90 % CI)",
            "crossing x floor (90 % CI)",
            "asyncio's hand-over - async µs (90 % CI)",
        ],
        [
            [
                "over the network" if r["where"] == "network" else "answered in memory",
                str(r["callers"]) + (" (threads / tasks)" if r["callers"] > 1 else ""),
                f(r["async"], 1),
                f(r["sync"], 1),
                f(r["floor"], 1),
                f(r["crossing"], 1),
                report.ci(r["extra_us"], 1),
                report.ci(r["hop_x_floor"]),
                report.ci(r["crossing_x_floor"]),
                report.ci(r["handover_us"], 1) if r["handover_us"] else "-",
            ]
            for r in rows
        ],
        "llrrrrrrrr",
    )
