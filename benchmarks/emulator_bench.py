"""Emulator throughput: creates/s through ``AsyncStripeIdentity`` at C=16 against the embedded emulator.

Skipped (with the reason recorded) while ``stripe_identity.emulator`` cannot be imported. The
emulator is hosted in its own spawned process on the server core, so its CPU time per request is
measured apart from the client's (from ``/proc/<pid>/stat``, clock-tick resolution; runs are long
enough for that to be well under 1 %).
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import statistics
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from . import sysinfo
from .clients import CLIENTS
from .worker import ClientWorker

__all__ = ["run_emulator_bench"]


def _host(conn: Connection, core: int | None) -> None:
    sysinfo.pin(core)
    try:
        from stripe_identity.emulator import Emulator
    except Exception as exc:  # not built yet, or broken: skip, saying why
        conn.send(("skip", f"stripe_identity.emulator is not importable: {type(exc).__name__}: {exc}"))
        return

    async def main() -> None:
        async with Emulator() as emu:
            conn.send(("ready", emu.api_base))
            loop = asyncio.get_running_loop()
            stop: asyncio.Future[None] = loop.create_future()

            def on_message() -> None:
                if not stop.done():
                    stop.set_result(None)

            loop.add_reader(conn.fileno(), on_message)
            await stop

    try:
        asyncio.run(main())
    except Exception as exc:
        conn.send(("skip", f"the emulator failed to start: {type(exc).__name__}: {exc}"))


def run_emulator_bench(
    n: int,
    reps: int,
    concurrency: int,
    client_core: int | None,
    server_core: int | None,
    progress: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    ctx = multiprocessing.get_context("spawn")
    conn, child = ctx.Pipe()
    proc = ctx.Process(target=_host, args=(child, server_core), name="emulator", daemon=True)
    proc.start()
    child.close()
    try:
        if not conn.poll(60):
            return {"skipped": "the emulator did not start within 60 s"}
        status, detail = conn.recv()
        if status != "ready":
            return {"skipped": detail}
        api_base: str = detail
        spec = next(s for s in CLIENTS if s.name == "si-async")
        runs: list[dict[str, Any]] = []
        with ClientWorker(spec, api_base, None, client_core) as worker:
            worker.run("POST", concurrency, max(200, n // 10), 0, -1)  # warm-up
            for rep in range(reps):
                progress(f"emulator rep {rep + 1}/{reps}")
                assert proc.pid is not None
                before = sysinfo.process_cpu_s(proc.pid)
                result = worker.run("POST", concurrency, n, 0, rep)
                after = sysinfo.process_cpu_s(proc.pid)
                emulator_us = (after - before) / n * 1e6 if before is not None and after else None
                runs.append(
                    {
                        "rps": result.rps,
                        "client_cpu_us_per_req": result.cpu_us_per_req,
                        "emulator_cpu_us_per_req": emulator_us,
                        "p50_ms": result.latency["p50_ms"],
                        "p99_ms": result.latency["p99_ms"],
                        "errors": result.errors,
                        "first_error": result.first_error,
                    }
                )
    finally:
        if proc.is_alive():
            with contextlib.suppress(OSError):
                conn.send(None)
            proc.join(10)
            if proc.is_alive():
                proc.kill()
                proc.join()
        conn.close()

    def med(key: str) -> float | None:
        values = [r[key] for r in runs if r[key] is not None]
        return statistics.median(values) if values else None

    return {
        "operation": "create (POST) with the nested params",
        "concurrency": concurrency,
        "n": n,
        "reps": reps,
        "emulator_process": "separate (spawned, pinned to the server core)",
        "rps": med("rps"),
        "client_cpu_us_per_req": med("client_cpu_us_per_req"),
        "emulator_cpu_us_per_req": med("emulator_cpu_us_per_req"),
        "p50_ms": med("p50_ms"),
        "p99_ms": med("p99_ms"),
        "errors": sum(r["errors"] for r in runs),
        "runs": runs,
    }
