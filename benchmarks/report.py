"""Rendering: markdown tables for stdout and the README, the JSON file, and the throughput chart."""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import fixtures
from .clients import CLIENTS

__all__ = [
    "markdown",
    "paired_markdown",
    "ratelimit_markdown",
    "soak_markdown",
    "write_chart",
    "write_json",
    "write_ratelimit_chart",
]

_LABELS = {spec.name: spec.label for spec in CLIENTS}


def _f(value: Any, digits: int = 0, suffix: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:,.{digits}f}{suffix}"


def _x(value: Any) -> str:
    return _f(value, 2, "x")


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str) -> list[str]:
    lines = ["| " + " | ".join(header) + " |"]
    lines.append("|" + "|".join(":---" if a == "l" else "---:" for a in align) + "|")
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _conc_label(row: dict[str, Any]) -> str:
    sync = row["client"] in ("si-sync", "stripe-sync")
    if row["concurrency"] == 1:
        return "1 (sequential)" if sync else "1"
    return f"{row['concurrency']} threads" if sync else str(row["concurrency"])


def _load_tables(rows: Sequence[dict[str, Any]], server_poll: bool = False) -> list[str]:
    lines = ["### Throughput, latency, CPU and memory", ""]
    lines += _table(
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
            "server CPU",
            "new conns",
        ],
        [
            [
                r["op"],
                _conc_label(r),
                _LABELS.get(r["client"], r["client"]),
                _f(r["rps"]),
                _f(r["p50_ms"], 2),
                _f(r["p99_ms"], 2),
                _f(r["p999_ms"], 2),
                _f(r["cpu_us_per_req"]),
                _f(r["peak_rss_mb"], 1),
                "polls" if server_poll else _f(r["server_cpu_util"] * 100, 0, " %"),
                str(r["new_connections"]),
            ]
            for r in rows
        ],
        "lllrrrrrrrr",
    )
    lines += ["", "### Ratios (computed per repetition, then the median)", ""]
    lines += _table(
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
                _LABELS.get(r["client"], r["client"]),
                _x(r.get("rps_vs_raw")),
                _x(r.get("cpu_vs_raw")),
                r["peer"],
                _x(r.get("rps_vs_official")),
                _x(r.get("cpu_vs_official")),
            ]
            for r in rows
        ],
        "lllrrlrr",
    )
    bad = [r for r in rows if r["errors"] or r["requests_mismatch"]]
    if bad:
        lines += ["", "**Runs with errors or a server request count that differs from N:**"]
        lines += [
            f"- {r['op']} C={r['concurrency']} {r['client']}: {r['errors']} errors, "
            f"{r['requests_mismatch']} mismatched runs"
            for r in bad
        ]
    return lines


def _ci(v: dict[str, float], digits: int = 2, signed: bool = False) -> str:
    fmt = f"{{:{'+' if signed else ''}.{digits}f}}"
    return f"{fmt.format(v['median'])} ({fmt.format(v['low'])} to {fmt.format(v['high'])})"


def paired_markdown(paired: dict[str, Any], title: str = "### Paired runs") -> list[str]:
    """The paired section: per-repetition ratios against the baseline, medians with 90 % intervals."""
    rows = paired["summary"]
    coverage = min((r["cpu_ratio"]["coverage"] for r in rows if r["client"] != r["baseline"]), default=0)
    lines = [
        title,
        "",
        f"{paired['reps']} repetitions, each running every client twice in ABBA order, "
        f"{paired['n'] // 2:,} requests per block after a warm-up; ratios and differences are taken "
        f"per repetition against `{paired['baseline']}`, then reduced to their median, with the "
        f"order-statistic interval around it (coverage at least {coverage * 100:.0f} %: "
        + ("a 90 % interval)." if coverage >= 0.9 else "too few repetitions for 90 %: the range)."),
        "",
    ]
    lines += _table(
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
                _LABELS.get(r["client"], r["client"]),
                _f(r["cpu_us_per_req"], 1),
                _f(r["rps"]),
                "-" if r["client"] == r["baseline"] else _ci(r["cpu_ratio"], 3),
                "-" if r["client"] == r["baseline"] else _ci(r["rps_ratio"], 3),
                "-" if r["client"] == r["baseline"] else _ci(r["cpu_diff_us"], 1, signed=True),
            ]
            for r in rows
        ],
        "lllrrrrr",
    )
    bad = [r for r in rows if r["errors"] or r["mismatches"]]
    for r in bad:
        lines.append(
            f"- **{r['op']} C={r['concurrency']} {r['client']}: {r['errors']} errors, "
            f"{r['mismatches']} blocks with a server request count that differs from N**"
        )
    return lines


def _micro_tables(micro: dict[str, Any]) -> list[str]:
    lines = [
        "### Micro-benchmarks (median of repeats; min in brackets)",
        "",
        f"Session body: {micro['body_bytes']} bytes; create form body: {micro['form_bytes']} bytes.",
        "",
    ]
    cases = [("parse", name, v) for name, v in micro["parse"].items()]
    cases += [("encode", name, v) for name, v in micro["encode"].items()]
    lines += _table(
        ["what", "case", "µs/call"],
        [[kind, name, f"{_f(v['median_us'], 2)} ({_f(v['min_us'], 2)})"] for kind, name, v in cases],
        "llr",
    )
    p = micro["portal"]
    lines += [
        "",
        f"Portal cost (sequential retrieves against the static server, same process, "
        f"{p['rounds']} interleaved rounds of {p['calls_per_round']} calls):",
        "",
    ]
    lines += _table(
        ["call", "wall µs/call", "CPU µs/call"],
        [
            ["await AsyncStripeIdentity.retrieve", _f(p["async_wall_us"], 1), _f(p["async_cpu_us"], 1)],
            [
                "StripeIdentity.retrieve (through the portal)",
                _f(p["sync_wall_us"], 1),
                _f(p["sync_cpu_us"], 1),
            ],
            ["**difference (sync - async)**", _f(p["extra_wall_us"], 1), _f(p["extra_cpu_us"], 1)],
            [
                "portal crossing alone (no-op coroutine)",
                _f(p["noop_portal_wall_us"], 1),
                _f(p["noop_portal_cpu_us"], 1),
            ],
        ],
        "lrr",
    )
    return lines


def soak_markdown(soak: dict[str, Any]) -> list[str]:
    lines = [
        "### Soak",
        "",
        f"{soak['requests']:,} requests ({soak['mix']}) on one AsyncStripeIdentity at C="
        f"{soak['concurrency']}; RSS and open fds sampled every {soak['sample_every']:,} requests; "
        f"growth measured after the first {soak['warmup_requests']:,}.",
        "",
    ]
    lines += _table(
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
                _f(soak["rps"]),
                _f(soak["cpu_us_per_req"]),
                str(soak["errors"]),
                f"{_f(soak['rss_first_mb'], 2)} → {_f(soak['rss_last_mb'], 2)}",
                _f(soak["rss_growth_mb"], 2),
                _f(soak["rss_max_mb"], 2),
                f"{int(soak['fd_min'])}/{int(soak['fd_max'])}",
                f"{int(soak['steady_fd_min'])}/{int(soak['steady_fd_max'])}",
                str(soak["new_connections"]),
            ]
        ],
        "rrrrrrrrr",
    )
    return lines


def _emulator_lines(emu: dict[str, Any]) -> list[str]:
    lines = ["### Emulator throughput", ""]
    if "skipped" in emu:
        return [*lines, f"Skipped: {emu['skipped']}"]
    lines += [
        "AsyncStripeIdentity creates against `stripe_identity.emulator.Emulator` at "
        f"C={emu['concurrency']}, {emu['n']:,} per run, {emu['reps']} runs; the emulator runs in a "
        f"{emu['emulator_process']} process.",
        "",
    ]
    lines += _table(
        ["creates/s", "p50 ms", "p99 ms", "client CPU µs/req", "emulator CPU µs/req", "errors"],
        [
            [
                _f(emu["rps"]),
                _f(emu["p50_ms"], 2),
                _f(emu["p99_ms"], 2),
                _f(emu["client_cpu_us_per_req"]),
                _f(emu["emulator_cpu_us_per_req"]),
                str(emu["errors"]),
            ]
        ],
        "rrrrrr",
    )
    return lines


def _target_lines(targets: Sequence[dict[str, Any]], title: str = "### Targets") -> list[str]:
    def verdict(met: bool | None) -> str:
        return "not measured" if met is None else "met" if met else "**MISSED**"

    def verdict_of(t: dict[str, Any]) -> str:
        if t["met"] and t.get("interval_clear") is False:
            return "met at the median; the interval straddles the line"
        return verdict(t["met"])

    def measured(t: dict[str, Any]) -> str:
        interval = t.get("interval")
        if not interval:
            return _f(t["value"], 2)
        return f"{_f(t['value'], 3)} ({_f(interval[0], 3)} to {_f(interval[1], 3)})"

    lines = [title, ""]
    lines += _table(
        ["target", "measured (90 % CI)", "wanted", "verdict"],
        [[t["target"], measured(t), t["threshold"], verdict_of(t)] for t in targets],
        "lrrl",
    )
    return lines


def downloads_markdown(dl: dict[str, Any]) -> list[str]:
    labels = {
        "raw-aiohttp": "raw aiohttp `resp.read()`",
        "si-download": "`files.download` (memory)",
        "si-download_to": "`files.download_to` (a file)",
    }
    lines = [
        f"### Downloads ({dl['size'] / 2**20:.0f} MiB)",
        "",
        f"One pinned process, the three readers in ABBA blocks of {dl['per_block']} downloads, "
        f"{dl['reps']} repetitions; ratios per repetition against raw aiohttp, median and 90 % "
        "interval.",
        "",
    ]
    lines += _table(
        ["reader", "MB/s", "CPU ms per download", "throughput x raw (90 % CI)"],
        [
            [
                labels.get(r["reader"], r["reader"]),
                _f(r["mb_per_s"]),
                _f(r["cpu_ms_per_download"], 1),
                "-" if r["reader"] == "raw-aiohttp" else _ci(r["ratio"], 3),
            ]
            for r in dl["rows"]
        ],
        "lrrr",
    )
    return lines


def _errors_cell(errors: dict[str, int]) -> str:
    if not errors:
        return "0"
    return ", ".join(f"{count:,} {name}" for name, count in sorted(errors.items()))


def ratelimit_markdown(rl: dict[str, Any]) -> list[str]:
    """The ``--rate-limit`` section: one row per scenario, then its targets."""
    lines = ["### Rate limits", ""]
    if "skipped" in rl:
        return [*lines, f"Skipped: {rl['skipped']}"]
    m = rl["machine"]
    revision = rl.get("sdk_revision") or {}
    dirty = revision.get("uncommitted_sdk_files") or []
    lines += [
        f"`{rl['command']}` ({rl['generated_at']}): {rl['n']:,} creates per scenario at C="
        f"{rl['concurrency']} against the emulator limited to {rl['limit']} requests/s per key "
        f"(in {rl['emulator_process']}; reset before each scenario, so its bucket starts full); "
        f"{m['nproc']} CPUs ({m['cpu_model']}), Python {m['python']}; SDK at "
        f"`{revision.get('commit')}`" + (" with uncommitted changes" if dirty else "") + ".",
        "",
    ]
    lines += _table(
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
                _f(r["completed"]),
                _errors_cell(r["errors"]),
                _f(r["attempts"]),
                _f(r["attempts_429"]),
                _f(r["share_429"] * 100, 1, " %"),
                _f(r["wall_s"], 1),
                _f(r["throughput_rps"], 1),
                _f(r["throughput_x_limit"], 2),
                _f(r["last_half_x_limit"], 2),
                _f(r["latency_p50_s"], 2),
                _f(r["latency_p99_s"], 2),
                f"{_f(r['server']['admitted'])} / {_f(sum(r['server']['limited'].values()))}",
            ]
            for r in rl["scenarios"]
        ],
        "lrlrrrrrrrrrr",
    )
    adaptive = next((r for r in rl["scenarios"] if r["limiter_rate"]), None)
    if adaptive is not None:
        lines += [
            "",
            f"Adaptive limiter: {adaptive['limiter_decreases']} decreases; rate at the end "
            f"{adaptive['limiter_final_rate']:.1f}/s (limit {rl['limit']}/s).",
        ]
    if rl.get("targets"):
        lines += ["", *_target_lines(rl["targets"], "#### Targets")]
    return lines


def markdown(result: dict[str, Any]) -> str:
    meta = result["meta"]
    m = meta["machine"]
    lines = [
        f"## Results ({meta['generated_at']})",
        "",
        f"`{meta['command']}` — N={meta['n']:,} requests per run, {meta['reps']} repetitions, "
        f"configurations interleaved; {m['nproc']} CPUs ({m['cpu_model']}), Python {m['python']}; "
        f"client processes on core {meta['client_core']}, static server on core {meta['server_core']}.",
        "",
    ]
    revision = meta.get("sdk_revision") or {}
    if revision.get("commit"):
        dirty = revision.get("uncommitted_sdk_files") or []
        lines += [
            f"SDK measured at commit `{revision['commit']}`"
            + (f" plus uncommitted changes to {', '.join(f'`{f}`' for f in dirty)}." if dirty else "."),
            "",
        ]
    if meta.get("server_poll"):
        lines += [
            "The static server busy-polls (see the method): its CPU column reads *polls*.",
            "",
        ]
    if result.get("summary"):
        lines += _load_tables(result["summary"], bool(meta.get("server_poll")))
        lines.append("")
    if result.get("paired"):
        lines += paired_markdown(
            result["paired"], "### Paired runs: AsyncStripeIdentity against raw aiohttp"
        )
        lines.append("")
    if result.get("downloads"):
        lines += downloads_markdown(result["downloads"])
        lines.append("")
    if result.get("micro"):
        lines += _micro_tables(result["micro"])
        lines.append("")
    if result.get("soak"):
        lines += soak_markdown(result["soak"])
        lines.append("")
    if result.get("emulator"):
        lines += _emulator_lines(result["emulator"])
        lines.append("")
    if result.get("targets"):
        lines += _target_lines(result["targets"])
        lines.append("")
    if result.get("rate_limit"):
        lines += ratelimit_markdown(result["rate_limit"])
    return "\n".join(lines).rstrip() + "\n"


def write_json(result: dict[str, Any], path: Path) -> None:
    text = json.dumps(result, indent=1, default=str)
    if fixtures.API_KEY in text:  # belt and braces: nothing here should ever carry the key
        raise RuntimeError("refusing to write results that contain the API key")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n")


def write_chart(rows: Sequence[dict[str, Any]], path: Path) -> bool:
    """Throughput vs concurrency per client, GET and POST panels; False when matplotlib is missing."""
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


def write_ratelimit_chart(rl: dict[str, Any], path: Path) -> bool:
    """Requests per second over time, one panel per scenario: attempts answered 200 and 429 (by the
    time they were sent), the limit, and the adaptive limiter's rate. False without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    scenarios = rl.get("scenarios") or []
    if not scenarios:
        return False
    cols = 2
    rows = math.ceil(len(scenarios) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(12, 3.6 * rows), squeeze=False)
    limit = rl["limit"]
    for ax, r in zip(axes.flat, scenarios, strict=False):
        timeline = r["timeline"]
        width = timeline["bin_s"]
        bins = len(timeline["sent_200"])
        # The last bin ends with the run, so it may be shorter than the others.
        edges = [i * width for i in range(bins)] + [max(r["wall_s"], (bins - 1) * width + 1e-3)]
        # A last bin much shorter than the others joins the one before: a few answers over a few
        # milliseconds are not a rate.
        merge = bins > 1 and edges[-1] - edges[-2] < width / 2
        if merge:
            del edges[-2]
        spans = [b - a for a, b in itertools.pairwise(edges)]

        def per_second(
            counts: Sequence[int], spans: Sequence[float] = spans, merge: bool = merge
        ) -> list[float]:
            counts = [*counts[:-2], counts[-2] + counts[-1]] if merge else list(counts)
            return [c / span for c, span in zip(counts, spans, strict=True)]

        ax.stairs(per_second(timeline["sent_200"]), edges, label="answered 200", linewidth=1.5)
        ax.stairs(per_second(timeline["sent_429"]), edges, label="answered 429", linewidth=1.5)
        if any(timeline["sent_other"]):
            ax.stairs(per_second(timeline["sent_other"]), edges, label="other", linewidth=1.5)
        ax.axhline(limit, color="black", linestyle="--", linewidth=1, label=f"limit ({limit}/s)")
        if r.get("limiter_rate"):
            ts, rates = zip(*r["limiter_rate"], strict=True)
            ax.plot(ts, rates, color="tab:green", linewidth=1.2, label="limiter rate")
        ax.set_title(r["label"], fontsize=10)
        ax.set_xlabel("seconds since start (attempts by send time)")
        ax.set_ylabel("attempts/s")
        ax.set_ylim(bottom=0)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7, loc="upper right")
    for ax in list(axes.flat)[len(scenarios) :]:
        ax.set_visible(False)
    fig.suptitle(
        f"{rl['n']:,} creates at C={rl['concurrency']} against the emulator at {limit} requests/s",
        fontsize=11,
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True
