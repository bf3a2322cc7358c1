"""``--soak N``: many requests on one long-lived ``AsyncStripeIdentity``, watching memory and
descriptors.

A leak per request (a response kept alive, a connection not returned to the pool, a growing cache)
shows up as RSS or open-descriptor growth over hundreds of thousands of calls, long before it shows in
a short run. Samples taken during the first ``warmup`` requests are reported but not used for the
growth figure: allocator arenas, caches and the connection pool fill up there by design.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import sys
import time
from typing import Any

from . import fixtures, report, sysinfo
from .options import Options
from .progress import Progress
from .static_server import StaticServer, server_stats
from .worker import run_isolated

__all__ = ["render", "run"]


def run(opts: Options, progress: Progress) -> dict[str, Any]:
    """The ``--soak N`` mode: N requests (200,000 unless told), half retrieves, half creates, C=16."""
    total = opts.value or (20_000 if opts.quick else 200_000)
    client_core, server_core = sysinfo.cpu_plan()
    result: dict[str, Any] = {"meta": report.run_meta(opts.command)}
    sysinfo.pin(client_core)
    progress.note(f"soak: {total:,} requests ...")
    with StaticServer(server_core) as server:
        soak = run_isolated(client_core, _run_soak, server.url, server.port, total, not progress.enabled)
    progress.finish()
    result["soak"] = soak
    result["targets"] = [
        report.target("soak RSS growth after warm-up (MB)", soak["rss_growth_mb"], "<", 5),
        report.target(
            "soak open-fd spread after warm-up (flat = 0)",
            soak["steady_fd_max"] - soak["steady_fd_min"],
            "<=",
            0,
        ),
    ]
    return result


def render(result: dict[str, Any]) -> str:
    soak = result["soak"]
    f = report.fmt
    lines = [
        *report.header(result["meta"]),
        "### Soak",
        "",
        f"{soak['requests']:,} requests ({soak['mix']}) on one AsyncStripeIdentity at C="
        f"{soak['concurrency']}; RSS and open fds sampled every {soak['sample_every']:,} requests; "
        f"growth measured after the first {soak['warmup_requests']:,}.",
        "",
    ]
    lines += report.table(
        [
            "req/s",
            "CPU µs/req",
            "errors",
            "RSS first→last MB",
            "RSS growth MB",
            "RSS max MB",
            "fds min/max (all)",
            "fds min/max (steady)",
            "connections opened",
        ],
        [
            [
                f(soak["rps"]),
                f(soak["cpu_us_per_req"]),
                str(soak["errors"]),
                f"{f(soak['rss_first_mb'], 2)} → {f(soak['rss_last_mb'], 2)}",
                f(soak["rss_growth_mb"], 2),
                f(soak["rss_max_mb"], 2),
                f"{int(soak['fd_min'])}/{int(soak['fd_max'])}",
                f"{int(soak['steady_fd_min'])}/{int(soak['steady_fd_max'])}",
                str(soak["new_connections"]),
            ]
        ],
        "rrrrrrrrr",
    )
    lines += ["", *report.target_lines(result["targets"])]
    return "\n".join(lines) + "\n"


def _run_soak(api_base: str, port: int, total: int, quiet: bool) -> dict[str, Any]:
    """Run in a fresh process (pinned to the client core) and return the samples and the verdict."""
    return asyncio.run(_soak(api_base, port, total, 16, 5000, quiet))


async def _soak(
    api_base: str, port: int, total: int, concurrency: int, sample_every: int, quiet: bool
) -> dict[str, Any]:
    import stripe_identity as si

    sample_every = max(1, min(sample_every, total // 10 or 1))
    warmup = max(sample_every, total // 10)
    samples: list[dict[str, float]] = []
    errors = 0
    first_error: str | None = None
    done = 0
    counter = itertools.count()
    started = time.perf_counter()
    cpu_started = time.process_time()

    def sample() -> None:
        samples.append(
            {
                "requests": done,
                "seconds": round(time.perf_counter() - started, 3),
                "rss_mb": round(sysinfo.rss_mb(), 3),
                "fds": float(sysinfo.fd_count() or 0),
            }
        )
        if not quiet:
            last = samples[-1]
            line = f"soak {done:>8}/{total}  rss {last['rss_mb']:7.2f} MB  fds {int(last['fds']):4}"
            if sys.stderr.isatty():
                print("\r" + line, end="", flush=True, file=sys.stderr)
            else:
                print(line, flush=True, file=sys.stderr)

    async with si.AsyncStripeIdentity(fixtures.API_KEY, api_base=api_base) as client:
        sessions = client.verification_sessions
        before = server_stats(port)
        sample()

        async def caller() -> None:
            nonlocal done, errors, first_error
            for i in counter:
                if i >= total:
                    return
                try:
                    # Half retrieves, half nested creates: both paths of the pipeline.
                    if i & 1:
                        await sessions.create(fixtures.CREATE_PARAMS)
                    else:
                        await sessions.retrieve(fixtures.SESSION_ID)
                except Exception as exc:
                    errors += 1
                    first_error = first_error or f"{type(exc).__name__}: {exc}"[:500]
                done += 1
                if done % sample_every == 0:
                    sample()

        await asyncio.gather(*(caller() for _ in range(concurrency)))
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        after = server_stats(port)
        gc.collect()
        sample()  # after a full collection: what is really retained
    if not quiet and sys.stderr.isatty():
        print(file=sys.stderr)

    steady = [s for s in samples if s["requests"] >= warmup]
    fds = [s["fds"] for s in samples]
    return {
        "requests": total,
        "concurrency": concurrency,
        "mix": "50% retrieve (GET), 50% create (POST)",
        "warmup_requests": warmup,
        "sample_every": sample_every,
        "wall_s": wall,
        "rps": total / wall,
        "cpu_us_per_req": cpu / total * 1e6,
        "errors": errors,
        "first_error": first_error,
        "rss_first_mb": steady[0]["rss_mb"],
        "rss_last_mb": steady[-1]["rss_mb"],
        "rss_growth_mb": steady[-1]["rss_mb"] - steady[0]["rss_mb"],
        "rss_max_mb": max(s["rss_mb"] for s in steady),
        "fd_min": min(fds),
        "fd_max": max(fds),
        "steady_fd_min": min(s["fds"] for s in steady),
        "steady_fd_max": max(s["fds"] for s in steady),
        "server_requests": after["requests"] - before["requests"],
        # The stats query itself opens one connection. The pool opens one per concurrent caller
        # (taken before the first request); anything beyond that means it reconnected.
        "new_connections": after["connections_total"] - before["connections_total"] - 1,
        "samples": samples,
    }
