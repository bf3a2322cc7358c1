"""``python -m benchmarks``: the modes, their options and their output files (benchmarks/README.md).

A mode is a module with two functions: ``run(Options, Progress) -> dict`` measures and returns the
results (written as JSON), ``render(dict) -> str`` turns them into the markdown printed on stdout
(``--report`` prints it again from the file). To add a mode, write its module and add it to
:data:`MODES`: its name becomes its flag and its results file.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import (
    app,
    bulk,
    coldstart,
    instructions,
    many_workers,
    paired,
    ratelimit,
    report,
    soak,
    suite,
    synchop,
)
from .clients import CLIENTS
from .options import Options
from .progress import Progress

_RESULTS = Path(__file__).parent / "results"


@dataclass(frozen=True)
class Mode:
    run: Callable[[Options, Progress], dict[str, Any]]
    render: Callable[[dict[str, Any]], str]
    help: str
    #: ``add_argument`` keywords of the mode's flag, beyond its help (a value it takes, say).
    flag: Mapping[str, Any] = field(default_factory=lambda: {"action": "store_true"})
    #: Draws a chart next to the JSON file; False when it has nothing to draw.
    chart: Callable[[dict[str, Any], Path], bool] | None = None


#: name -> mode. The name is the flag (``--rate-limit``) and the file (``results/rate-limit.json``).
MODES: dict[str, Mode] = {
    "full": Mode(
        suite.run,
        suite.render,
        "the full run, every section (load, paired, downloads, micro, emulator), ~15 min",
        chart=suite.chart,
    ),
    "paired": Mode(
        paired.run,
        paired.render,
        "only the paired runs of --contenders: ratios with 90 %% intervals, ~4 min",
    ),
    "instructions": Mode(
        instructions.run,
        instructions.render,
        "instructions per request of --contenders, counted by valgrind's callgrind: noise-free, so "
        "a few hundred show (where time went; --paired says what it costs), ~1 min per client and op",
    ),
    "soak": Mode(
        soak.run,
        soak.render,
        "N requests on one client, watching RSS and open descriptors (200000: ~35 s)",
        {"type": int, "metavar": "N"},
    ),
    "rate-limit": Mode(
        ratelimit.run,
        ratelimit.render,
        "pacing against the emulator limited to PER_SECOND (default 100): unpaced, then fixed "
        "and adaptive --reps times (5); --n creates (3000) at one --concurrency (200), ~6 min",
        {"type": int, "nargs": "?", "const": 100, "metavar": "PER_SECOND"},
    ),
    "bulk": Mode(
        bulk.run,
        bulk.render,
        "bulk jobs against the emulator: a redaction of N sessions (5000) SIGKILLed three times and "
        "resumed, --n (1500) redactions at the test-mode rate limit, an export of 10 * N, ~6 min",
        {"type": int, "nargs": "?", "const": 5000, "metavar": "N"},
    ),
    "workers": Mode(
        many_workers.run,
        many_workers.render,
        "P worker processes (default 4) on one redis-server: pacing through one RedisRateLimiter "
        "against an account-wide limit of --n per second (100), and 10,000 webhook events (10 %% "
        "twice) on a RedisEventLedger; one worker SIGKILLed in each; ~1.5 min",
        {"type": int, "nargs": "?", "const": 4, "metavar": "P"},
    ),
    "cold-start": Mode(
        coldstart.run,
        coldstart.render,
        "fresh processes: import, client, one retrieve (SDK sync, async and CLI; plain aiohttp; "
        "stripe-python), paired, ~3 min",
    ),
    "sync-hop": Mode(
        synchop.run,
        synchop.render,
        "the sync client's extra CPU per call over the async client's, against a bare "
        "run_coroutine_threadsafe round trip, 1 and 16 callers, ~5 min",
    ),
    "app": Mode(
        app.run,
        app.render,
        "a Starlette app on uvicorn (create sessions, verify webhooks) with this SDK and "
        "stripe-python's aiohttp and httpx transports, against the emulator LATENCY_MS away "
        "(default 30): server CPU, req/s, p50/p99, paired; --only si,stripe-httpx..., ~10 min",
        {"type": int, "nargs": "?", "const": 30, "metavar": "LATENCY_MS"},
    ),
}
_DEFAULT = "full"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Benchmarks of stripe_identity against raw aiohttp and the official stripe SDK. "
        f"Without a mode flag: {MODES[_DEFAULT].help}.",
    )
    modes = p.add_mutually_exclusive_group()
    for name, mode in MODES.items():
        if name != _DEFAULT:
            modes.add_argument(f"--{name}", help=mode.help, **mode.flag)
    p.add_argument("--quick", action="store_true", help="a smoke run: small N, few repetitions")
    p.add_argument("--report", action="store_true", help="print the mode's last results again")
    p.add_argument("--n", type=int, help="requests per run (per pair of blocks in paired runs)")
    p.add_argument("--reps", type=int, help="repetitions (load section: 3; --paired: 15)")
    p.add_argument("--paired-reps", type=int, help="repetitions of the paired runs (20 in the full run)")
    p.add_argument("--concurrency", help="comma-separated levels (load: 1,16,100; paired: 16,100)")
    p.add_argument("--ops", help="GET (retrieve), POST (create) or both (the default)")
    p.add_argument("--warmup", type=int, help="requests before each measured run (default: automatic)")
    p.add_argument(
        "--only",
        help="sections and clients of the full run, comma-separated: "
        + ", ".join([*suite.SECTIONS, *(spec.name for spec in CLIENTS)]),
    )
    p.add_argument(
        "--contenders",
        help="clients of --paired (default raw-aiohttp,si-async), the baseline first; an SDK client "
        "may be written name[option=value,...]@path (constructor options; a tree to import the SDK "
        "from); programs of --cold-start, name@path",
    )
    p.add_argument("--out", type=Path, help="the JSON file (default results/<mode>.json)")
    p.add_argument("--no-progress", action="store_true", help="no progress display on stderr")
    return p


def _split(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def _options(args: argparse.Namespace, value: Any) -> Options:
    concurrency = [int(c) for c in _split(args.concurrency)]
    ops = [op.upper() for op in _split(args.ops)]
    if not set(ops) <= {"GET", "POST"}:
        raise SystemExit(f"--ops: GET, POST or both, not {args.ops!r}")
    return Options(
        command=" ".join(["python -m benchmarks", *sys.argv[1:]]),
        quick=args.quick,
        n=args.n,
        reps=args.reps,
        paired_reps=args.paired_reps,
        concurrency=concurrency or None,
        ops=ops or None,
        warmup=args.warmup,
        only=_split(args.only),
        contenders=_split(args.contenders),
        value=value if isinstance(value, int) and not isinstance(value, bool) else None,
    )


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    chosen = [
        (name, getattr(args, name.replace("-", "_")))
        for name in MODES
        if name != _DEFAULT and getattr(args, name.replace("-", "_")) not in (None, False)
    ]
    name, value = chosen[0] if chosen else (_DEFAULT, None)
    mode = MODES[name]
    path = args.out or _RESULTS / f"{name}{'-quick' if args.quick else ''}.json"
    if args.report:
        try:
            result = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise SystemExit(f"no results to report in {path}: {exc}") from None
        print(mode.render(result), end="")
        return 0
    result = mode.run(_options(args, value), Progress(enabled=not args.no_progress))
    report.write_json(result, path)
    print(mode.render(result))
    chart = path.with_suffix(".png")
    charted = mode.chart is not None and mode.chart(result, chart)
    print(f"wrote {path}" + (f" and {chart}" if charted else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
