"""The emulator in its own process, and the full run's *emulator* section: creates per second
through ``AsyncStripeIdentity`` at C=16 against ``stripe_identity.emulator.Emulator``.

The emulator is hosted in a spawned process pinned to the server core, so its CPU time per request
(from ``/proc/<pid>/stat``, clock-tick resolution; runs are long enough for that to be well under
1 %) is measured apart from the client's. ``--rate-limit`` hosts it the same way, with a limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import statistics
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from . import report, sysinfo
from .clients import CLIENTS
from .worker import ClientWorker

__all__ = ["EmulatorProcess", "emulator_markdown", "run_emulator_bench"]


def _host(conn: Connection, core: int | None, rate_limit: int | str | None, latency: float) -> None:
    """Serve an emulator; answer "stats" and "reset" until told anything else (or the pipe closes)."""
    sysinfo.pin(core)

    async def main() -> None:
        from stripe_identity.emulator import Emulator

        async with Emulator(rate_limits=rate_limit, latency=latency) as emu:
            conn.send(("ready", emu.api_base))
            loop = asyncio.get_running_loop()
            stop: asyncio.Future[None] = loop.create_future()

            def on_message() -> None:
                try:
                    message = conn.recv()
                except EOFError:
                    message = None
                if message == "stats":
                    conn.send(emu.stats())
                elif message == "reset":
                    emu.reset()
                    conn.send("ok")
                elif not stop.done():
                    stop.set_result(None)

            loop.add_reader(conn.fileno(), on_message)
            await stop

    try:
        asyncio.run(main())
    except Exception as exc:  # reported as the section's result, not a crash of the whole run
        conn.send(("skip", f"the emulator failed: {type(exc).__name__}: {exc}"))


class EmulatorProcess:
    """``api_base`` once it serves, else ``skipped`` says why."""

    def __init__(
        self, core: int | None, rate_limit: int | str | None = None, latency: float = 0.0
    ) -> None:
        """``latency``: seconds the emulator adds to every API request (an API far away)."""
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(
            target=_host, args=(child, core, rate_limit, latency), name="emulator", daemon=True
        )
        self._proc.start()
        child.close()
        self.api_base: str | None = None
        self.skipped: str | None = None
        if not self._conn.poll(60):
            self.skipped = "the emulator did not start within 60 s"
            return
        try:
            status, detail = self._conn.recv()
        except EOFError:
            status, detail = "skip", "the emulator's process exited before it was ready"
        if status == "ready":
            self.api_base = detail
        else:
            self.skipped = detail

    @property
    def pid(self) -> int | None:
        return self._proc.pid

    def ask(self, message: str) -> Any:
        """``"stats"``: the emulator's counters; ``"reset"``: full buckets and an empty store."""
        self._conn.send(message)
        if not self._conn.poll(60):
            raise TimeoutError(f"the emulator did not answer {message!r} within 60 s")
        return self._conn.recv()

    def close(self) -> None:
        if self._proc.is_alive():
            with contextlib.suppress(OSError):
                self._conn.send(None)
            self._proc.join(10)
            if self._proc.is_alive():
                self._proc.kill()
                self._proc.join()
        self._conn.close()


def run_emulator_bench(
    n: int,
    reps: int,
    concurrency: int,
    client_core: int | None,
    server_core: int | None,
    progress: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    emulator = EmulatorProcess(server_core)
    runs: list[dict[str, Any]] = []
    try:
        if emulator.api_base is None or emulator.pid is None:
            return {"skipped": emulator.skipped}
        spec = next(s for s in CLIENTS if s.name == "si-async")
        with ClientWorker(spec, emulator.api_base, None, client_core) as worker:
            worker.run("POST", concurrency, max(200, n // 10), 0, -1)  # warm-up
            for rep in range(reps):
                progress(f"emulator rep {rep + 1}/{reps}")
                before = sysinfo.process_cpu_s(emulator.pid)
                result = worker.run("POST", concurrency, n, 0, rep)
                after = sysinfo.process_cpu_s(emulator.pid)
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
        emulator.close()

    def med(key: str) -> float | None:
        values = [r[key] for r in runs if r[key] is not None]
        return statistics.median(values) if values else None

    return {
        "concurrency": concurrency,
        "n": n,
        "reps": reps,
        "rps": med("rps"),
        "client_cpu_us_per_req": med("client_cpu_us_per_req"),
        "emulator_cpu_us_per_req": med("emulator_cpu_us_per_req"),
        "p50_ms": med("p50_ms"),
        "p99_ms": med("p99_ms"),
        "errors": sum(r["errors"] for r in runs),
        "runs": runs,
    }


def emulator_markdown(emu: dict[str, Any]) -> list[str]:
    lines = ["### Emulator throughput", ""]
    if "skipped" in emu:
        return [*lines, f"Skipped: {emu['skipped']}"]
    f = report.fmt
    lines += [
        "AsyncStripeIdentity creates against `stripe_identity.emulator.Emulator` at "
        f"C={emu['concurrency']}, {emu['n']:,} per run, {emu['reps']} runs; the emulator in its own "
        "process, on the server core.",
        "",
    ]
    lines += report.table(
        ["creates/s", "p50 ms", "p99 ms", "client CPU µs/req", "emulator CPU µs/req", "errors"],
        [
            [
                f(emu["rps"]),
                f(emu["p50_ms"], 2),
                f(emu["p99_ms"], 2),
                f(emu["client_cpu_us_per_req"]),
                f(emu["emulator_cpu_us_per_req"]),
                str(emu["errors"]),
            ]
        ],
        "rrrrrr",
    )
    return lines
