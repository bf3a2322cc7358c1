"""``--paired``: a few clients compared block by block, many times, with an interval on each ratio.

The machine's CPU speed drifts over seconds (one-run ratios of the same code ranged 0.64-2.13), so
the verdicts against raw aiohttp rest on a paired design. Each repetition runs every client twice in
ABBA order (the order of the first half rotates between repetitions), N/2 requests per block, each
block after its own warm-up: a drift that is linear over the repetition cancels out. A repetition's
ratio is a client's CPU (or req/s) over its two blocks against the baseline's over its two; the
report gives the median of those ratios with a 90 % interval (:func:`stats.paired`).

Every repetition starts new worker processes: a process keeps its own speed for its whole life
(where its memory landed, its hash seed), enough for two workers of the very same client to differ
by 8 % with an interval that excluded 1. With new workers that spread falls between repetitions,
where the interval sees it.

The full run's *paired* section is this, with ``raw-aiohttp`` against ``si-async``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from . import report, sysinfo
from .clients import DEFAULT_CONTENDERS, LABELS, Contender
from .options import Options
from .progress import Progress
from .static_server import StaticServer
from .stats import median, paired
from .worker import ClientWorker

__all__ = ["paired_markdown", "paired_section", "render", "run", "run_paired"]


def run(opts: Options, progress: Progress) -> dict[str, Any]:
    """The ``--paired`` mode: GET and POST at C=16 and C=100, 15 repetitions unless told."""
    contenders = [Contender.parse(c) for c in opts.contenders or DEFAULT_CONTENDERS]
    if len(contenders) < 2 or any(c.spec.family != "async" for c in contenders):
        raise SystemExit("--contenders: two or more async clients, the baseline first")
    n = opts.n or (600 if opts.quick else 4000)
    reps = opts.paired_reps or opts.reps or (3 if opts.quick else 15)
    result: dict[str, Any] = {"meta": report.run_meta(opts.command)}
    client_core, server_core = sysinfo.cpu_plan()
    sysinfo.pin(client_core)  # the harness mostly waits; keep it off the server's core
    with StaticServer(server_core) as server:
        result["paired"] = paired_section(
            contenders,
            server,
            client_core,
            opts,
            ops=opts.ops or ("GET", "POST"),
            concurrency=opts.concurrency or (16, 100),
            n=n,
            reps=reps,
            progress=progress,
        )
    progress.finish()
    return result


def render(result: dict[str, Any]) -> str:
    return "\n".join([*report.header(result["meta"]), *paired_markdown(result["paired"])]) + "\n"


def paired_section(
    contenders: Sequence[Contender],
    server: StaticServer,
    core: int | None,
    opts: Options,
    *,
    ops: Sequence[str],
    concurrency: Sequence[int],
    n: int,
    reps: int,
    progress: Progress,
) -> dict[str, Any]:
    """Run the blocks and summarize them against the first contender."""
    blocks = run_paired(contenders, server, core, opts, ops, concurrency, n, reps, progress)
    baseline = contenders[0].key
    return {
        "baseline": baseline,
        "n": n,
        "reps": reps,
        "contenders": [c.key for c in contenders],
        "summary": summarize(blocks, baseline),
        "blocks": blocks,
    }


def run_paired(
    contenders: Sequence[Contender],
    server: StaticServer,
    core: int | None,
    opts: Options,
    ops: Sequence[str],
    concurrency: Sequence[int],
    n: int,
    reps: int,
    progress: Progress,
) -> list[dict[str, Any]]:
    """One dict per block: the worker's :class:`RunResult` plus the contender's ``key``."""
    workloads = [(op, conc) for op in ops for conc in concurrency]
    progress.total = reps * len(workloads) * len(contenders) * 2
    blocks: list[dict[str, Any]] = []
    workers: dict[str, ClientWorker] = {}
    turn = 0
    try:
        for rep in range(reps):
            first = rep % len(contenders)
            for c in [*contenders[first:], *contenders[:first]]:
                progress.note(f"rep {rep + 1}/{reps}: starting worker {c.key}", True)
                workers[c.key] = ClientWorker(
                    c.spec, server.url, server.port, core, c.sdk_path, c.options
                )
            for op, conc in workloads:
                shift = turn % len(contenders)
                turn += 1
                order = [*contenders[shift:], *contenders[:shift]]
                for c in [*order, *reversed(order)]:
                    what = f"rep {rep + 1}/{reps} {op} C={conc} {c.key}"
                    progress.note(what + " ...", True)
                    result = workers[c.key].run(op, conc, n // 2, opts.warmup_for(conc, n), rep)
                    blocks.append({**result.to_json(), "key": c.key})
                    progress.step(
                        f"{what}: {result.rps:,.0f} req/s, {result.cpu_us_per_req:,.0f} µs CPU/req"
                        + (f", {result.errors} ERRORS" if result.errors else "")
                    )
            _close(workers)
    finally:
        _close(workers)
    return blocks


def _close(workers: dict[str, ClientWorker]) -> None:
    for worker in workers.values():
        worker.close()
    workers.clear()


def _combine(blocks: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One client's blocks of one repetition, as one measurement."""
    cpu = sum(b["cpu_s"] for b in blocks)
    wall = sum(b["wall_s"] for b in blocks)
    requests = sum(b["n"] for b in blocks)
    return {
        "cpu_us_per_req": cpu / requests * 1e6,
        "rps": requests / wall if wall else math.nan,
        "requests": requests,
        "errors": sum(b["errors"] for b in blocks),
        "mismatches": sum(1 for b in blocks if b["server"] and not b["server"]["requests_match"]),
    }


def summarize(blocks: Sequence[dict[str, Any]], baseline: str) -> list[dict[str, Any]]:
    """Per (op, C, client): medians, and per-repetition ratios and differences against ``baseline``."""
    grouped: dict[tuple[str, int, int, str], list[dict[str, Any]]] = defaultdict(list)
    keys: list[str] = []
    for b in blocks:
        grouped[b["op"], b["concurrency"], b["rep"], b["key"]].append(b)
        if b["key"] not in keys:
            keys.append(b["key"])
    combined = {k: _combine(group) for k, group in grouped.items()}
    workloads = sorted({(op, conc) for op, conc, _, _ in combined})
    reps = sorted({rep for _, _, rep, _ in combined})
    rows = []
    for op, conc in workloads:
        base = [combined.get((op, conc, rep, baseline)) for rep in reps]
        for key in keys:
            mine = [combined.get((op, conc, rep, key)) for rep in reps]
            runs = [m for m in mine if m is not None]
            if not runs:
                continue
            rows.append(
                {
                    "op": op,
                    "concurrency": conc,
                    "client": key,
                    "baseline": baseline,
                    "requests_per_rep": runs[0]["requests"],
                    "cpu_us_per_req": median(r["cpu_us_per_req"] for r in runs),
                    "rps": median(r["rps"] for r in runs),
                    "errors": sum(r["errors"] for r in runs),
                    "mismatches": sum(r["mismatches"] for r in runs),
                    **paired(mine, base),
                }
            )
    return rows


def paired_markdown(section: dict[str, Any], title: str = "### Paired runs") -> list[str]:
    """Per-repetition ratios against the baseline: medians with their 90 % intervals."""
    rows = section["summary"]
    others = [r for r in rows if r["client"] != r["baseline"]]
    coverage = min((r["cpu_ratio"]["coverage"] for r in others), default=0)
    lines = [
        title,
        "",
        f"{section['reps']} repetitions, each running every client twice in ABBA order, "
        f"{section['n'] // 2:,} requests per block after a warm-up; ratios and differences are "
        f"taken per repetition against `{section['baseline']}`, then reduced to their median, with "
        f"the order-statistic interval around it (coverage at least {coverage * 100:.0f} %"
        + (")." if coverage >= 0.9 else ": too few repetitions for 90 %, the whole range)."),
        "",
    ]

    def vs_base(r: dict[str, Any], key: str, digits: int = 3, signed: bool = False) -> str:
        return "-" if r["client"] == r["baseline"] else report.ci(r[key], digits, signed)

    lines += report.table(
        [
            "op",
            "C",
            "client",
            "CPU µs/req",
            "req/s",
            "CPU x base (90 % CI)",
            "req/s x base (90 % CI)",
            "CPU diff µs (90 % CI)",
        ],
        [
            [
                r["op"],
                str(r["concurrency"]),
                LABELS.get(r["client"], str(r["client"])),
                report.fmt(r["cpu_us_per_req"], 1),
                report.fmt(r["rps"]),
                vs_base(r, "cpu_ratio"),
                vs_base(r, "rps_ratio"),
                vs_base(r, "cpu_diff_us", 1, signed=True),
            ]
            for r in rows
        ],
        "lllrrrrr",
    )
    lines += [
        f"- **{r['op']} C={r['concurrency']} {r['client']}: {r['errors']} errors, "
        f"{r['mismatches']} blocks where the server saw a different number of requests**"
        for r in rows
        if r["errors"] or r["mismatches"]
    ]
    return lines
