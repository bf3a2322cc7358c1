"""``--cold-start``: fresh processes that import a client library, make a client and call once.

What a script, a cron job, the CLI or a serverless function pays on every run. Each program of
:mod:`benchmarks.cold_programs` runs in a new interpreter pinned to the client core, against the
static server on the other; its wall time (fork to exit) and CPU time (user + system, its children
included: ``platform`` may run ``uname``) come from ``wait4``. A repetition runs every program
twice in ABBA order (the order rotating between repetitions), and a ratio is taken within each
repetition, then reduced to its median with the 90 % interval of :mod:`benchmarks.stats`.

Every program gets the same environment: ``PYTHONPATH`` names the SDK tree (so the search path is
the same length for all), the working directory is an empty one, and the SDK tree is byte-compiled
first, as an installed package is (``PYTHONDONTWRITEBYTECODE`` would otherwise leave the SDK
compiling its sources on every run while the site-packages it is compared with have theirs).

``--contenders`` picks programs (``si-sync@/tmp/before`` runs the SDK from another tree): they
are then compared with the first one, as in ``--paired``.
"""

from __future__ import annotations

import compileall
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import fixtures, report, sysinfo
from .cold_programs import PHASES, PROGRAMS, Program
from .options import Options
from .progress import Progress
from .static_server import StaticServer
from .stats import interval, median

__all__ = ["markdown", "render", "run"]

_REPO = Path(__file__).resolve().parent.parent
_BY_NAME = {p.name: p for p in PROGRAMS}

#: (program, baseline, the line its ratio must stay under): the issue's targets.
TARGETS: tuple[tuple[str, str, float], ...] = (
    ("si-sync", "raw-aiohttp", 1.15),
    ("si-sync", "stripe-sync", 0.8),
    ("si-async", "raw-aiohttp", 1.15),
    ("si-async", "stripe-httpx", 0.8),
    ("si-async", "stripe-aiohttp", 0.8),
    ("si-cli", "raw-cli", 1.15),
)


@dataclass(frozen=True)
class _Contender:
    key: str
    program: Program
    tree: Path

    @classmethod
    def parse(cls, text: str) -> _Contender:
        name, _, path = text.strip().partition("@")
        program = _BY_NAME.get(name)
        if program is None:
            raise SystemExit(f"--contenders: unknown program {name!r}; use {sorted(_BY_NAME)}")
        if path and not program.sdk:
            raise SystemExit(f"--contenders: {text!r}: only the SDK's programs take a tree")
        return cls(text.strip(), program, Path(path).resolve() if path else _REPO)


def _env(tree: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(tree)
    env["STRIPE_API_KEY"] = fixtures.API_KEY  # the CLI's key; the other programs pass theirs
    for name in ("STRIPE_API_BASE", "PYTHONSTARTUP", "PYTHONPROFILEIMPORTTIME"):
        env.pop(name, None)
    return env


def _spawn(contender: _Contender, url: str, cwd: str, code: str | None = None) -> dict[str, Any]:
    """One fresh process: its wall and CPU seconds (and stdout, for the phase programs)."""
    program = contender.program
    if code is not None:
        argv = ["-c", code, url]
    elif program.argv:
        argv = [*program.argv, url]
    else:
        argv = ["-c", program.code, url]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, *argv], cwd=cwd, env=_env(contender.tree), stdout=out, stderr=err
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise RuntimeError(
                f"{contender.key} exited with {proc.returncode}: {err.read().decode()[-2000:]}"
            )
        return {
            "wall_s": wall,
            "cpu_s": usage.ru_utime + usage.ru_stime,
            "stdout": out.read().decode() if code is not None else None,
        }


def _compile(trees: Sequence[Path]) -> None:
    for tree in {t for t in trees}:
        compileall.compile_dir(tree / "stripe_identity", quiet=2)


def run(opts: Options, progress: Progress) -> dict[str, Any]:
    chosen = list(opts.contenders) or [p.name for p in PROGRAMS]
    contenders = [_Contender.parse(c) for c in chosen]
    reps = opts.reps or (3 if opts.quick else 20)
    phase_reps = 2 if opts.quick else 7
    result: dict[str, Any] = {
        "meta": report.run_meta(opts.command),
        "reps": reps,
        "contenders": [c.key for c in contenders],
        "labels": {c.key: c.program.label for c in contenders},
        "compared_with_first": bool(opts.contenders),
    }
    client_core, server_core = sysinfo.cpu_plan()
    sysinfo.pin(client_core)  # the programs inherit it
    _compile([c.tree for c in contenders])
    runs: dict[str, list[dict[str, Any]]] = {c.key: [] for c in contenders}
    phases: dict[str, list[dict[str, Any]]] = {}
    progress.total = reps * len(contenders) * 2
    with StaticServer(server_core) as server, tempfile.TemporaryDirectory() as cwd:
        for c in contenders:  # warm the page cache; not measured
            _spawn(c, server.url, cwd)
        for rep in range(reps):
            shift = rep % len(contenders)
            order = [*contenders[shift:], *contenders[:shift]]
            blocks: dict[str, list[dict[str, Any]]] = {c.key: [] for c in contenders}
            for c in [*order, *reversed(order)]:
                sample = _spawn(c, server.url, cwd)
                blocks[c.key].append(sample)
                wall_ms = sample["wall_s"] * 1e3
                progress.step(f"cold start rep {rep + 1}/{reps} {c.key}: {wall_ms:.0f} ms")
            for key, samples in blocks.items():
                runs[key].append(
                    {
                        "wall_s": sum(s["wall_s"] for s in samples) / len(samples),
                        "cpu_s": sum(s["cpu_s"] for s in samples) / len(samples),
                    }
                )
        phased = [c for c in contenders if c.key in PHASES or c.program.name in PHASES]
        for rep in range(phase_reps):
            for c in phased:
                progress.note(f"phases {rep + 1}/{phase_reps} {c.key}", True)
                sample = _spawn(c, server.url, cwd, PHASES[c.program.name])
                phases.setdefault(c.key, []).append(_parse_phases(sample["stdout"]))
    progress.finish()
    result["runs"] = runs
    result["summary"] = {key: _medians(samples) for key, samples in runs.items()}
    result["ratios"] = _ratios(runs, contenders, bool(opts.contenders))
    result["phases"] = {key: _phase_medians(samples) for key, samples in phases.items()}
    # On CPU: on an idle machine these one-thread programs' wall time is their CPU time, and on a
    # shared one the wall time also holds whatever else ran meanwhile (the tables show both).
    result["targets"] = [
        report.target(
            f"cold start {r['program']} / {r['baseline']} (CPU)",
            r["cpu"]["median"],
            "<=",
            r["line"],
            r["cpu"],
        )
        for r in result["ratios"]
        if r["line"] is not None
    ]
    return result


def _parse_phases(stdout: str | None) -> dict[str, list[float]]:
    import json

    line = (stdout or "").strip().splitlines()[-1]
    parsed: dict[str, list[float]] = json.loads(line)
    return parsed


def _medians(samples: Sequence[dict[str, Any]]) -> dict[str, float]:
    return {
        "wall_ms": median(s["wall_s"] for s in samples) * 1e3,
        "cpu_ms": median(s["cpu_s"] for s in samples) * 1e3,
    }


def _phase_medians(samples: Sequence[dict[str, list[float]]]) -> dict[str, dict[str, float]]:
    out = {}
    for phase in ("import", "client", "first", "rest"):
        out[phase] = {
            "wall_ms": median(s[phase][0] for s in samples) * 1e3,
            "cpu_ms": median(s[phase][1] for s in samples) * 1e3,
        }
    return out


def _ratios(
    runs: dict[str, list[dict[str, Any]]], contenders: Sequence[_Contender], against_first: bool
) -> list[dict[str, Any]]:
    pairs: list[tuple[str, str, float | None]]
    if against_first:
        base = contenders[0].key
        pairs = [(c.key, base, None) for c in contenders[1:]]
    else:
        present = set(runs)
        pairs = [(p, b, line) for p, b, line in TARGETS if p in present and b in present]
    rows = []
    for mine, base, line in pairs:
        rows.append(
            {
                "program": mine,
                "baseline": base,
                "line": line,
                "wall": interval(
                    [m["wall_s"] / b["wall_s"] for m, b in zip(runs[mine], runs[base], strict=True)]
                ),
                "cpu": interval(
                    [m["cpu_s"] / b["cpu_s"] for m, b in zip(runs[mine], runs[base], strict=True)]
                ),
                "wall_diff_ms": interval(
                    [
                        (m["wall_s"] - b["wall_s"]) * 1e3
                        for m, b in zip(runs[mine], runs[base], strict=True)
                    ]
                ),
            }
        )
    return rows


def render(result: dict[str, Any]) -> str:
    return "\n".join([*report.header(result["meta"]), *markdown(result)]) + "\n"


def markdown(result: dict[str, Any]) -> list[str]:
    """The section's tables and targets (the full run prints them under its own header)."""
    f = report.fmt
    labels = result["labels"]
    lines = [
        "### Cold start: a fresh process imports, makes a client and retrieves one session",
        "",
        f"{result['reps']} repetitions, each running every program twice in ABBA order (a new "
        "interpreter each time); ratios are taken per repetition, then reduced to their median "
        "with a 90 % interval. CPU is user + system time, child processes included.",
        "",
        *report.table(
            ["program", "what", "wall ms", "CPU ms"],
            [
                [key, labels[key], f(s["wall_ms"]), f(s["cpu_ms"])]
                for key, s in result["summary"].items()
            ],
            "llrr",
        ),
        "",
        *report.table(
            ["program", "against", "wall x (90 % CI)", "CPU x (90 % CI)", "wall diff ms (90 % CI)"],
            [
                [
                    r["program"],
                    r["baseline"],
                    report.ci(r["wall"]),
                    report.ci(r["cpu"]),
                    report.ci(r["wall_diff_ms"], 0, signed=True),
                ]
                for r in result["ratios"]
            ],
            "llrrr",
        ),
    ]
    if result.get("phases"):
        lines += [
            "",
            "From inside a fresh process (medians of the runs; later calls: the median of 20):",
            "",
            *report.table(
                ["program", "import ms", "client ms", "first call ms", "later calls ms"],
                [
                    [
                        key,
                        *(
                            f"{f(p[phase]['wall_ms'], 1)} ({f(p[phase]['cpu_ms'], 1)} CPU)"
                            for phase in ("import", "client", "first", "rest")
                        ),
                    ]
                    for key, p in result["phases"].items()
                ],
                "lrrrr",
            ),
        ]
    if result.get("targets"):
        lines += ["", *report.target_lines(result["targets"], "#### Targets")]
    return lines
