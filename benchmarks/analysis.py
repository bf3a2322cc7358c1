"""From raw runs to what the report shows: per-configuration medians, ratios, and the targets.

Ratios are computed inside one repetition (same workload, runs minutes apart at most) and only then
reduced to a median across repetitions: on a shared machine, load drifts between repetitions, and a
ratio of medians would mix different moments.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from .clients import CLIENTS
from .stats import median, ratio

__all__ = ["summarize", "targets"]

_ORDER = {spec.name: i for i, spec in enumerate(CLIENTS)}
_PEER = {spec.name: spec.peer for spec in CLIENTS}
_RAW = "raw-aiohttp"


def _key(run: dict[str, Any]) -> tuple[str, int, str]:
    return run["op"], run["concurrency"], run["client"]


def summarize(runs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (op, concurrency, client), medians across repetitions, with same-rep ratios."""
    by_rep: dict[tuple[int, str, int], dict[str, dict[str, Any]]] = defaultdict(dict)
    grouped: dict[tuple[str, int, str], list[dict[str, Any]]] = defaultdict(list)
    for run in runs:
        by_rep[run["rep"], run["op"], run["concurrency"]][run["client"]] = run
        grouped[_key(run)].append(run)

    rows = []
    for (op, conc, client), group in sorted(
        grouped.items(), key=lambda kv: (kv[0][0], kv[0][1], _ORDER.get(kv[0][2], 99))
    ):
        peer = _PEER.get(client, "")
        ratios: dict[str, list[float]] = defaultdict(list)
        for run in group:
            same_rep = by_rep[run["rep"], op, conc]
            for label, other in (("raw", same_rep.get(_RAW)), ("official", same_rep.get(peer))):
                if other is None:
                    continue
                ratios[f"rps_vs_{label}"].append(ratio(run["rps"], other["rps"]))
                ratios[f"cpu_vs_{label}"].append(ratio(run["cpu_us_per_req"], other["cpu_us_per_req"]))
        rows.append(
            {
                "op": op,
                "concurrency": conc,
                "client": client,
                "reps": len(group),
                "rps": median(r["rps"] for r in group),
                "p50_ms": median(r["latency"]["p50_ms"] for r in group),
                "p99_ms": median(r["latency"]["p99_ms"] for r in group),
                "p999_ms": median(r["latency"]["p999_ms"] for r in group),
                "cpu_us_per_req": median(r["cpu_us_per_req"] for r in group),
                "peak_rss_mb": max(r["peak_rss_mb"] for r in group),
                "server_cpu_util": median(r["server"].get("cpu_util", math.nan) for r in group),
                "server_cpu_us_per_req": median(
                    r["server"].get("cpu_us_per_req", math.nan) for r in group
                ),
                "errors": sum(r["errors"] for r in group),
                # Connections opened during measured runs: a warm pool opens none.
                "new_connections": sum(r["server"].get("new_connections", 0) for r in group),
                "requests_mismatch": sum(
                    1 for r in group if r["server"] and not r["server"]["requests_match"]
                ),
                "peer": peer,
                **{name: median(values) for name, values in ratios.items()},
            }
        )
    return rows


def _row(rows: Sequence[dict[str, Any]], op: str, conc: int, client: str) -> dict[str, Any] | None:
    for row in rows:
        if (row["op"], row["concurrency"], row["client"]) == (op, conc, client):
            return row
    return None


def _target(
    name: str,
    value: float | None,
    op: str,
    threshold: float,
    interval: dict[str, float] | None = None,
) -> dict[str, Any]:
    if value is None or math.isnan(value):
        return {"target": name, "value": None, "threshold": f"{op} {threshold:g}", "met": None}

    def ok(v: float) -> bool:
        return v <= threshold if op == "<=" else v >= threshold if op == ">=" else v < threshold

    target: dict[str, Any] = {
        "target": name,
        "value": value,
        "threshold": f"{op} {threshold:g}",
        "met": ok(value),
    }
    if interval is not None:
        target["interval"] = [interval["low"], interval["high"]]
        # Met with confidence when the whole 90 % interval is on the right side of the line.
        target["interval_clear"] = ok(interval["low"]) and ok(interval["high"])
    return target


def _paired_row(paired: dict[str, Any] | None, op: str, conc: int) -> dict[str, Any] | None:
    for row in (paired or {}).get("summary", []):
        if (row["op"], row["concurrency"], row["client"]) == (op, conc, "si-async"):
            return dict(row)
    return None


def targets(
    rows: Sequence[dict[str, Any]],
    micro: dict[str, Any] | None,
    soak: dict[str, Any] | None,
    paired: dict[str, Any] | None = None,
    downloads: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """The project's targets, each with the measured value and whether it is met (None: not measured).

    The ratios against raw aiohttp come from the paired section when it ran (medians of per-repetition
    ratios of ABBA blocks, with their 90 % interval), else from the load section.
    """
    out = []
    for op in ("GET", "POST"):
        for conc in (16, 100):
            prow = _paired_row(paired, op, conc)
            if prow is not None:
                cpu, cpu_ci = prow["cpu_ratio"]["median"], prow["cpu_ratio"]
                rps, rps_ci = prow["rps_ratio"]["median"], prow["rps_ratio"]
            else:
                row = _row(rows, op, conc, "si-async")
                cpu, rps = (row.get("cpu_vs_raw"), row.get("rps_vs_raw")) if row else (None, None)
                cpu_ci = rps_ci = None
            out.append(
                _target(
                    f"AsyncStripeIdentity CPU/req vs raw aiohttp, {op} C={conc}", cpu, "<=", 1.15, cpu_ci
                )
            )
            out.append(
                _target(
                    f"AsyncStripeIdentity req/s vs raw aiohttp, {op} C={conc}", rps, ">=", 0.85, rps_ci
                )
            )
    # download_to writes a file, raw aiohttp reads into memory: reported in its table, not a target.
    drow = next((r for r in (downloads or {}).get("rows", []) if r["reader"] == "si-download"), None)
    out.append(
        _target(
            "files.download throughput vs raw aiohttp, 20 MiB",
            drow["ratio"]["median"] if drow else None,
            ">=",
            0.9,
            drow["ratio"] if drow else None,
        )
    )
    parse = None
    if micro:
        parse = micro["parse"]["SDK: bytes -> model (orjson + structure)"]["median_us"]
    out.append(_target("parse a session body into the model (µs)", parse, "<=", 12))
    for op in ("GET", "POST"):
        for conc, threshold, what in ((1, 1.5, "sequential"), (16, 2.0, "16 threads")):
            row = _row(rows, op, conc, "si-sync")
            out.append(
                _target(
                    f"StripeIdentity {what} req/s vs official sync SDK, {op}",
                    row.get("rps_vs_official") if row else None,
                    ">=",
                    threshold,
                )
            )
    growth = soak["rss_growth_mb"] if soak else None
    out.append(_target("soak RSS growth after warm-up (MB)", growth, "<", 5))
    fd_spread = soak["steady_fd_max"] - soak["steady_fd_min"] if soak else None
    out.append(_target("soak open-fd spread after warm-up (flat = 0)", fd_spread, "<=", 0))
    return out
