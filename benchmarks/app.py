"""``--app``: the figure users choose by, from a real application against an API far away.

The application (:mod:`benchmarks.app_server`: Starlette on uvicorn, creating sessions and verifying
webhooks) runs with each client of :data:`~benchmarks.app_server.BACKENDS`, each in its own process
on the client core, against the emulator on the other core with ``--app LATENCY_MS`` added to
every API request (30 ms by default: an API across a continent). A load generator (aiohttp, in
this process, beside the emulator) keeps C requests in flight, closed loop:

* *sessions*: ``POST /sessions``, one create through the client each;
* *webhooks*: ``POST /webhook`` with a signed event, verified and parsed by the client's library.

Per block: the app's CPU time per request (``/proc/<pid>/stat``), throughput, and p50/p99 of the
latency the load generator sees. Each repetition starts a new process for every app and runs them
in ABBA order, two blocks each, the emulator reset before every block; the ratios of this SDK
against each stripe-python transport are taken per repetition, then reduced to their median with
the 90 % interval of :mod:`benchmarks.stats`. Every block also checks that each create returned a
different session and that the emulator holds exactly those (none lost, none created twice).
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from . import report, sysinfo
from .app_server import BACKENDS, WEBHOOK_SECRET, AppProcess, event_payload
from .emulator_bench import EmulatorProcess
from .options import Options
from .progress import Progress
from .stats import interval, latency_summary, median

__all__ = ["markdown", "render", "run"]

ROUTES = ("sessions", "webhooks")
LATENCY_MS = 30
#: (measure, the direction that is better) of the paired ratios.
MEASURES = (("cpu_us_per_req", "lower"), ("rps", "higher"), ("p50_ms", "lower"), ("p99_ms", "lower"))


async def _drive(url: str, route: str, n: int, concurrency: int, block: int) -> dict[str, Any]:
    """``n`` requests, ``concurrency`` at a time: latencies, wall time, errors, session ids."""
    import aiohttp

    from stripe_identity.webhooks import generate_test_header

    payload = event_payload()
    header = generate_test_header(payload, WEBHOOK_SECRET)
    latencies: list[int] = []
    ids: list[str] = []
    errors: list[str] = []
    counter = iter(range(n))

    async def caller(http: aiohttp.ClientSession) -> None:
        for i in counter:
            started = time.perf_counter_ns()
            try:
                if route == "sessions":
                    async with http.post(f"{url}/sessions?ref=b{block}r{i}") as resp:
                        body = await resp.json()
                        if resp.status != 200 or not body["id"].startswith("vs_"):
                            raise RuntimeError(f"HTTP {resp.status}: {body}")
                        ids.append(body["id"])
                else:
                    headers = {"Stripe-Signature": header, "Content-Type": "application/json"}
                    async with http.post(f"{url}/webhook", data=payload, headers=headers) as resp:
                        body = await resp.json()
                        verified = body.get("received") == "identity.verification_session.verified"
                        if resp.status != 200 or not verified:
                            raise RuntimeError(f"HTTP {resp.status}: {body}")
            except Exception as exc:  # counted and reported: a block with errors is flagged
                errors.append(f"{type(exc).__name__}: {exc}"[:300])
                continue
            latencies.append(time.perf_counter_ns() - started)

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:
        started = time.perf_counter()
        await asyncio.gather(*(caller(http) for _ in range(concurrency)))
        wall = time.perf_counter() - started
    return {"latencies": latencies, "wall_s": wall, "errors": errors, "ids": ids}


def _block(
    app: AppProcess, emulator: EmulatorProcess, route: str, n: int, concurrency: int, block: int
) -> dict[str, Any]:
    emulator.ask("reset")
    before = app.cpu_s()
    outcome = asyncio.run(_drive(app.url, route, n, concurrency, block))
    cpu = app.cpu_s() - before
    done = len(outcome["latencies"])
    row: dict[str, Any] = {
        "backend": app.backend,
        "route": route,
        "n": n,
        "completed": done,
        "errors": len(outcome["errors"]),
        "first_error": outcome["errors"][0] if outcome["errors"] else None,
        "wall_s": outcome["wall_s"],
        "rps": done / outcome["wall_s"],
        "cpu_us_per_req": cpu / n * 1e6,
        **latency_summary(outcome["latencies"]),
    }
    if route == "sessions":
        stored = emulator.ask("stats")["sessions"]
        row["sessions_stored"] = stored
        row["sessions_consistent"] = len(set(outcome["ids"])) == len(outcome["ids"]) == stored
    return row


def run(opts: Options, progress: Progress) -> dict[str, Any]:
    n = opts.n or (200 if opts.quick else 2000)
    reps = opts.reps or (2 if opts.quick else 8)
    concurrency = opts.concurrency[0] if opts.concurrency else 64
    latency = (opts.value if opts.value is not None else LATENCY_MS) / 1e3
    backends = [b for b in BACKENDS if not opts.only or b in opts.only]
    result: dict[str, Any] = {
        "meta": report.run_meta(opts.command),
        "n": n,
        "reps": reps,
        "concurrency": concurrency,
        "latency_ms": latency * 1e3,
        "backends": backends,
    }
    client_core, server_core = sysinfo.cpu_plan()
    sysinfo.pin(server_core)  # the load generator shares the emulator's core, not the apps'
    emulator = EmulatorProcess(server_core, latency=latency)
    blocks: list[dict[str, Any]] = []
    progress.total = reps * len(backends) * len(ROUTES) * 2
    try:
        if emulator.api_base is None:
            result["skipped"] = emulator.skipped
            return result
        for rep in range(reps):
            apps = {b: AppProcess(b, emulator.api_base, client_core) for b in backends}
            try:
                for app in apps.values():  # pools, decoders, the first connections
                    for route in ROUTES:
                        _block(app, emulator, route, max(100, n // 10), concurrency, -1)
                shift = rep % len(backends)
                order = [*backends[shift:], *backends[:shift]]
                for route in ROUTES:
                    for index, backend in enumerate([*order, *reversed(order)]):
                        row = _block(apps[backend], emulator, route, n, concurrency, index)
                        blocks.append({**row, "rep": rep})
                        progress.step(
                            f"app rep {rep + 1}/{reps} {route} {backend}: {row['rps']:,.0f} req/s, "
                            f"{row['cpu_us_per_req']:,.0f} µs CPU/req, p99 {row['p99_ms']:.1f} ms"
                            + (f", {row['errors']} ERRORS" if row["errors"] else "")
                        )
            finally:
                for app in apps.values():
                    app.close()
    finally:
        emulator.close()
        progress.finish()
    result["blocks"] = blocks
    result["summary"] = summarize(blocks, backends)
    result["targets"] = targets(result["summary"])
    return result


def _combine(rows: Sequence[dict[str, Any]]) -> dict[str, float]:
    """One backend's two blocks of one repetition and route, as one measurement."""
    requests = sum(r["n"] for r in rows)
    return {
        "cpu_us_per_req": sum(r["cpu_us_per_req"] * r["n"] for r in rows) / requests,
        "rps": sum(r["completed"] for r in rows) / sum(r["wall_s"] for r in rows),
        "p50_ms": sum(r["p50_ms"] for r in rows) / len(rows),
        "p99_ms": sum(r["p99_ms"] for r in rows) / len(rows),
    }


def summarize(blocks: Sequence[dict[str, Any]], backends: Sequence[str]) -> dict[str, Any]:
    grouped: dict[tuple[str, int, str], list[dict[str, Any]]] = defaultdict(list)
    for b in blocks:
        grouped[b["route"], b["rep"], b["backend"]].append(b)
    combined = {key: _combine(rows) for key, rows in grouped.items()}
    reps = sorted({rep for _, rep, _ in combined})
    out: dict[str, Any] = {"routes": {}, "checks": {}}
    for route in ROUTES:
        medians = {
            backend: {
                m: median(
                    combined[route, rep, backend][m] for rep in reps if (route, rep, backend) in combined
                )
                for m, _ in MEASURES
            }
            for backend in backends
        }
        ratios = {}
        for other in backends:
            if other == "si" or "si" not in backends:
                continue
            ratios[other] = {
                m: interval(
                    [
                        combined[route, rep, "si"][m] / combined[route, rep, other][m]
                        for rep in reps
                        if (route, rep, "si") in combined and (route, rep, other) in combined
                    ]
                )
                for m, _ in MEASURES
            }
        out["routes"][route] = {"medians": medians, "ratios": ratios}
    rows = [b for b in blocks if b["route"] == "sessions"]
    out["checks"] = {
        "errors": sum(b["errors"] for b in blocks),
        "first_error": next((b["first_error"] for b in blocks if b["first_error"]), None),
        "session_blocks": len(rows),
        "session_blocks_consistent": sum(1 for b in rows if b.get("sessions_consistent")),
    }
    return out


def targets(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """What the figures must show: the SDK using less server CPU than stripe-python on either
    transport, and serving at least as many requests, with every session accounted for."""
    out = []
    for route, data in summary["routes"].items():
        for other, ratios in data["ratios"].items():
            out.append(
                report.target(
                    f"app {route}: server CPU per request, stripe_identity / {other}",
                    ratios["cpu_us_per_req"]["median"],
                    "<",
                    1.0,
                    ratios["cpu_us_per_req"],
                )
            )
            out.append(
                report.target(
                    f"app {route}: throughput, stripe_identity / {other}",
                    ratios["rps"]["median"],
                    ">=",
                    1.0,
                    ratios["rps"],
                )
            )
    checks = summary["checks"]
    out.append(report.target("app: failed requests", checks["errors"], "<=", 0))
    out.append(
        report.target(
            "app: blocks with a lost or duplicate session",
            checks["session_blocks"] - checks["session_blocks_consistent"],
            "<=",
            0,
        )
    )
    return out


def render(result: dict[str, Any]) -> str:
    return "\n".join([*report.header(result["meta"]), *markdown(result)]) + "\n"


def markdown(result: dict[str, Any]) -> list[str]:
    """The section's tables and targets (the full run prints them under its own header)."""
    lines = ["### A real application: Starlette on uvicorn", ""]
    if "skipped" in result:
        return [*lines, f"Skipped: {result['skipped']}"]
    f = report.fmt
    lines += [
        f"Each client in the same small app (create a session; verify a webhook), its own process on "
        f"one core; the emulator on the other with {result['latency_ms']:.0f} ms added to every API "
        f"request; {result['concurrency']} requests in flight, {result['n']:,} per block, "
        f"{result['reps']} repetitions of ABBA blocks (new app processes each). Ratios are "
        "stripe_identity's over the other client's, per repetition: medians with 90 % intervals.",
    ]
    for route, data in result["summary"]["routes"].items():
        lines += [
            "",
            f"#### {route}",
            "",
            *report.table(
                ["client", "server CPU µs/req", "req/s", "p50 ms", "p99 ms"],
                [
                    [
                        BACKENDS.get(backend, backend),
                        f(m["cpu_us_per_req"]),
                        f(m["rps"]),
                        f(m["p50_ms"], 1),
                        f(m["p99_ms"], 1),
                    ]
                    for backend, m in data["medians"].items()
                ],
                "lrrrr",
            ),
        ]
        if data["ratios"]:
            lines += [
                "",
                *report.table(
                    ["stripe_identity against", "server CPU x", "req/s x", "p50 x", "p99 x"],
                    [
                        [other, *(report.ci(ratios[m]) for m, _ in MEASURES)]
                        for other, ratios in data["ratios"].items()
                    ],
                    "lrrrr",
                ),
            ]
    checks = result["summary"]["checks"]
    lines += [
        "",
        f"{checks['errors']} failed requests"
        + (f" (first: {checks['first_error']})" if checks["first_error"] else "")
        + f"; {checks['session_blocks_consistent']} of {checks['session_blocks']} session blocks "
        "with every create a different session, each stored once by the emulator.",
    ]
    if result.get("targets"):
        lines += ["", *report.target_lines(result["targets"], "#### Targets")]
    return lines
