"""The orchestration: start the server and one worker per client, interleave the runs, collect.

Interleaving: every repetition runs every workload (op x concurrency) for every client before the
next repetition starts, and the client order rotates from one workload to the next, so no client
always runs first (on a warm cache) or last (after a neighbour's noise). Ratios are then taken within
a repetition (see ``analysis``).
"""

from __future__ import annotations

import datetime
import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from . import analysis, sysinfo
from .clients import ClientSpec, Contender
from .downloads import run_downloads
from .emulator_bench import run_emulator_bench
from .micro import run_micro
from .paired import paired_summary, run_paired
from .progress import Progress
from .soak import run_soak
from .static_server import FILE_SIZE, StaticServer
from .worker import ClientWorker

__all__ = ["Options", "run_soak_mode", "run_suite"]

T = TypeVar("T")


@dataclass(frozen=True)
class Options:
    n: int
    reps: int
    concurrency: Sequence[int]
    ops: Sequence[str]
    clients: Sequence[ClientSpec]
    sections: frozenset[str]
    quick: bool
    warmup: int | None
    emulator_n: int
    command: str
    #: The static server busy-polls (the default) or sleeps between requests.
    server_poll: bool = True
    #: The paired section: repetitions (ABBA blocks of raw aiohttp and the SDK).
    paired_reps: int = 20


def _isolated(core: int | None, fn: Callable[..., T], *args: Any) -> T:
    """Run ``fn`` in a fresh spawned process pinned to ``core``: clean heap, own libraries."""
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=ctx, initializer=sysinfo.pin, initargs=(core,)) as pool:
        return pool.submit(fn, *args).result()


def _warmup(opts: Options, concurrency: int) -> int:
    if opts.warmup is not None:
        return opts.warmup
    # Enough for every caller (every thread, for per-thread connection pools) to connect first.
    return max(2 * concurrency, min(opts.n // 5, 500))


def _meta(opts: Options, client_core: int | None, server_core: int | None) -> dict[str, Any]:
    return {
        "generated_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": opts.command,
        "n": opts.n,
        "reps": opts.reps,
        "concurrency": list(opts.concurrency),
        "ops": list(opts.ops),
        "clients": [spec.name for spec in opts.clients],
        "client_core": client_core,
        "server_core": server_core,
        "machine": sysinfo.machine(),
        "versions": sysinfo.library_versions(),
        "sdk_revision": sysinfo.sdk_revision(),
        "json_decoder_raw_aiohttp": "orjson.loads",
        "closed_loop": True,
        "server_poll": opts.server_poll,
    }


def _run_load(
    opts: Options, server: StaticServer, core: int | None, progress: Progress
) -> list[dict[str, Any]]:
    workloads = [(op, conc) for op in opts.ops for conc in opts.concurrency]
    progress.total = opts.reps * len(workloads) * len(opts.clients)
    runs: list[dict[str, Any]] = []
    workers: dict[str, ClientWorker] = {}
    try:
        for spec in opts.clients:
            progress.note(f"starting worker {spec.name}", True)
            workers[spec.name] = ClientWorker(spec, server.url, server.port, core)
        turn = 0
        for rep in range(opts.reps):
            for op, conc in workloads:
                shift = turn % len(opts.clients)
                order = [*opts.clients[shift:], *opts.clients[:shift]]
                turn += 1
                for spec in order:
                    progress.note(f"rep {rep + 1}/{opts.reps} {op} C={conc} {spec.name} ...", True)
                    result = workers[spec.name].run(op, conc, opts.n, _warmup(opts, conc), rep)
                    runs.append(result.to_json())
                    progress.step(
                        f"rep {rep + 1}/{opts.reps} {op} C={conc} {spec.name}: {result.rps:,.0f} req/s, "
                        f"{result.cpu_us_per_req:,.0f} µs CPU/req"
                        + (f", {result.errors} ERRORS" if result.errors else "")
                    )
    finally:
        for worker in workers.values():
            worker.close()
    return runs


def run_suite(opts: Options, progress: Progress) -> dict[str, Any]:
    client_core, server_core = sysinfo.cpu_plan()
    result: dict[str, Any] = {"meta": _meta(opts, client_core, server_core)}  # before pinning
    sysinfo.pin(client_core)  # the harness itself mostly waits; keep it off the server's core
    with StaticServer(server_core, poll=opts.server_poll) as server:
        if "load" in opts.sections:
            result["runs"] = _run_load(opts, server, client_core, progress)
            result["summary"] = analysis.summarize(result["runs"])
        if "paired" in opts.sections:
            progress.note("paired runs ...")
            contenders = [Contender.parse("raw-aiohttp"), Contender.parse("si-async")]
            ops = [op for op in opts.ops if op in ("GET", "POST")]
            levels = [c for c in opts.concurrency if c > 1] or list(opts.concurrency)
            blocks = run_paired(
                contenders,
                server.url,
                server.port,
                client_core,
                ops=ops,
                concurrency=levels,
                n=opts.n,
                reps=opts.paired_reps,
                warmup=lambda conc: _warmup(opts, conc),
                progress=progress,
            )
            result["paired"] = {
                "baseline": "raw-aiohttp",
                "n": opts.n,
                "reps": opts.paired_reps,
                "contenders": [c.key for c in contenders],
                "summary": paired_summary(blocks, "raw-aiohttp"),
                "blocks": blocks,
            }
        if "downloads" in opts.sections:
            progress.note("downloads ...")
            result["downloads"] = run_downloads(
                server.url, client_core, FILE_SIZE, 2 if opts.quick else 4, 3 if opts.quick else 9
            )
        if "micro" in opts.sections:
            progress.note("micro-benchmarks ...")
            result["micro"] = _isolated(client_core, run_micro, server.url, opts.quick)
    if "emulator" in opts.sections:
        progress.note("emulator ...")
        result["emulator"] = run_emulator_bench(
            opts.emulator_n, 2 if opts.quick else 3, 16, client_core, server_core, progress.note
        )
    progress.finish()
    return result


def run_soak_mode(total: int, progress: Progress) -> dict[str, Any]:
    client_core, server_core = sysinfo.cpu_plan()
    sysinfo.pin(client_core)
    progress.note(f"soak: {total:,} requests ...")
    with StaticServer(server_core) as server:
        soak = _isolated(client_core, run_soak, server.url, server.port, total)
    soak["generated_at"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    soak["client_core"], soak["server_core"] = client_core, server_core
    progress.finish()
    return soak


def output_paths(out: Path) -> tuple[Path, Path]:
    """The JSON file and the chart next to it."""
    return out, out.with_suffix(".png")
