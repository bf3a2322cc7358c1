"""``--accounting``: where the CPU time of one request goes, layer by layer, raw aiohttp against the SDK.

Both clients run the same load (GET at C=16 unless told otherwise) in paired ABBA blocks (``paired``):
per repetition an ABBA of plain blocks, then an ABBA of profiled ones (``sampler``). A layer's µs per
request is its share of a client's samples times that client's CPU per request in the profiled
blocks, so each column adds up to the CPU it measured; the check that matters is the other one: the
difference of the two columns, layer by layer, must add up to the difference measured without the
profiler (the median of the plain blocks' paired differences), within 10 %.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from .paired import paired_summary
from .sampler import LAYERS

__all__ = ["accounting_markdown", "accounting_summary"]

_Z90 = 1.645


def _pool(row: dict[str, Any]) -> dict[str, Any]:
    samples: dict[str, int] = defaultdict(int)
    detail: dict[str, int] = defaultdict(int)
    cpu_s = gc_s = 0.0
    requests = 0
    for rep in row["per_rep"]:
        for layer, count in rep["samples"].items():
            samples[layer] += count
        for where, count in rep.get("detail", {}).items():
            detail[where] += count
        cpu_s += rep["cpu_s"]
        requests += rep["requests"]
        gc_s += rep["gc_s"]
    return {"samples": samples, "detail": detail, "cpu_s": cpu_s, "requests": requests, "gc_s": gc_s}


def _layers(pool: dict[str, Any], tick_s: float) -> dict[str, Any]:
    """µs per request by layer: samples x the sampling interval / requests (not scaled to fit)."""
    n = pool["requests"]
    total = sum(pool["samples"].values())
    per_sample_us = tick_s / n * 1e6
    layers = {}
    for layer in LAYERS:
        count = pool["samples"].get(layer, 0)
        # Poisson counting noise: the 90 % sampling error of this layer's figure.
        layers[layer] = {
            "us": count * per_sample_us,
            "pm90": _Z90 * math.sqrt(count) * per_sample_us,
            "samples": count,
        }
    return {
        "sampled_us_per_req": total * per_sample_us,
        "cpu_us_per_req": pool["cpu_s"] / n * 1e6,
        "samples": total,
        "requests": n,
        "gc_timed_us_per_req": pool["gc_s"] / n * 1e6,
        "layers": layers,
        # The frames that decided each sample's layer, as µs per request.
        "detail": {
            where: count * per_sample_us
            for where, count in sorted(pool["detail"].items(), key=lambda kv: -kv[1])
        },
    }


def accounting_summary(
    blocks: Sequence[dict[str, Any]], raw: str, sdk: str, op: str, concurrency: int
) -> dict[str, Any]:
    def rows(profiled: bool) -> dict[str, dict[str, Any]]:
        return {
            r["client"]: r
            for r in paired_summary(blocks, raw, profiled=profiled)
            if (r["op"], r["concurrency"]) == (op, concurrency)
        }

    plain, prof = rows(False), rows(True)
    pa, pb = _pool(prof[raw]), _pool(prof[sdk])
    # One sampling interval for both clients: CPU seconds per sample over both (the scheduler tick,
    # 4 ms at 250 Hz); each column is then an independent estimate of its client's CPU.
    tick_s = (pa["cpu_s"] + pb["cpu_s"]) / (sum(pa["samples"].values()) + sum(pb["samples"].values()))
    a, b = _layers(pa, tick_s), _layers(pb, tick_s)
    diff = {layer: b["layers"][layer]["us"] - a["layers"][layer]["us"] for layer in LAYERS}
    total_diff = sum(diff.values())
    measured = prof[sdk]["cpu_diff_us"]
    overhead = {
        key: prof[key]["cpu_us_per_req"] / plain[key]["cpu_us_per_req"] - 1 for key in (raw, sdk)
    }
    return {
        "op": op,
        "concurrency": concurrency,
        "raw": raw,
        "sdk": sdk,
        "tick_ms": tick_s * 1e3,
        "raw_profile": a,
        "sdk_profile": b,
        "difference": diff,
        "difference_total_us": total_diff,
        "measured_diff_us": measured,
        "plain_diff_us": plain[sdk]["cpu_diff_us"],
        "measured_cpu_ratio": plain[sdk]["cpu_ratio"],
        "measured_rps_ratio": plain[sdk]["rps_ratio"],
        "plain_cpu_us": {raw: plain[raw]["cpu_us_per_req"], sdk: plain[sdk]["cpu_us_per_req"]},
        "profiler_overhead": overhead,
        "reps": plain[sdk]["reps"],
        "requests_per_rep": plain[sdk]["requests_per_rep"],
        # The same blocks' CPU per request, pooled (total CPU / total requests of each client): the
        # difference the layers must add up to. The paired median is shown next to it, with its
        # interval: a robust figure, but a noisier one with a handful of repetitions.
        "pooled_diff_us": b["cpu_us_per_req"] - a["cpu_us_per_req"],
        "agreement": total_diff / (b["cpu_us_per_req"] - a["cpu_us_per_req"]) - 1,
        "sum_within_paired_interval": measured["low"] <= total_diff <= measured["high"],
    }


def _f(value: float, digits: int = 1) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:,.{digits}f}"


def accounting_markdown(acc: dict[str, Any]) -> list[str]:
    a, b = acc["raw_profile"], acc["sdk_profile"]
    m, plain = acc["measured_diff_us"], acc["plain_diff_us"]
    raw, sdk = acc["raw"], acc["sdk"]
    lines = [
        f"### Accounting: CPU µs per request by layer, {acc['op']} C={acc['concurrency']}",
        "",
        f"{acc['reps']} repetitions of ABBA blocks ({acc['requests_per_rep'] // 2:,} requests each), "
        f"plain and profiled; {a['samples']:,} samples of `{raw}`, {b['samples']:,} of `{sdk}`, one per "
        f"{acc['tick_ms']:.2f} ms of CPU. A layer's figure is its samples x that interval / requests "
        "(not scaled to fit); ± is its 90 % counting error.",
        "",
        f"| layer | {raw} | {sdk} | difference |",
        "|:---|---:|---:|---:|",
    ]
    for layer, text in LAYERS.items():
        ra, sb = a["layers"][layer], b["layers"][layer]
        if ra["samples"] == 0 and sb["samples"] == 0:
            continue
        lines.append(
            f"| {text} | {_f(ra['us'])} ± {_f(ra['pm90'])} | {_f(sb['us'])} ± {_f(sb['pm90'])} "
            f"| {acc['difference'][layer]:+.1f} |"
        )
    lines += [
        f"| **sum of the layers** | **{_f(a['sampled_us_per_req'])}** "
        f"| **{_f(b['sampled_us_per_req'])}** "
        f"| **{acc['difference_total_us']:+.1f}** |",
        f"| CPU measured (process time), same blocks | {_f(a['cpu_us_per_req'])} "
        f"| {_f(b['cpu_us_per_req'])} | {acc['pooled_diff_us']:+.1f} |",
        "",
        f"The layers' differences add up to {acc['difference_total_us']:+.1f} µs, "
        f"{acc['agreement'] * 100:+.1f} % off the measured difference "
        + ("(within 10 %)" if abs(acc["agreement"]) <= 0.10 else "(**not** within 10 %)")
        + f"; the median of the repetitions' paired differences is {m['median']:+.1f} µs (90 % CI "
        f"{m['low']:+.1f} to {m['high']:+.1f}"
        + (
            ", which holds the sum)."
            if acc["sum_within_paired_interval"]
            else ", which does **not** hold the sum)."
        )
        + f" The plain blocks of the same run (no profiler): {_f(acc['plain_cpu_us'][raw])} and "
        f"{_f(acc['plain_cpu_us'][sdk])} µs per request, paired difference {plain['median']:+.1f} µs "
        f"(90 % CI {plain['low']:+.1f} to {plain['high']:+.1f}), CPU x raw "
        f"{acc['measured_cpu_ratio']['median']:.3f}, "
        f"req/s x raw {acc['measured_rps_ratio']['median']:.3f}; "
        f"profiled blocks cost {acc['profiler_overhead'][raw] * 100:+.1f} % and "
        f"{acc['profiler_overhead'][sdk] * 100:+.1f} % against them. Garbage collection, timed by "
        f"`gc.callbacks`: {_f(a['gc_timed_us_per_req'], 2)} and {_f(b['gc_timed_us_per_req'], 2)} µs "
        "per request.",
    ]
    return lines
