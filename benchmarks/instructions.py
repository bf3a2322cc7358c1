"""``--instructions``: the instructions each client executes per request, counted by callgrind.

The paired runs measure CPU time, which is what users pay, but on a shared VM a difference of a few
µs needs tens of repetitions to show and can hide in how a process's memory happened to land. An
instruction count does not drift: valgrind's callgrind counts every instruction the client process
executes (its user space: aiohttp, the SDK, the interpreter), and the same program counts the same
to within a few instructions per request. That makes it the tool to find *where* a few µs went (a
tree per commit, or per change, as contenders) before confirming *what it costs* with ``--paired``.

An instruction is not a unit of time: a tight loop in C retires several per cycle, a cache miss none.
So the ratio here is a guide, and the paired ratio is the verdict.

Each client is counted in a fresh process (``counted_program``), pinned, with a fixed hash seed,
against the static server on the other core, once with N/5 requests and once with N: the difference
divided by 4N/5 is its count per request, without start-up or warm-up. The baseline is counted twice
more, and the report shows how far apart those two counts are.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from . import report, sysinfo
from .clients import DEFAULT_CONTENDERS, LABELS, Contender
from .options import Options
from .progress import Progress
from .static_server import StaticServer

__all__ = ["render", "run"]

_COLLECTED = re.compile(r"Collected : (\d+)")
_ROOT = Path(__file__).resolve().parents[1]


def run(opts: Options, progress: Progress) -> dict[str, Any]:
    """Every contender (the baseline first), for each op and concurrency level (GET and POST, 16)."""
    if shutil.which("valgrind") is None:
        raise SystemExit("--instructions needs valgrind (Debian: apt-get install valgrind)")
    contenders = [Contender.parse(c) for c in opts.contenders or DEFAULT_CONTENDERS]
    if any(c.spec.family != "async" for c in contenders):
        raise SystemExit("--contenders: async clients only, the baseline first")
    n = opts.n or (400 if opts.quick else 1600)
    ops = opts.ops or ("GET", "POST")
    levels = opts.concurrency or (16,)
    client_core, server_core = sysinfo.cpu_plan()
    progress.total = len(ops) * len(levels) * (len(contenders) + 1)
    rows: list[dict[str, Any]] = []
    with StaticServer(server_core) as server:
        for op in ops:
            for concurrency in levels:
                counts: dict[str, float] = {}
                for contender in contenders:
                    per_request = _per_request(
                        contender.key, server.url, op, concurrency, n, client_core
                    )
                    counts[contender.key] = per_request
                    progress.step(f"{op} C={concurrency} {contender.key}: {per_request:,.0f}")
                baseline = contenders[0].key
                again = _per_request(baseline, server.url, op, concurrency, n, client_core)
                progress.step(f"{op} C={concurrency} {baseline} again: {again:,.0f}")
                for contender in contenders:
                    count = counts[contender.key]
                    rows.append(
                        {
                            "op": op,
                            "concurrency": concurrency,
                            "client": contender.key,
                            "instructions_per_request": count,
                            "ratio": count / counts[baseline],
                            "difference": count - counts[baseline],
                            **({"repeat": again} if contender.key == baseline else {}),
                        }
                    )
    progress.finish()
    return {"meta": report.run_meta(opts.command), "n": n, "baseline": contenders[0].key, "rows": rows}


def _per_request(key: str, url: str, op: str, concurrency: int, n: int, core: int | None) -> float:
    small = n // 5
    return (
        _count(key, url, op, concurrency, n, core) - _count(key, url, op, concurrency, small, core)
    ) / (n - small)


def _count(key: str, url: str, op: str, concurrency: int, n: int, core: int | None) -> int:
    env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONPATH": str(_ROOT)}
    command = [
        *(["taskset", "-c", str(core)] if core is not None and shutil.which("taskset") else []),
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        "-m",
        "benchmarks.counted_program",
        key,
        url,
        op,
        str(concurrency),
        str(n),
    ]
    done = subprocess.run(command, env=env, cwd=_ROOT, capture_output=True, text=True, timeout=1800)
    found = _COLLECTED.search(done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(
            f"{key} {op} under callgrind failed (exit {done.returncode}):\n{done.stderr[-2000:]}"
        )
    return int(found.group(1))


def render(result: dict[str, Any]) -> str:
    lines = [*report.header(result["meta"]), "### Instructions per request (callgrind)", ""]
    lines.append(
        f"Counted over {result['n']} requests less {result['n'] // 5}, each client in a fresh "
        "process; a guide to where time goes, not a measure of it (see `--paired`)."
    )
    lines.append("")
    table_rows = []
    for row in result["rows"]:
        name = row["client"]
        label = LABELS.get(name, name)
        repeat = row.get("repeat")
        count = report.fmt(row["instructions_per_request"])
        if repeat is not None:
            count += f" (again: {report.fmt(repeat)})"
        table_rows.append(
            [
                row["op"],
                str(row["concurrency"]),
                label,
                count,
                "-" if repeat is not None else f"{row['ratio']:.3f}",
                "-" if repeat is not None else f"{row['difference']:+,.0f}",
            ]
        )
    lines += report.table(
        ["op", "C", "client", "instructions per request", "x baseline", "difference"],
        table_rows,
        "llllrr",
    )
    return "\n".join(lines) + "\n"
