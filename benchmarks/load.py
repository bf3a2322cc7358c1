"""The full run's *load* section: every client at every concurrency, and how they compare.

Every repetition runs every workload (op x concurrency) for every client before the next one starts,
and the client order rotates from one workload to the next, so no client always runs first (on a
warm cache) or last (after a neighbour's noise). Ratios are taken within a repetition, then reduced
to their median: ``x raw`` against ``raw-aiohttp``, ``x official`` against the official SDK with the
same kind of client (async or sync). One run per client per repetition gives no useful interval: the
verdicts against raw aiohttp come from the paired section.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import report
from .clients import CLIENTS, LABELS, ClientSpec
from .options import Options
from .progress import Progress
from .static_server import StaticServer
from .stats import median, ratio
from .worker import ClientWorker

__all__ = ["load_markdown", "run_load", "summarize", "write_chart"]

_ORDER = {spec.name: i for i, spec in enumerate(CLIENTS)}
_PEER = {spec.name: spec.peer for spec in CLIENTS}
_RAW = "raw-aiohttp"


def run_load(
    clients: Sequence[ClientSpec],
    server: StaticServer,
    core: int | None,
    opts: Options,
    n: int,
    reps: int,
    progress: Progress,
) -> list[dict[str, Any]]:
    """One dict per run (client, op, concurrency, repetition): the worker's :class:`RunResult`."""
    workloads = [(op, conc) for op in opts.ops or ("GET", "POST") for conc in _levels(opts)]
    progress.total = reps * len(workloads) * len(clients)
    runs: list[dict[str, Any]] = []
    workers: dict[str, ClientWorker] = {}
    try:
        for spec in clients:
            progress.note(f"starting worker {spec.name}", True)
            workers[spec.name] = ClientWorker(spec, server.url, server.port, core)
        turn = 0
        for rep in range(reps):
            for op, conc in workloads:
                shift = turn % len(clients)
                turn += 1
                for spec in [*clients[shift:], *clients[:shift]]:
                    what = f"rep {rep + 1}/{reps} {op} C={conc} {spec.name}"
                    progress.note(what + " ...", True)
                    result = workers[spec.name].run(op, conc, n, opts.warmup_for(conc, n), rep)
                    runs.append(result.to_json())
                    progress.step(
                        f"{what}: {result.rps:,.0f} req/s, {result.cpu_us_per_req:,.0f} µs CPU/req"
                        + (f", {result.errors} ERRORS" if result.errors else "")
                    )
    finally:
        for worker in workers.values():
            worker.close()
    return runs


def _levels(opts: Options) -> Sequence[int]:
    return opts.concurrency or (1, 16, 100)


def summarize(runs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (op, concurrency, client): medians across repetitions, with same-rep ratios."""
    by_rep: dict[tuple[int, str, int], dict[str, dict[str, Any]]] = defaultdict(dict)
    grouped: dict[tuple[str, int, str], list[dict[str, Any]]] = defaultdict(list)
    for run in runs:
        by_rep[run["rep"], run["op"], run["concurrency"]][run["client"]] = run
        grouped[run["op"], run["concurrency"], run["client"]].append(run)

    rows = []
    for (op, conc, client), group in sorted(
        grouped.items(), key=lambda kv: (kv[0][0], kv[0][1], _ORDER.get(kv[0][2], 99))
    ):
        peer = _PEER.get(client, "")
        ratios: dict[str, list[float]] = defaultdict(list)
        for run in group:
            same_rep = by_rep[run["rep"], op, conc]
            for label, other in (("raw", same_rep.get(_RAW)), ("official", same_rep.get(peer))):
                if other is not None:
                    ratios[f"rps_vs_{label}"].append(ratio(run["rps"], other["rps"]))
                    ratios[f"cpu_vs_{label}"].append(
                        ratio(run["cpu_us_per_req"], other["cpu_us_per_req"])
                    )
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


def _conc_label(row: dict[str, Any]) -> str:
    sync = row["client"] in ("si-sync", "stripe-sync")
    if row["concurrency"] == 1:
        return "1 (sequential)" if sync else "1"
    return f"{row['concurrency']} threads" if sync else str(row["concurrency"])


def load_markdown(rows: Sequence[dict[str, Any]]) -> list[str]:
    f = report.fmt

    def x(value: Any) -> str:
        return report.fmt(value, 2, "x")

    def label(r: dict[str, Any]) -> str:
        return LABELS.get(r["client"], str(r["client"]))

    lines = ["### Throughput, latency, CPU and memory", ""]
    lines += report.table(
        [
            "op",
            "C",
            "client",
            "req/s",
            "p50 ms",
            "p99 ms",
            "p99.9 ms",
            "CPU µs/req",
            "peak RSS MB",
            "new conns",
        ],
        [
            [
                r["op"],
                _conc_label(r),
                label(r),
                f(r["rps"]),
                f(r["p50_ms"], 2),
                f(r["p99_ms"], 2),
                f(r["p999_ms"], 2),
                f(r["cpu_us_per_req"]),
                f(r["peak_rss_mb"], 1),
                str(r["new_connections"]),
            ]
            for r in rows
        ],
        "lllrrrrrrr",
    )
    lines += ["", "### Ratios (per repetition, then the median)", ""]
    lines += report.table(
        [
            "op",
            "C",
            "client",
            "req/s x raw",
            "CPU x raw",
            "official peer",
            "req/s x official",
            "CPU x official",
        ],
        [
            [
                r["op"],
                _conc_label(r),
                label(r),
                x(r.get("rps_vs_raw")),
                x(r.get("cpu_vs_raw")),
                r["peer"],
                x(r.get("rps_vs_official")),
                x(r.get("cpu_vs_official")),
            ]
            for r in rows
        ],
        "lllrrlrr",
    )
    lines += [
        f"- **{r['op']} C={r['concurrency']} {r['client']}: {r['errors']} errors, "
        f"{r['requests_mismatch']} runs where the server saw a different number of requests**"
        for r in rows
        if r["errors"] or r["requests_mismatch"]
    ]
    return lines


def write_chart(rows: Sequence[dict[str, Any]], path: Path) -> bool:
    """Throughput against concurrency, per client, GET and POST side by side; False without
    matplotlib (an optional dependency: the tables carry the same figures)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    ops = [op for op in ("GET", "POST") if any(r["op"] == op for r in rows)]
    if not ops:
        return False
    fig, axes = plt.subplots(1, len(ops), figsize=(6.5 * len(ops), 4.8), squeeze=False)
    for ax, op in zip(axes[0], ops, strict=True):
        for spec in CLIENTS:
            points = sorted(
                (r["concurrency"], r["rps"]) for r in rows if r["op"] == op and r["client"] == spec.name
            )
            if points:
                xs, ys = zip(*points, strict=True)
                ax.plot(xs, ys, marker="o", label=spec.label)
        ax.set_xscale("log")
        concs = sorted({r["concurrency"] for r in rows})
        ax.set_xticks(concs, [str(c) for c in concs])
        ax.set_title("retrieve (GET)" if op == "GET" else "create (POST)")
        ax.set_xlabel("concurrency (tasks, or threads for sync clients)")
        ax.set_ylabel("requests/s (median)")
        ax.grid(True, alpha=0.3)
    axes[0][-1].legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True
