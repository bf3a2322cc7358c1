"""``python -m benchmarks``: the benchmark suite (see benchmarks/README.md).

Examples: ``--quick`` (smoke run, under a minute); no options (the full run, about ten minutes);
``--soak 200000`` (soak only, merged into the same JSON file); ``--only si-async,raw-aiohttp
--concurrency 16 --n 5000`` (a focused comparison); ``--rate-limit`` (client pacing against the
emulator's rate limits, about two minutes; its own JSON file).
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import accounting, analysis, report, sysinfo
from .clients import CLIENTS, Contender
from .paired import paired_summary, run_paired
from .progress import Progress
from .ratelimit import run_ratelimit_bench
from .static_server import StaticServer
from .suite import Options, output_paths, run_soak_mode, run_suite

_SECTIONS = ("load", "paired", "downloads", "micro", "emulator")
_RESULTS = Path(__file__).parent / "results"
#: Full runs (and soaks) go to latest.json, which is committed; smoke runs must not overwrite it.
_DEFAULT_OUT = _RESULTS / "latest.json"
_QUICK_OUT = _RESULTS / "quick.json"
#: The --rate-limit mode's own file (committed too), and its smoke run's (not).
_RATELIMIT_OUT = _RESULTS / "ratelimit.json"
_RATELIMIT_QUICK_OUT = _RESULTS / "ratelimit-quick.json"
_RATELIMIT_DEFAULTS = {"limit": 100, "n": 3000, "concurrency": 200}
_ACCOUNTING_OUT = _RESULTS / "accounting.json"
_PAIRED_OUT = _RESULTS / "paired.json"


def _parser() -> argparse.ArgumentParser:
    client_names = ", ".join(spec.name for spec in CLIENTS)
    p = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Benchmarks of stripe_identity against raw aiohttp and the official stripe SDK.",
    )
    p.add_argument("--quick", action="store_true", help="small N, 2 repetitions: a smoke run")
    p.add_argument(
        "--reps", type=int, help="repetitions of the load section (default 3; 2 with --quick)"
    )
    p.add_argument("--n", type=int, help="requests per run (default 4000; 300 with --quick)")
    p.add_argument(
        "--concurrency",
        help="comma-separated levels (default 1,16,100; one level, default 200, with --rate-limit)",
    )
    p.add_argument("--ops", default="GET,POST", help="GET (retrieve), POST (create) or both")
    p.add_argument("--warmup", type=int, help="warm-up requests before each run (default: automatic)")
    p.add_argument(
        "--out",
        type=Path,
        help="JSON output, chart next to it as .png (default results/latest.json; "
        "results/quick.json with --quick)",
    )
    p.add_argument(
        "--report", action="store_true", help="print the tables of an existing --out file and exit"
    )
    p.add_argument("--soak", type=int, metavar="N", help="soak mode: N requests, then merge into --out")
    p.add_argument(
        "--rate-limit",
        type=int,
        nargs="?",
        const=_RATELIMIT_DEFAULTS["limit"],
        metavar="PER_SECOND",
        help="rate-limit mode: --n creates (default 3000) at --concurrency (default 200) against the "
        "emulator limited to PER_SECOND (default 100), unpaced, paced and adaptive; writes "
        "results/ratelimit.json and .png",
    )
    p.add_argument(
        "--accounting",
        action="store_true",
        help="profile raw aiohttp and the SDK under the same load (GET C=16 unless --ops/--concurrency "
        "say otherwise; --n 20000 per repetition, --reps 4) and print CPU µs per request by layer; "
        "writes results/accounting.json",
    )
    p.add_argument(
        "--paired",
        action="store_true",
        help="only the paired runs (ABBA blocks, ratios with 90 %% intervals) of --contenders; "
        "writes results/paired.json",
    )
    p.add_argument(
        "--contenders",
        default="raw-aiohttp,si-async",
        help="clients of --paired/--accounting, the first is the baseline: "
        "name[opt=value,...]@sdk-path, e.g. raw-aiohttp,si-async,si-async@/tmp/sdk-before,"
        "si-async[client_user_agent=false]",
    )
    p.add_argument(
        "--only",
        help=f"comma-separated clients ({client_names}) and/or sections ({', '.join(_SECTIONS)})",
    )
    p.add_argument(
        "--paired-reps",
        type=int,
        help="repetitions of the paired section (default 20; 3 with --quick), or of --paired "
        "(default 15; --reps is read too)",
    )
    p.add_argument(
        "--sleeping-server",
        action="store_true",
        help="the static server sleeps between requests instead of polling (the method before "
        "2026-12-02: the client then also pays for waking it, more the slower it is)",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress display on stderr")
    return p


def _select(only: str | None) -> tuple[frozenset[str], list[str]]:
    if not only:
        return frozenset(_SECTIONS), [spec.name for spec in CLIENTS]
    names = [name.strip() for name in only.split(",") if name.strip()]
    known = {spec.name for spec in CLIENTS}
    unknown = [name for name in names if name not in known and name not in _SECTIONS]
    if unknown:
        raise SystemExit(f"--only: unknown names {unknown}; use {sorted(known | set(_SECTIONS))}")
    sections = frozenset(name for name in names if name in _SECTIONS)
    clients = [name for name in names if name in known]
    if not sections:
        sections = frozenset({"load"})
    return sections, clients or [spec.name for spec in CLIENTS]


def _load_previous(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data


def _command() -> str:
    return "python -m benchmarks" + ("" if not sys.argv[1:] else " " + " ".join(sys.argv[1:]))


def _rate_limit_mode(args: argparse.Namespace, progress: Progress) -> int:
    out = args.out or (_RATELIMIT_QUICK_OUT if args.quick else _RATELIMIT_OUT)
    json_path, chart_path = output_paths(out)
    if args.report:
        previous = _load_previous(json_path).get("rate_limit")
        if not previous:
            raise SystemExit(f"no rate-limit results in {json_path}")
        print("\n".join(report.ratelimit_markdown(previous)))
        return 0
    levels = [int(c) for c in (args.concurrency or "").split(",") if c.strip()]
    if len(levels) > 1:
        raise SystemExit("--rate-limit runs at one --concurrency level")
    if args.rate_limit < 1:
        raise SystemExit("--rate-limit: a positive number of requests per second")
    rl = run_ratelimit_bench(
        n=args.n or (600 if args.quick else _RATELIMIT_DEFAULTS["n"]),
        concurrency=levels[0] if levels else _RATELIMIT_DEFAULTS["concurrency"],
        limit=args.rate_limit,
        command=_command(),
        progress=progress.note,
    )
    progress.finish()
    report.write_json({"rate_limit": rl}, json_path)
    charted = report.write_ratelimit_chart(rl, chart_path)
    print("\n".join(report.ratelimit_markdown(rl)))
    print(f"\nwrote {json_path}" + (f" and {chart_path}" if charted else " (no chart)"))
    return 0


def _warmup(fixed: int | None, n: int) -> Callable[[int], int]:
    def warmup(concurrency: int) -> int:
        return fixed if fixed is not None else max(2 * concurrency, min(n // 5, 500))

    return warmup


def _paired_modes(args: argparse.Namespace, progress: Progress) -> int:
    accounting_mode = args.accounting
    out = args.out or (_ACCOUNTING_OUT if accounting_mode else _PAIRED_OUT)
    json_path, _ = output_paths(out)
    if args.report:
        previous = _load_previous(json_path)
        if not previous:
            raise SystemExit(f"no results in {json_path}")
        _print_paired(previous)
        return 0
    contenders = [Contender.parse(c) for c in args.contenders.split(",") if c.strip()]
    if len(contenders) < 2 or any(c.spec.family != "async" for c in contenders):
        raise SystemExit("--contenders: two or more async clients, the baseline first")
    default_ops, default_conc = ("GET", "16") if accounting_mode else ("GET,POST", "16,100")
    ops = [op.strip().upper() for op in (args.ops if args.ops != "GET,POST" else default_ops).split(",")]
    levels = [int(c) for c in (args.concurrency or default_conc).split(",") if c.strip()]
    n = args.n or (20000 if accounting_mode else 4000)
    # --paired-reps names the paired section's repetitions, so --paired reads it too.
    reps = (args.reps or 4) if accounting_mode else (args.paired_reps or args.reps or 15)
    client_core, server_core = sysinfo.cpu_plan()
    meta = {
        "generated_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": _command(),
        "machine": sysinfo.machine(),
        "versions": sysinfo.library_versions(),
        "sdk_revision": sysinfo.sdk_revision(),
        "client_core": client_core,
        "server_core": server_core,
    }
    sysinfo.pin(client_core)
    meta["server_poll"] = not args.sleeping_server
    with StaticServer(server_core, poll=not args.sleeping_server) as server:
        blocks = run_paired(
            contenders,
            server.url,
            server.port,
            client_core,
            ops=ops,
            concurrency=levels,
            n=n,
            reps=reps,
            warmup=_warmup(args.warmup, n),
            progress=progress,
            profile=accounting_mode,
        )
    progress.finish()
    baseline = contenders[0].key
    result: dict[str, Any] = {
        "meta": meta,
        "paired": {
            "baseline": baseline,
            "n": n,
            "reps": reps,
            "contenders": [c.key for c in contenders],
            "summary": paired_summary(blocks, baseline),
            "blocks": blocks,
        },
    }
    if accounting_mode:
        result["accounting"] = [
            accounting.accounting_summary(blocks, baseline, c.key, op, conc)
            for c in contenders[1:]
            for op in ops
            for conc in levels
        ]
    report.write_json(result, json_path)
    _print_paired(result)
    print(f"\nwrote {json_path}")
    return 0


def _print_paired(result: dict[str, Any]) -> None:
    meta = result["meta"]
    revision = meta.get("sdk_revision") or {}
    print(
        f"`{meta['command']}` ({meta['generated_at']}), SDK at `{revision.get('commit')}`"
        + (" with uncommitted changes" if revision.get("uncommitted_sdk_files") else "")
        + "\n"
    )
    print("\n".join(report.paired_markdown(result["paired"])))
    for acc in result.get("accounting") or []:
        print()
        print("\n".join(accounting.accounting_markdown(acc)))


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    progress = Progress(enabled=not args.no_progress)
    if args.rate_limit is not None:
        return _rate_limit_mode(args, progress)
    if args.accounting or args.paired:
        return _paired_modes(args, progress)
    out = args.out or (_QUICK_OUT if args.quick else _DEFAULT_OUT)
    json_path, chart_path = output_paths(out)
    previous = _load_previous(json_path)

    if args.report:
        if not previous:
            raise SystemExit(f"no results in {json_path}")
        print(report.markdown(previous))
        return 0

    if args.soak is not None:
        soak = run_soak_mode(args.soak, progress)
        # The soak is its own invocation; it joins the last full run's file instead of replacing it.
        result = previous or {}
        result["soak"] = soak
        if result.get("summary") or result.get("micro"):
            result["targets"] = analysis.targets(
                result.get("summary") or [],
                result.get("micro"),
                soak,
                result.get("paired"),
                result.get("downloads"),
            )
        report.write_json(result, json_path)
        print("\n".join(report.soak_markdown(soak)))
        print(f"\nwrote {json_path}")
        return 0

    sections, client_names = _select(args.only)
    quick = args.quick
    opts = Options(
        n=args.n or (300 if quick else 4000),
        # The targets come from the paired section; the load table describes every client.
        reps=args.reps or (2 if quick else 3),
        concurrency=[int(c) for c in (args.concurrency or "1,16,100").split(",") if c.strip()],
        ops=[op.strip().upper() for op in args.ops.split(",") if op.strip()],
        clients=[spec for spec in CLIENTS if spec.name in client_names],
        sections=sections,
        quick=quick,
        warmup=args.warmup,
        emulator_n=args.n or (300 if quick else 4000),
        command=_command(),
        server_poll=not args.sleeping_server,
        paired_reps=args.paired_reps or (3 if quick else 20),
    )
    result = run_suite(opts, progress)
    if "soak" in previous:
        result["soak"] = previous["soak"]  # from the last --soak invocation, dated inside
    result["targets"] = analysis.targets(
        result.get("summary") or [],
        result.get("micro"),
        result.get("soak"),
        result.get("paired"),
        result.get("downloads"),
    )
    report.write_json(result, json_path)
    charted = bool(result.get("summary")) and report.write_chart(result["summary"], chart_path)
    print(report.markdown(result))
    print(f"wrote {json_path}" + (f" and {chart_path}" if charted else " (no chart)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
