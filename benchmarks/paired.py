"""Paired runs: a few clients compared block by block, many times, with an interval on each ratio.

The load section's ratios come from one run of each client per repetition; on a shared (virtual)
machine the CPU's speed drifts over seconds, and one-run ratios of the same code ranged 0.64-2.13.
Here each repetition runs every client twice, in ABBA order (``A B B A`` for two clients; the order
of the first half rotates between repetitions), N/2 requests per block, each block after its own
warm-up: a drift that is linear over the repetition cancels out of the ratio. A repetition's ratio is
the client's CPU (or req/s) over its two blocks against the baseline's over its two; the report gives
the median of those per-repetition ratios and a 90 % order-statistic interval for it
(:func:`stats.median_interval`). Each repetition runs in new worker processes (see ``run_paired``).

The same runner drives ``--accounting``: each repetition then also runs a profiled block
(``sampler``) of every client, in the same ABBA pattern (plain A, plain B, profiled A, profiled B,
then back), so the profile can be checked against unprofiled CPU of the same moments.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from .clients import Contender
from .progress import Progress
from .stats import median, median_interval, ratio
from .worker import ClientWorker

__all__ = ["paired_summary", "run_paired"]


def run_paired(
    contenders: Sequence[Contender],
    api_base: str,
    port: int,
    core: int | None,
    *,
    ops: Sequence[str],
    concurrency: Sequence[int],
    n: int,
    reps: int,
    warmup: Callable[[int], int],
    progress: Progress,
    profile: bool = False,
) -> list[dict[str, Any]]:
    """One dict per block: the worker's :class:`RunResult` plus ``key``, ``block`` and ``profiled``."""
    workloads = [(op, conc) for op in ops for conc in concurrency]
    halves = 2 if profile else 1
    progress.total = reps * len(workloads) * len(contenders) * 2 * halves
    blocks: list[dict[str, Any]] = []
    workers: dict[str, ClientWorker] = {}
    turn = 0
    try:
        for rep in range(reps):
            # Fresh processes for every repetition: a process keeps its own speed for its whole
            # life (where its memory landed, its hash seed...), so that two workers of the very
            # same client differed by up to 8 % through a whole run, with an interval that excluded
            # 1. New workers each repetition turn that into a repetition-to-repetition spread, which
            # the interval does measure.
            first = rep % len(contenders)
            for c in [*contenders[first:], *contenders[:first]]:
                progress.note(f"rep {rep + 1}/{reps}: starting worker {c.key}", True)
                workers[c.key] = ClientWorker(c.spec, api_base, port, core, c.sdk_path, c.options)
            for op, conc in workloads:
                shift = turn % len(contenders)
                turn += 1
                order = [*contenders[shift:], *contenders[:shift]]
                combos = [(c, False) for c in order]
                if profile:
                    combos += [(c, True) for c in order]
                # ABBA over every (client, profiled) combination: each one's two blocks sit
                # symmetrically around the middle of the repetition.
                plan = [*combos, *reversed(combos)]
                for block, (c, profiled) in enumerate(plan):
                    what = f"rep {rep + 1}/{reps} {op} C={conc} {c.key}" + (
                        " (profiled)" if profiled else ""
                    )
                    progress.note(what + " ...", True)
                    result = workers[c.key].run(op, conc, n // 2, warmup(conc), rep, profiled)
                    row = result.to_json()
                    row.update(key=c.key, block=block, profiled=profiled)
                    blocks.append(row)
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
    cpu = sum(b["cpu_s"] for b in blocks)
    wall = sum(b["wall_s"] for b in blocks)
    requests = sum(b["n"] for b in blocks)
    counts: dict[str, int] = defaultdict(int)
    detail: dict[str, int] = defaultdict(int)
    for b in blocks:
        for layer, count in ((b.get("profile") or {}).get("counts") or {}).items():
            counts[layer] += count
        for where, count in ((b.get("profile") or {}).get("detail") or {}).items():
            detail[where] += count
    return {
        "cpu_us_per_req": cpu / requests * 1e6,
        "rps": requests / wall if wall else math.nan,
        "requests": requests,
        "cpu_s": cpu,
        "errors": sum(b["errors"] for b in blocks),
        "mismatches": sum(1 for b in blocks if b["server"] and not b["server"]["requests_match"]),
        "samples": dict(counts),
        "detail": dict(detail),
        "gc_s": sum((b.get("profile") or {}).get("gc_s", 0.0) for b in blocks),
    }


def _interval(values: Sequence[float]) -> dict[str, float]:
    low, high, coverage = median_interval(values)
    return {"median": median(values), "low": low, "high": high, "coverage": coverage}


def paired_summary(
    blocks: Sequence[dict[str, Any]], baseline: str, profiled: bool = False
) -> list[dict[str, Any]]:
    """Per (op, C, client): medians, and per-repetition ratios and differences against ``baseline``."""
    combined: dict[tuple[str, int, int, str], dict[str, Any]] = {}
    grouped: dict[tuple[str, int, int, str], list[dict[str, Any]]] = defaultdict(list)
    keys: list[str] = []
    for b in blocks:
        if b["profiled"] != profiled:
            continue
        grouped[b["op"], b["concurrency"], b["rep"], b["key"]].append(b)
        if b["key"] not in keys:
            keys.append(b["key"])
    for k, group in grouped.items():
        combined[k] = _combine(group)
    rows = []
    workloads = sorted({(op, conc) for op, conc, _, _ in combined})
    reps = sorted({rep for _, _, rep, _ in combined})
    for op, conc in workloads:
        for key in keys:
            mine = [combined.get((op, conc, rep, key)) for rep in reps]
            base = [combined.get((op, conc, rep, baseline)) for rep in reps]
            pairs = [(m, b) for m, b in zip(mine, base, strict=True) if m is not None and b is not None]
            if not pairs:
                continue
            runs = [m for m, _ in pairs]
            rows.append(
                {
                    "op": op,
                    "concurrency": conc,
                    "client": key,
                    "baseline": baseline,
                    "reps": len(pairs),
                    "requests_per_rep": runs[0]["requests"],
                    "cpu_us_per_req": median(r["cpu_us_per_req"] for r in runs),
                    "rps": median(r["rps"] for r in runs),
                    "errors": sum(r["errors"] for r in runs),
                    "mismatches": sum(r["mismatches"] for r in runs),
                    "cpu_ratio": _interval(
                        [ratio(m["cpu_us_per_req"], b["cpu_us_per_req"]) for m, b in pairs]
                    ),
                    "rps_ratio": _interval([ratio(m["rps"], b["rps"]) for m, b in pairs]),
                    "cpu_diff_us": _interval(
                        [m["cpu_us_per_req"] - b["cpu_us_per_req"] for m, b in pairs]
                    ),
                    "per_rep": [
                        {
                            "cpu_us_per_req": m["cpu_us_per_req"],
                            "rps": m["rps"],
                            "samples": m["samples"],
                            "detail": m["detail"],
                            "requests": m["requests"],
                            "cpu_s": m["cpu_s"],
                            "gc_s": m["gc_s"],
                        }
                        for m, _ in pairs
                    ],
                }
            )
    return rows
