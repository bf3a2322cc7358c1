"""``python -m benchmarks``: the full run, its sections one after the other, then the targets.

Sections (``--only`` picks some, and some clients): *load* (every client at every concurrency,
``load``), *paired* (``raw-aiohttp`` against ``si-async`` in ABBA blocks, ``paired``), *downloads*,
*micro* and *emulator*, on the static server (one core; the clients on the other); then the modes
that bring their own servers, each run as its own flag would with its defaults: *cold-start*,
*sync-hop*, *pacing* (``--rate-limit``) and *app*.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import app, coldstart, ratelimit, report, synchop, sysinfo
from .clients import CLIENTS, ClientSpec, Contender
from .downloads import downloads_markdown, run_downloads
from .emulator_bench import emulator_markdown, run_emulator_bench
from .load import load_markdown, run_load, summarize, write_chart
from .micro import PARSE_TARGET, micro_markdown, run_micro
from .options import Options
from .paired import paired_markdown, paired_section
from .progress import Progress
from .static_server import FILE_SIZE, StaticServer
from .worker import run_isolated

__all__ = ["SECTIONS", "chart", "render", "run"]

#: The sections that are modes of their own: (name, module), run with the mode's defaults.
MODES: tuple[tuple[str, Any], ...] = (
    ("cold-start", coldstart),
    ("sync-hop", synchop),
    ("pacing", ratelimit),
    ("app", app),
)

SECTIONS = ("load", "paired", "downloads", "micro", "emulator", *(name for name, _ in MODES))


def _select(only: Sequence[str]) -> tuple[frozenset[str], list[ClientSpec]]:
    """``--only``: sections and clients by name; clients alone mean the load section."""
    known = {spec.name for spec in CLIENTS}
    unknown = [name for name in only if name not in known and name not in SECTIONS]
    if unknown:
        raise SystemExit(f"--only: unknown names {unknown}; use {sorted(known | set(SECTIONS))}")
    sections = frozenset(name for name in only if name in SECTIONS)
    if not sections:
        sections = frozenset({"load"}) if only else frozenset(SECTIONS)
    clients = [spec for spec in CLIENTS if spec.name in only] or list(CLIENTS)
    return sections, clients


def run(opts: Options, progress: Progress) -> dict[str, Any]:
    sections, clients = _select(opts.only)
    n = opts.n or (300 if opts.quick else 4000)
    reps = opts.reps or (2 if opts.quick else 3)
    result: dict[str, Any] = {"meta": {**report.run_meta(opts.command), "n": n, "reps": reps}}
    client_core, server_core = sysinfo.cpu_plan()
    sysinfo.pin(client_core)  # the harness mostly waits; keep it off the server's core
    with StaticServer(server_core) as server:
        if "load" in sections:
            runs = run_load(clients, server, client_core, opts, n, reps, progress)
            result["load"] = {"runs": runs, "summary": summarize(runs)}
        if "paired" in sections:
            progress.note("paired runs ...")
            levels = [c for c in opts.concurrency or (16, 100) if c > 1]
            result["paired"] = paired_section(
                [Contender.parse("raw-aiohttp"), Contender.parse("si-async")],
                server,
                client_core,
                opts,
                ops=opts.ops or ("GET", "POST"),
                concurrency=levels or (16,),
                n=n,
                reps=opts.paired_reps or (3 if opts.quick else 20),
                progress=progress,
            )
        if "downloads" in sections:
            progress.note("downloads ...")
            per_block, download_reps = (2, 3) if opts.quick else (4, 9)
            result["downloads"] = run_downloads(
                server.url, client_core, FILE_SIZE, per_block, download_reps
            )
        if "micro" in sections:
            progress.note("micro-benchmarks ...")
            result["micro"] = run_isolated(client_core, run_micro, server.url, opts.quick)
    if "emulator" in sections:
        progress.note("emulator ...")
        result["emulator"] = run_emulator_bench(
            n, 2 if opts.quick else 3, 16, client_core, server_core, progress.note
        )
    for name, mode in MODES:
        if name in sections:
            progress.note(f"{name} ...")
            # The mode's own defaults: the full run's --n, --reps... mean other things there.
            result[name] = mode.run(Options(command=opts.command, quick=opts.quick), progress)
            progress.total = progress.done = 0
    progress.finish()
    result["targets"] = targets(result)
    return result


def targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The project's targets, each with the measured value and a verdict (None: not measured)."""
    out = []
    paired_rows = {
        (r["op"], r["concurrency"]): r
        for r in (result.get("paired") or {}).get("summary", [])
        if r["client"] == "si-async"
    }
    for op in ("GET", "POST"):
        # GET's target is a guard since issue 24: at most 1.20 (in a run of 40 repetitions or more).
        cpu_line, rps_line = (1.20, 0.83) if op == "GET" else (1.15, 0.85)
        for conc in (16, 100):
            row = paired_rows.get((op, conc))
            for key, name, sign, line in (
                ("cpu_ratio", "CPU/req", "<=", cpu_line),
                ("rps_ratio", "req/s", ">=", rps_line),
            ):
                out.append(
                    report.target(
                        f"AsyncStripeIdentity {name} vs raw aiohttp, {op} C={conc}",
                        row[key]["median"] if row else None,
                        sign,
                        line,
                        row[key] if row else None,
                    )
                )
    # download_to writes a file where raw aiohttp reads into memory: reported, not a target.
    rows = (result.get("downloads") or {}).get("rows", [])
    download = next((r["ratio"] for r in rows if r["reader"] == "si-download"), None)
    out.append(
        report.target(
            "files.download throughput vs raw aiohttp, 20 MiB",
            download["median"] if download else None,
            ">=",
            0.9,
            download,
        )
    )
    micro = result.get("micro")
    parse = micro["parse"][PARSE_TARGET]["median_us"] if micro else None
    out.append(report.target("parse a session body into the model (µs)", parse, "<=", 12))
    load_rows = {
        (r["op"], r["concurrency"], r["client"]): r
        for r in (result.get("load") or {}).get("summary", [])
    }
    for op in ("GET", "POST"):
        for conc, line, what in ((1, 1.5, "sequential"), (16, 2.0, "16 threads")):
            row = load_rows.get((op, conc, "si-sync"))
            out.append(
                report.target(
                    f"StripeIdentity {what} req/s vs official sync SDK, {op}",
                    row.get("rps_vs_official") if row else None,
                    ">=",
                    line,
                )
            )
    for name, _ in MODES:
        out += (result.get(name) or {}).get("targets", [])
    return out


def render(result: dict[str, Any]) -> str:
    meta = result["meta"]
    lines = [
        *report.header(meta),
        f"N={meta['n']:,} requests per load run, {meta['reps']} repetitions, configurations "
        "interleaved.",
        "",
    ]
    if result.get("load"):
        lines += [*load_markdown(result["load"]["summary"]), ""]
    if result.get("paired"):
        title = "### Paired runs: AsyncStripeIdentity against raw aiohttp"
        lines += [*paired_markdown(result["paired"], title), ""]
    if result.get("downloads"):
        lines += [*downloads_markdown(result["downloads"]), ""]
    if result.get("micro"):
        lines += [*micro_markdown(result["micro"]), ""]
    if result.get("emulator"):
        lines += [*emulator_markdown(result["emulator"]), ""]
    for name, mode in MODES:
        if result.get(name):
            # Their own targets are listed once, with the full run's, at the end.
            section = {k: v for k, v in result[name].items() if k != "targets"}
            lines += [*mode.markdown(section), ""]
    lines += report.target_lines(result["targets"])
    return "\n".join(lines) + "\n"


def chart(result: dict[str, Any], path: Path) -> bool:
    """Throughput against concurrency, when the load section ran (and matplotlib is installed)."""
    return bool(result.get("load")) and write_chart(result["load"]["summary"], path)
