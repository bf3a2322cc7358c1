"""Bulk jobs against the emulator: ``python -m benchmarks --bulk [N]``, the issue's full-size figures.

Three parts, each against a fresh emulator in its own process (``EmulatorProcess``, server core);
the jobs run as users run them, ``stripe-identity sessions ...`` in a subprocess (client core):

* ``resume``: N sessions (5,000; 60 % verified, 20 % requires_input, 20 % canceled) plus 100 of
  another reference. The redaction job is SIGKILLed at three points drawn from a seeded generator
  (once the emulator has answered that many redactions) and resumed each time with its checkpoint.
  The emulator's request log then judges: one redaction that ran (200, not replayed) per selected
  session, nothing else redacted, every replay one of the job's own keys.
* ``pacing``: ``--n`` sessions (1,500) on an emulator with Stripe's test-mode limits (25 requests
  per second per key, and per endpoint); the job at the command's default ``--rate-limit 25``.
  Utilisation is the job's requests (its count, its list pages, its redactions) over its elapsed
  time, as a fraction of 25; 429s are read from the log. Its progress on stderr (a pipe: the
  plain form) is kept in the results.
* ``export``: 10 * N sessions (50,000; half verified, with a report), exported with
  ``--expand last_verification_report`` as JSON lines and as CSV, each in a fresh process; the
  peak RSS over the warmed-up process's RSS (the kernel's high-water mark, reset before the run).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stripe_identity._jobs.checkpoint import Journal

from . import report, sysinfo
from .emulator_bench import EmulatorProcess
from .options import Options
from .progress import Progress
from .worker import run_isolated

if TYPE_CHECKING:
    import stripe_identity as si

__all__ = ["render", "run"]

_JOB_KEY = "sk_test_" + "bulkjob" + "0" * 17
_SEED = 27
_ROOT = Path(__file__).resolve().parents[1]
#: What the job below selects, as its checkpoint records it.
_SELECTION = (
    "client_reference_id=policy&statuses[0]=canceled&statuses[1]=requires_input&statuses[2]=verified"
)
_SETUP_KEYS = 200  # rate limits are per key: setup spreads its requests so it is never limited


async def _populate(api_base: str, counts: dict[str, int], reference: str) -> dict[str, list[str]]:
    """Sessions in each status (verified, requires_input, canceled), with ``reference``."""
    import stripe_identity as si

    made: dict[str, list[str]] = {status: [] for status in counts}
    work = [status for status, n in counts.items() for _ in range(n)]
    async with si.AsyncStripeIdentity(_JOB_KEY, api_base=api_base) as base:
        views = [base.with_options(api_key=f"sk_test_setup{i:04d}") for i in range(_SETUP_KEYS)]

        async def one(index: int, status: str) -> None:
            client = views[index % _SETUP_KEYS]
            session = await client.verification_sessions.create(
                {"type": "document", "client_reference_id": reference}
            )
            if status == "verified":
                path = f"/_emulator/verification_sessions/{session.id}/submit"
                await client.raw_request("POST", path, {"outcome": "verified"})
            elif status == "canceled":
                await client.verification_sessions.cancel(session.id)
            made[status].append(session.id)

        queue = iter(enumerate(work))

        async def worker() -> None:
            for index, status in queue:
                await one(index, status)

        await asyncio.gather(*(worker() for _ in range(64)))
    return made


async def _control(api_base: str, path: str) -> Any:
    import stripe_identity as si

    async with si.AsyncStripeIdentity(_JOB_KEY, api_base=api_base) as client:
        return await client.raw_request("GET", path)


def _cli(*args: str, api_base: str) -> list[str]:
    return [sys.executable, "-m", "stripe_identity", "sessions", *args, "--api-base", api_base]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STRIPE_")}
    env["PYTHONPATH"] = os.pathsep.join([str(_ROOT), env.get("PYTHONPATH", "")])
    return {**env, "STRIPE_API_KEY": _JOB_KEY}


def _redact_args(checkpoint: Path, *extra: str) -> list[str]:
    return [
        *("redact", "--client-reference-id", "policy", "--status", "verified,requires_input,canceled"),
        *("--checkpoint", str(checkpoint), *extra),
    ]


def _resume(n: int, server_core: int | None, progress: Progress) -> dict[str, Any]:
    emulator = EmulatorProcess(server_core)
    try:
        if emulator.api_base is None:
            return {"skipped": emulator.skipped}
        base = emulator.api_base
        counts = {"verified": n * 6 // 10, "requires_input": n * 2 // 10, "canceled": n * 2 // 10}
        progress.note(f"bulk resume: creating {n:,} sessions ...")
        ids = asyncio.run(_populate(base, counts, "policy"))
        others = asyncio.run(_populate(base, {"verified": 100}, "other"))
        selected = set(ids["verified"]) | set(ids["requires_input"])
        setup = len(asyncio.run(_control(base, "/_emulator/requests"))["data"])
        checkpoint = Path(tempfile.mkdtemp()) / "retention.ckpt"
        command = _cli(*_redact_args(checkpoint, "--rate-limit", "100000", "--quiet"), api_base=base)
        points = sorted(random.Random(_SEED).sample(range(1, len(selected)), 3))
        kills = []
        started = time.monotonic()
        for point in points:
            process = subprocess.Popen(
                command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env()
            )
            while process.poll() is None:
                if emulator.ask("stats")["by_operation"].get("redact", 0) >= point:
                    process.send_signal(signal.SIGKILL)
                    break
                time.sleep(0.02)
            process.wait()
            state = Journal.open(checkpoint, _SELECTION, read_only=True).state
            kills.append(
                {
                    "after_redactions": point,
                    "returncode": process.returncode,
                    "in_flight": len(state.in_flight),
                }
            )
            progress.note(f"bulk resume: killed after {point:,} redactions")
        final = subprocess.run(command, capture_output=True, text=True, env=_env(), check=False)
        wall = time.monotonic() - started
        summary = json.loads(final.stdout) if final.returncode == 0 else {}
        log = asyncio.run(_control(base, "/_emulator/requests"))["data"][setup:]
        redacted = {s["id"] for s in asyncio.run(_sessions(base)) if s["redaction"] is not None}
    finally:
        emulator.close()
    ran: Counter[str] = Counter()
    replayed: Counter[str] = Counter()
    keys_ok = True
    for entry in log:
        if entry["operation"] != "redact" or entry["status"] != 200:
            continue
        session = entry["path"].split("/")[-2]
        (replayed if entry["replayed"] else ran)[session] += 1
        keys_ok &= entry["idempotency_key"] == f"redact-{summary.get('job_id')}-{session}"
    return {
        "sessions": n,
        "selected": len(selected),
        "kill_points": points,
        "kills": kills,
        "final_returncode": final.returncode,
        "final_stderr": final.stderr[-2000:],
        "summary": summary,
        "wall_s": wall,
        "each_redacted_once": ran == dict.fromkeys(selected, 1),
        "redacted_more_than_once": sum(1 for count in ran.values() if count > 1),
        "not_redacted": len(selected - set(ran)),
        "others_touched": len(redacted - selected),
        "untouched_others": not (redacted & set(others["verified"])),
        "replays": sum(replayed.values()),
        "replayed_sessions": len(replayed),
        "keys_are_the_jobs": keys_ok,
        "requests": Counter(entry["operation"] for entry in log),
    }


async def _sessions(api_base: str) -> list[dict[str, Any]]:
    import stripe_identity as si

    async with si.AsyncStripeIdentity(_JOB_KEY, api_base=api_base) as client:
        out: list[dict[str, Any]] = []
        page = await client.raw_request("GET", "/v1/identity/verification_sessions", {"limit": 100})
        out += page["data"]
        while page["has_more"]:
            params = {"limit": 100, "starting_after": out[-1]["id"]}
            page = await client.raw_request("GET", "/v1/identity/verification_sessions", params)
            out += page["data"]
        return out


def _pacing(n: int, server_core: int | None, progress: Progress) -> dict[str, Any]:
    emulator = EmulatorProcess(server_core, "test")
    try:
        if emulator.api_base is None:
            return {"skipped": emulator.skipped}
        base = emulator.api_base
        progress.note(f"bulk pacing: creating {n:,} sessions ...")
        counts = {"verified": n * 6 // 10, "requires_input": n * 2 // 10, "canceled": n * 2 // 10}
        asyncio.run(_populate(base, counts, "policy"))
        setup = len(asyncio.run(_control(base, "/_emulator/requests"))["data"])
        checkpoint = Path(tempfile.mkdtemp()) / "paced.ckpt"
        progress.note(f"bulk pacing: redacting at the default 25/s, ~{n * 0.8 / 25:.0f} s ...")
        result = subprocess.run(
            _cli(*_redact_args(checkpoint, "--progress-every", "10"), api_base=base),
            capture_output=True,
            text=True,
            env=_env(),
            check=False,
        )
        log = asyncio.run(_control(base, "/_emulator/requests"))["data"][setup:]
        limits = emulator.ask("stats")["rate_limits"]
    finally:
        emulator.close()
    summary = json.loads(result.stdout) if result.returncode == 0 else {}
    elapsed = summary.get("elapsed") or float("nan")
    statuses = Counter(str(entry["status"]) for entry in log)
    return {
        "sessions": n,
        "returncode": result.returncode,
        "summary": summary,
        "requests": len(log),
        "by_operation": Counter(entry["operation"] for entry in log),
        "by_status": statuses,
        "emulator_limited": limits["limited"],
        "elapsed_s": elapsed,
        "requests_per_s": len(log) / elapsed,
        "utilisation": len(log) / elapsed / 25,
        "transcript": result.stderr,
    }


def _export_process(api_base: str, path: str, export_format: si.ExportFormat) -> dict[str, Any]:
    import gc

    import stripe_identity as si

    with si.StripeIdentity(_JOB_KEY, api_base=api_base) as client:
        # Warm up: every module and code path of an export, and the connection, before measuring.
        client.jobs.export_sessions(
            path, {"client_reference_id": "none"}, format=export_format, expand_report=True
        )
        client.verification_sessions.list({"limit": 100, "expand": ["data.last_verification_report"]})
        gc.collect()
        baseline = sysinfo.rss_mb()
        sysinfo.reset_peak_rss()
        summary = client.jobs.export_sessions(path, format=export_format, expand_report=True)
        peak = sysinfo.peak_rss_mb()
    os.unlink(path)
    return {
        "format": export_format,
        "rows": summary.rows,
        "bytes": summary.bytes,
        "elapsed_s": summary.elapsed,
        "baseline_rss_mb": baseline,
        "peak_rss_mb": peak,
        "growth_mib": peak - baseline,
    }


def _export(
    n: int, client_core: int | None, server_core: int | None, progress: Progress
) -> dict[str, Any]:
    emulator = EmulatorProcess(server_core)
    try:
        if emulator.api_base is None:
            return {"skipped": emulator.skipped}
        progress.note(f"bulk export: creating {n:,} sessions ...")
        asyncio.run(
            _populate(emulator.api_base, {"verified": n // 2, "requires_input": n - n // 2}, "x")
        )
        runs = []
        formats: tuple[si.ExportFormat, ...] = ("jsonl", "csv")
        for export_format in formats:
            progress.note(f"bulk export: {n:,} sessions as {export_format} ...")
            path = str(Path(tempfile.mkdtemp()) / f"sessions.{export_format}")
            runs.append(
                run_isolated(client_core, _export_process, emulator.api_base, path, export_format)
            )
    finally:
        emulator.close()
    return {"sessions": n, "runs": runs}


def run(opts: Options, progress: Progress) -> dict[str, Any]:
    """The ``--bulk`` mode: resume, pacing and export, one after the other."""
    n = opts.value or (1000 if opts.quick else 5000)
    paced = opts.n or (300 if opts.quick else 1500)
    client_core, server_core = sysinfo.cpu_plan()
    result: dict[str, Any] = {"meta": report.run_meta(opts.command)}
    try:
        result["resume"] = _resume(n, server_core, progress)
        result["pacing"] = _pacing(paced, server_core, progress)
        result["export"] = _export(10 * n, client_core, server_core, progress)
    finally:
        progress.finish()
    result["targets"] = _targets(result)
    return result


def _targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    resume, pacing, export = result["resume"], result["pacing"], result["export"]
    growth = [r["growth_mib"] for r in export.get("runs", [])]
    return [
        report.target(
            "resume: sessions not redacted exactly once",
            resume.get("not_redacted", 0) + resume.get("redacted_more_than_once", 0)
            if "selected" in resume
            else None,
            "<=",
            0,
        ),
        report.target("resume: other sessions redacted", resume.get("others_touched"), "<=", 0),
        report.target(
            "pacing: utilisation of the test-mode limit", pacing.get("utilisation"), ">=", 0.95
        ),
        report.target(
            "pacing: requests answered 429",
            pacing["by_status"].get("429", 0) if "by_status" in pacing else None,
            "<=",
            0,
        ),
        report.target("export: peak RSS growth, MiB", max(growth) if growth else None, "<", 20),
    ]


def render(result: dict[str, Any]) -> str:
    """The three parts, then the targets."""
    lines = [*report.header(result["meta"]), "### Bulk jobs", ""]
    resume, pacing, export = result["resume"], result["pacing"], result["export"]
    if "selected" in resume:
        in_flight = ", ".join(str(kill.get("in_flight", "?")) for kill in resume["kills"])
        lines += [
            f"**Resume.** {resume['sessions']:,} sessions, {resume['selected']:,} selected for "
            f"redaction; SIGKILLed after {', '.join(f'{p:,}' for p in resume['kill_points'])} "
            f"redactions (seed {_SEED}), with {in_flight} redactions in flight, and resumed each "
            f"time; {resume['wall_s']:.1f} s in all. "
            f"Each selected session redacted exactly once: {resume['each_redacted_once']}; other "
            f"sessions redacted: {resume['others_touched']}; {resume['replays']:,} redactions "
            f"answered from the idempotency store ({resume['replayed_sessions']:,} sessions), "
            f"every key the job's: {resume['keys_are_the_jobs']}. Requests: "
            + ", ".join(f"{count:,} {op}" for op, count in sorted(resume["requests"].items())),
            "",
        ]
    if "utilisation" in pacing:
        lines += [
            f"**Pacing.** {pacing['sessions']:,} sessions at Stripe's test-mode limit (25/s): "
            f"{pacing['requests']:,} requests in {pacing['elapsed_s']:.1f} s, "
            f"{pacing['requests_per_s']:.2f}/s = {pacing['utilisation']:.3f} of the limit; answers "
            + ", ".join(
                f"{count:,} x {status}" for status, count in sorted(pacing["by_status"].items())
            ),
            "",
        ]
    if export.get("runs"):
        lines += report.table(
            ["format", "sessions", "bytes", "seconds", "RSS before, MiB", "peak, MiB", "growth, MiB"],
            [
                [
                    r["format"],
                    report.fmt(r["rows"]),
                    report.fmt(r["bytes"]),
                    report.fmt(r["elapsed_s"], 1),
                    report.fmt(r["baseline_rss_mb"], 1),
                    report.fmt(r["peak_rss_mb"], 1),
                    report.fmt(r["growth_mib"], 1),
                ]
                for r in export["runs"]
            ],
            "lrrrrrr",
        )
        lines.append("")
    lines += report.target_lines(result["targets"], "#### Targets")
    return "\n".join(lines) + "\n"
