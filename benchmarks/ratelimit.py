"""Rate limits: N creates at concurrency C against an emulator that enforces a limit, four ways.

``python -m benchmarks --rate-limit [PER_SECOND]``. The emulator (``rate_limits=PER_SECOND``, a
scaled limit so that a run takes seconds, not hours) runs in its own spawned process pinned to the
server core, as in the emulator section; each scenario runs in a fresh spawned client process on the
client core, after the emulator is reset (full buckets, empty store). The scenarios:

* ``unpaced-noretry``: no pacing, ``max_retries=0``: every 429 is a ``RateLimitError``;
* ``unpaced-retries``: no pacing, the default retries (2, exponential backoff from 0.5 s);
* ``fixed``: ``rate_limit=PER_SECOND``, the client paced at the limit (default retries);
* ``adaptive``: ``rate_limit=AdaptiveRateLimiter(2 * PER_SECOND)``, which must find the limit from
  the 429s it gets (default retries).

A per-attempt middleware records when each attempt was sent (after pacing) and answered, and its
status, so 429s are counted on the wire even when a retry hides them from the caller; the emulator's
own counters (``stats()["rate_limits"]``) are recorded next to them. Throughput is completed calls
over wall time, as a fraction of the limit; "last half" counts the successful answers of the second
half of the run only (for the adaptive limiter: once converged).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime
import math
import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.connection import Connection
from typing import Any

from . import sysinfo
from .analysis import _target
from .fixtures import API_KEY, CREATE_PARAMS

__all__ = ["SCENARIOS", "run_ratelimit_bench", "targets"]

#: name -> label, in the order they run and are reported.
SCENARIOS: dict[str, str] = {
    "unpaced-noretry": "(a) no pacing, max_retries=0",
    "unpaced-retries": "(b) no pacing, default retries",
    "fixed": "(c) fixed pacing at the limit",
    "adaptive": "(d) adaptive pacing from 2x the limit",
}

_BIN_S = 0.5  # timeline resolution; the chart shows it as requests per second
_RATE_SAMPLE_S = 0.1  # how often the adaptive limiter's rate is sampled


# --- the emulator's process ----------------------------------------------------------------------


def _host(conn: Connection, core: int | None, limit: int) -> None:
    """Serve an emulator with ``limit`` requests/s per key; answer "stats" and "reset" until told
    to stop (any other message, or the pipe closing)."""
    sysinfo.pin(core)
    try:
        from stripe_identity.emulator import Emulator, RateLimits
    except Exception as exc:
        conn.send(("skip", f"stripe_identity.emulator is not importable: {type(exc).__name__}: {exc}"))
        return

    async def main() -> None:
        async with Emulator(rate_limits=RateLimits.scaled(limit)) as emu:
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
    except Exception as exc:
        conn.send(("skip", f"the emulator failed: {type(exc).__name__}: {exc}"))


class _EmulatorProcess:
    def __init__(self, core: int | None, limit: int) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(
            target=_host, args=(child, core, limit), name="emulator-ratelimit", daemon=True
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

    def ask(self, message: str) -> Any:
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


# --- one scenario, in its own client process -----------------------------------------------------


def _bins(times: list[float], end: float) -> list[int]:
    counts = [0] * (math.floor(end / _BIN_S) + 1)
    for t in times:
        counts[min(len(counts) - 1, max(0, math.floor(t / _BIN_S)))] += 1
    return counts


def _percentile(sorted_values: list[float], q: float) -> float | None:
    if not sorted_values:
        return None
    return sorted_values[min(len(sorted_values) - 1, math.floor(q * len(sorted_values)))]


async def _scenario(api_base: str, name: str, n: int, concurrency: int, limit: int) -> dict[str, Any]:
    import stripe_identity as si
    from stripe_identity._middleware import Handler
    from stripe_identity._response import Request, Response

    # (sent, answered, status): seconds since the start; status 0 when no response came back.
    attempts: list[tuple[float, float, int]] = []
    clock = time.monotonic
    t0 = clock()

    async def record(request: Request, call_next: Handler) -> Response:
        sent = clock() - t0
        try:
            response = await call_next(request)
        except si.APIConnectionError:
            attempts.append((sent, clock() - t0, 0))
            raise
        attempts.append((sent, clock() - t0, response.status))
        return response

    adaptive: si.AdaptiveRateLimiter | None = None
    options: dict[str, Any] = {"middlewares": [record]}
    if name == "unpaced-noretry":
        options["max_retries"] = 0
    elif name == "fixed":
        options["rate_limit"] = limit
    elif name == "adaptive":
        adaptive = si.AdaptiveRateLimiter(2 * limit)
        options["rate_limit"] = adaptive
    elif name != "unpaced-retries":
        raise ValueError(f"unknown scenario {name!r}")

    errors: collections.Counter[str] = collections.Counter()
    latencies: list[float] = []
    rates: list[tuple[float, float]] = []
    completed = 0
    remaining = iter(range(n))

    async def caller(client: si.AsyncStripeIdentity) -> None:
        nonlocal completed
        for _ in remaining:
            started = clock()
            try:
                await client.verification_sessions.create(CREATE_PARAMS)
            except si.StripeError as exc:
                errors[type(exc).__name__] += 1
                continue
            latencies.append(clock() - started)
            completed += 1

    async def sample_rate(limiter: si.AdaptiveRateLimiter) -> None:
        while True:
            rates.append((clock() - t0, limiter.rate))
            await asyncio.sleep(_RATE_SAMPLE_S)

    async with si.AsyncStripeIdentity(API_KEY, api_base=api_base, **options) as client:
        t0 = clock()
        sampler = asyncio.ensure_future(sample_rate(adaptive)) if adaptive is not None else None
        await asyncio.gather(*(caller(client) for _ in range(concurrency)))
        wall = clock() - t0
        if sampler is not None:
            sampler.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sampler
    if adaptive is not None:
        rates.append((wall, adaptive.rate))

    statuses = collections.Counter(status for _, _, status in attempts)
    ok_answered = [answered for _, answered, status in attempts if status == 200]
    half = wall / 2
    last_half_ok = sum(1 for t in ok_answered if t >= half)
    latencies.sort()
    return {
        "name": name,
        "label": SCENARIOS[name],
        "n": n,
        "concurrency": concurrency,
        "limit": limit,
        "completed": completed,
        "errors": dict(errors),
        "attempts": len(attempts),
        "attempts_by_status": {str(k): v for k, v in sorted(statuses.items())},
        "attempts_429": statuses[429],
        "share_429": statuses[429] / len(attempts) if attempts else 0.0,
        "wall_s": wall,
        "throughput_rps": completed / wall if wall else 0.0,
        "throughput_x_limit": completed / wall / limit if wall else 0.0,
        "last_half_rps": last_half_ok / half if half else 0.0,
        "last_half_x_limit": last_half_ok / half / limit if half else 0.0,
        "latency_p50_s": _percentile(latencies, 0.5),
        "latency_p99_s": _percentile(latencies, 0.99),
        "timeline": {
            "bin_s": _BIN_S,
            "sent_200": _bins([s for s, _, st in attempts if st == 200], wall),
            "sent_429": _bins([s for s, _, st in attempts if st == 429], wall),
            "sent_other": _bins([s for s, _, st in attempts if st not in (200, 429)], wall),
        },
        "limiter_rate": [(round(t, 3), round(r, 2)) for t, r in rates] if adaptive else None,
        "limiter_final_rate": adaptive.rate if adaptive else None,
        "limiter_decreases": adaptive.decreases if adaptive else None,
    }


def _scenario_process(api_base: str, name: str, n: int, concurrency: int, limit: int) -> dict[str, Any]:
    return asyncio.run(_scenario(api_base, name, n, concurrency, limit))


# --- the harness ---------------------------------------------------------------------------------


def targets(scenarios: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The issue's "done when" figures, each with the measured value and a verdict."""
    fixed, adaptive = scenarios.get("fixed"), scenarios.get("adaptive")

    def get(row: dict[str, Any] | None, fn: Callable[[dict[str, Any]], float]) -> float | None:
        return fn(row) if row else None

    return [
        _target(
            "fixed pacing: RateLimitError raised",
            get(fixed, lambda r: r["errors"].get("RateLimitError", 0)),
            "<=",
            0,
        ),
        _target(
            "fixed pacing: share of attempts answered 429",
            get(fixed, lambda r: r["share_429"]),
            "<=",
            0.01,
        ),
        _target(
            "fixed pacing: throughput x limit", get(fixed, lambda r: r["throughput_x_limit"]), ">=", 0.9
        ),
        _target(
            "adaptive from 2x: errors raised",
            get(adaptive, lambda r: sum(r["errors"].values())),
            "<=",
            0,
        ),
        _target(
            "adaptive from 2x: throughput x limit once converged (last half)",
            get(adaptive, lambda r: r["last_half_x_limit"]),
            ">=",
            0.8,
        ),
    ]


def run_ratelimit_bench(
    n: int,
    concurrency: int,
    limit: int,
    command: str,
    progress: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    client_core, server_core = sysinfo.cpu_plan()
    result: dict[str, Any] = {
        "generated_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": command,
        "n": n,
        "concurrency": concurrency,
        "limit": limit,
        "client_core": client_core,
        "server_core": server_core,
        "machine": sysinfo.machine(),
        "versions": sysinfo.library_versions(),
        "sdk_revision": sysinfo.sdk_revision(),
        "emulator_process": "its own spawned process, pinned to the server core",
    }
    sysinfo.pin(client_core)
    emulator = _EmulatorProcess(server_core, limit)
    try:
        if emulator.api_base is None:
            result["skipped"] = emulator.skipped
            return result
        scenarios: dict[str, dict[str, Any]] = {}
        ctx = multiprocessing.get_context("spawn")
        for name, label in SCENARIOS.items():
            emulator.ask("reset")  # full buckets and an empty store for each scenario
            progress(f"rate limit: {label} ...")
            with ProcessPoolExecutor(
                1, mp_context=ctx, initializer=sysinfo.pin, initargs=(client_core,)
            ) as pool:
                row = pool.submit(
                    _scenario_process, emulator.api_base, name, n, concurrency, limit
                ).result()
            server = emulator.ask("stats")
            row["server"] = {
                "requests": server["requests"],
                "by_status": server["by_status"],
                **server["rate_limits"],
            }
            scenarios[name] = row
            progress(
                f"rate limit: {label}: {row['completed']:,} completed, {row['attempts_429']:,} 429s, "
                f"{sum(row['errors'].values()):,} errors, {row['wall_s']:.1f} s"
            )
        result["scenarios"] = list(scenarios.values())
        result["targets"] = targets(scenarios)
    finally:
        emulator.close()
    return result
