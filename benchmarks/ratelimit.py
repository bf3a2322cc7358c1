"""Rate limits: N creates at concurrency C against an emulator that enforces a limit, four ways.

``python -m benchmarks --rate-limit [PER_SECOND]``. The emulator (``rate_limits=PER_SECOND``, a
scaled limit so that a run takes seconds, not hours) runs in its own process on the server core
(:class:`EmulatorProcess`); each scenario runs in a fresh client process on the client core, after
the emulator is reset (full buckets, empty store). The scenarios:

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
import time
from typing import Any

from . import report, sysinfo
from .emulator_bench import EmulatorProcess
from .fixtures import API_KEY, CREATE_PARAMS
from .options import Options
from .progress import Progress
from .stats import interval, percentile
from .worker import run_isolated

__all__ = ["SCENARIOS", "markdown", "render", "run"]

#: name -> label, in the order they run and are reported.
SCENARIOS: dict[str, str] = {
    "unpaced-noretry": "(a) no pacing, max_retries=0",
    "unpaced-retries": "(b) no pacing, default retries",
    "fixed": "(c) fixed pacing at the limit",
    "adaptive": "(d) adaptive pacing from 2x the limit",
}

_RATE_SAMPLE_S = 0.1  # how often the adaptive limiter's rate is sampled


async def _scenario(api_base: str, name: str, n: int, concurrency: int, limit: int) -> dict[str, Any]:
    import stripe_identity as si

    # (sent, answered, status): seconds since the start; status 0 when no response came back.
    attempts: list[tuple[float, float, int]] = []
    clock = time.monotonic
    t0 = clock()

    async def record(request: si.Request, call_next: si.Handler) -> si.Response:
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
        "latency_p50_s": percentile(latencies, 50),
        "latency_p99_s": percentile(latencies, 99),
        "limiter_rate": [(round(t, 3), round(r, 2)) for t, r in rates] if adaptive else None,
        "limiter_final_rate": adaptive.rate if adaptive else None,
        "limiter_decreases": adaptive.decreases if adaptive else None,
    }


def _scenario_process(api_base: str, name: str, n: int, concurrency: int, limit: int) -> dict[str, Any]:
    return asyncio.run(_scenario(api_base, name, n, concurrency, limit))


#: The paced scenarios, run ``--reps`` times (5 by default) for an interval on their figures.
PACED = ("fixed", "adaptive")


def _paced_summary(runs: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    return {
        name: {
            "reps": len(rows),
            "x_limit": interval([r["throughput_x_limit"] for r in rows]),
            "last_half_x_limit": interval([r["last_half_x_limit"] for r in rows]),
            "share_429": interval([r["share_429"] for r in rows]),
            "errors": sum(sum(r["errors"].values()) for r in rows),
            "rate_limit_errors": sum(r["errors"].get("RateLimitError", 0) for r in rows),
            "max_share_429": max(r["share_429"] for r in rows),
        }
        for name, rows in runs.items()
        if rows
    }


def _targets(paced: dict[str, Any]) -> list[dict[str, Any]]:
    """What pacing must achieve, each with the measured value and a verdict."""
    fixed, adaptive = paced.get("fixed"), paced.get("adaptive")
    out = []
    if fixed:
        out += [
            report.target("fixed pacing: RateLimitError raised", fixed["rate_limit_errors"], "<=", 0),
            report.target(
                "fixed pacing: share of attempts answered 429 (worst run)",
                fixed["max_share_429"],
                "<=",
                0.01,
            ),
            report.target(
                "fixed pacing: throughput x limit",
                fixed["x_limit"]["median"],
                ">=",
                0.9,
                fixed["x_limit"],
            ),
        ]
    if adaptive:
        out += [
            report.target("adaptive from 2x: errors raised", adaptive["errors"], "<=", 0),
            report.target(
                "adaptive from 2x: throughput x limit over the run's second half",
                adaptive["last_half_x_limit"]["median"],
                ">=",
                0.97,
                adaptive["last_half_x_limit"],
            ),
        ]
    return out


def run(opts: Options, progress: Progress) -> dict[str, Any]:
    """The ``--rate-limit`` mode: the four scenarios, one after the other."""
    limit = opts.value or 100
    if limit < 1:
        raise SystemExit("--rate-limit: a positive number of requests per second")
    if opts.concurrency is not None and len(opts.concurrency) != 1:
        raise SystemExit("--rate-limit runs at one --concurrency level")
    n = opts.n or (600 if opts.quick else 3000)
    reps = opts.reps or (1 if opts.quick else 5)
    concurrency = opts.concurrency[0] if opts.concurrency else 200
    result: dict[str, Any] = {
        "meta": report.run_meta(opts.command),
        "n": n,
        "reps": reps,
        "concurrency": concurrency,
        "limit": limit,
    }
    client_core, server_core = sysinfo.cpu_plan()
    sysinfo.pin(client_core)
    emulator = EmulatorProcess(server_core, limit)
    try:
        if emulator.api_base is None:
            result["skipped"] = emulator.skipped
            return result
        scenarios: dict[str, dict[str, Any]] = {}
        paced: dict[str, list[dict[str, Any]]] = {name: [] for name in PACED}
        plan = [name for name in SCENARIOS if name not in PACED]
        for rep in range(reps):  # the paced ones alternate, fixed first on even repetitions
            plan += list(PACED) if rep % 2 == 0 else list(reversed(PACED))
        for name in plan:
            label = SCENARIOS[name]
            emulator.ask("reset")  # full buckets and an empty store for each scenario
            progress.note(f"rate limit: {label} ...")
            row = run_isolated(
                client_core, _scenario_process, emulator.api_base, name, n, concurrency, limit
            )
            server = emulator.ask("stats")
            row["server"] = {
                "requests": server["requests"],
                "by_status": server["by_status"],
                **server["rate_limits"],
            }
            scenarios.setdefault(name, row)
            if name in paced:
                paced[name].append(row)
            progress.note(
                f"rate limit: {label}: {row['completed']:,} completed, {row['attempts_429']:,} 429s, "
                f"{sum(row['errors'].values()):,} errors, {row['wall_s']:.1f} s, last half "
                f"{row['last_half_x_limit']:.2f}x the limit"
            )
        result["scenarios"] = [scenarios[name] for name in SCENARIOS if name in scenarios]
        result["paced_runs"] = paced
        result["paced"] = _paced_summary(paced)
        result["targets"] = _targets(result["paced"])
    finally:
        emulator.close()
        progress.finish()
    return result


def render(rl: dict[str, Any]) -> str:
    return "\n".join([*report.header(rl["meta"]), *markdown(rl)]) + "\n"


def markdown(rl: dict[str, Any]) -> list[str]:
    """The section's tables and targets (the full run prints them under its own header)."""
    """One row per scenario, then the targets."""
    lines = ["### Rate limits", ""]
    if "skipped" in rl:
        return [*lines, f"Skipped: {rl['skipped']}"]
    f = report.fmt
    lines += [
        f"{rl['n']:,} creates per scenario at C={rl['concurrency']} against the emulator limited to "
        f"{rl['limit']} requests/s per key (reset before each scenario, so its bucket starts full).",
        "",
    ]
    lines += report.table(
        [
            "scenario",
            "completed",
            "errors raised",
            "attempts",
            "429s on the wire",
            "429 share",
            "wall s",
            "req/s",
            "x limit",
            "last half x limit",
            "p50 s",
            "p99 s",
            "emulator admitted / refused",
        ],
        [
            [
                r["label"],
                f(r["completed"]),
                ", ".join(f"{c:,} {name}" for name, c in sorted(r["errors"].items())) or "0",
                f(r["attempts"]),
                f(r["attempts_429"]),
                f(r["share_429"] * 100, 1, " %"),
                f(r["wall_s"], 1),
                f(r["throughput_rps"], 1),
                f(r["throughput_x_limit"], 2),
                f(r["last_half_x_limit"], 2),
                f(r["latency_p50_s"], 2),
                f(r["latency_p99_s"], 2),
                f"{f(r['server']['admitted'])} / {f(sum(r['server']['limited'].values()))}",
            ]
            for r in rl["scenarios"]
        ],
        "lrlrrrrrrrrrr",
    )
    paced = rl.get("paced") or {}
    if paced:
        lines += [
            "",
            f"The paced scenarios, {rl.get('reps', 1)} runs each (alternating): medians with "
            "their 90 % intervals.",
            "",
            *report.table(
                ["scenario", "runs", "x limit", "last half x limit", "429 share", "errors raised"],
                [
                    [
                        SCENARIOS[name],
                        str(p["reps"]),
                        report.ci(p["x_limit"]),
                        report.ci(p["last_half_x_limit"]),
                        report.ci(p["share_429"]),
                        f(p["errors"]),
                    ]
                    for name, p in paced.items()
                ],
                "lrrrrr",
            ),
        ]
    adaptive = next((r for r in rl["scenarios"] if r["limiter_rate"]), None)
    if adaptive is not None:
        lines += [
            "",
            f"Adaptive limiter: {adaptive['limiter_decreases']} decreases; rate at the end "
            f"{adaptive['limiter_final_rate']:.1f}/s (limit {rl['limit']}/s).",
        ]
    if rl.get("targets"):
        lines += ["", *report.target_lines(rl["targets"], "#### Targets")]
    return lines
