"""``sessions redact`` (without an id) and ``sessions export``: the bulk jobs from the command line.

    stripe-identity sessions redact --created-before 2026-09-01T00:00:00Z \\
        --status verified,requires_input --checkpoint redact.ckpt [--dry-run]
    stripe-identity sessions export --format csv -o sessions.csv --expand last_verification_report

Sessions are selected by ``--created-before``/``--created-after``, ``--status`` (several,
comma-separated), ``--client-reference-id`` and any other list filter as ``-d KEY=VALUE``. Progress
goes to stderr (``_progress``), then a summary by outcome; stdout gets the JSON summary (a dry run's
stdout: one JSON line per session, what it would do). The exit status says whether everything was
done: 0, or 3 when sessions failed, 1 when an error stopped the job, 130 when interrupted (a job
with a checkpoint picks up where it stopped when the same command runs again).

``sessions redact ID`` still redacts the one session, as before.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
from typing import Any

from .._jobs.export import ExportFormat
from .._jobs.outcomes import JobStoppedError
from .._jobs.progress import JobProgress
from ._api import open_client, param_option, params_of, print_json
from ._progress import ProgressDisplay, export_summary, redaction_summary
from ._status import EXIT_ERROR, EXIT_INCOMPLETE, EXIT_OK, UsageError
from ._values import choices, count, per_second, seconds, statuses, timestamp

__all__ = ["export_options", "redact_options", "run_export", "run_redact"]

#: Stripe's test-mode limit, and its limit on any one endpoint in live mode too.
DEFAULT_RATE = 25.0
#: What an export may expand (``--expand``), and the option each stands for.
EXPORT_EXPANSIONS = ("last_verification_report", "verified_outputs")
#: The options of a bulk job that mean nothing with an id: their destination, and their flag.
_BULK_ONLY = {
    "created_before": "--created-before",
    "created_after": "--created-after",
    "statuses": "--status",
    "checkpoint": "--checkpoint",
    "dry_run": "--dry-run",
}


# --- options --------------------------------------------------------------------------------------


def _selection_options(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument(
        "--created-before",
        type=timestamp,
        metavar="TIME",
        help="only sessions created before TIME: ISO 8601 with a zone (2026-09-01T00:00:00Z), a "
        "date (midnight UTC) or unix seconds",
    )
    cmd.add_argument(
        "--created-after",
        type=timestamp,
        metavar="TIME",
        help="only sessions created at or after TIME",
    )
    cmd.add_argument(
        "--status",
        dest="statuses",
        type=statuses,
        metavar="STATUS[,STATUS]",
        help="only sessions in these statuses (requires_input, processing, verified, canceled)",
    )
    param_option(cmd, "--client-reference-id", metavar="ID", help="only sessions with this reference")


def _job_options(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument(
        "--rate-limit",
        type=per_second,
        default=DEFAULT_RATE,
        metavar="PER_SECOND",
        help=f"requests per second, all of them (default {DEFAULT_RATE:g}: Stripe's limit per "
        "endpoint, and its test-mode limit)",
    )
    cmd.add_argument("--quiet", action="store_true", help="no progress and no summary on stderr")
    cmd.add_argument(
        "--progress-every",
        type=seconds,
        default=5.0,
        metavar="SECONDS",
        help="when stderr is not a terminal, a progress line this often (default 5)",
    )


def redact_options(cmd: argparse.ArgumentParser) -> None:
    """``sessions redact [ID]``: one session by id, or a bulk job over the sessions selected."""
    cmd.add_argument(
        "id",
        nargs="?",
        help="the VerificationSession to redact (vs_...); without it, every session the options select",
    )
    _selection_options(cmd)
    cmd.add_argument(
        "--checkpoint",
        metavar="FILE",
        help="record the job's progress in FILE, and resume from it when FILE exists: after Ctrl-C "
        "or a crash, run the same command again",
    )
    cmd.add_argument(
        "--concurrency",
        type=count,
        default=8,
        metavar="N",
        help="redactions in flight at once (default 8)",
    )
    cmd.add_argument(
        "--dry-run",
        action="store_true",
        help="list what would be redacted or skipped, one JSON line per session, and change nothing",
    )
    cmd.add_argument(
        "--no-count",
        action="store_true",
        help="start at once, without counting the sessions first (progress then shows no total)",
    )
    _job_options(cmd)


def export_options(cmd: argparse.ArgumentParser) -> None:
    """``sessions export``: the sessions selected, to a JSON lines or CSV file."""
    cmd.add_argument(
        "--format",
        dest="export_format",
        choices=choices(ExportFormat),
        default="jsonl",
        help="jsonl: each session as the API returns it, one per line (default); csv: the columns "
        "of docs/bulk-jobs.md",
    )
    cmd.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE",
        help="the file to write (it appears only once complete); - for stdout",
    )
    _selection_options(cmd)
    cmd.add_argument(
        "--sensitive",
        action="store_true",
        help="add the fields only a restricted key (rk_...) may read: date of birth, ID and "
        "document numbers...",
    )
    cmd.add_argument(
        "--count", action="store_true", help="count the sessions first, to show a total and an ETA"
    )
    _job_options(cmd)


# --- the commands ---------------------------------------------------------------------------------


def _filters(args: argparse.Namespace) -> dict[str, Any]:
    """The list filters: ``-d`` pairs and param options, then the creation bounds."""
    filters = params_of(args)
    bounds = {"lt": args.created_before, "gte": args.created_after}
    bounds = {key: value for key, value in bounds.items() if value is not None}
    if bounds:
        if "created" in filters:
            raise UsageError("give the creation time with -d created[...] or with --created-*, not both")
        filters["created"] = bounds
    return filters


def run_redact(args: argparse.Namespace) -> int:
    if args.id is not None:
        return _redact_one(args)
    filters = _filters(args)
    if "expand" in filters:
        raise UsageError("--expand: a redaction job expands nothing")
    if not filters and not args.statuses:
        raise UsageError(
            "select the sessions to redact (--created-before, --status, -d ...), or give a session id"
        )
    if args.concurrency < 1:
        raise UsageError("--concurrency: give 1 or more")
    display = ProgressDisplay(
        sys.stderr,
        "checking" if args.dry_run else "redacting",
        quiet=args.quiet,
        every=args.progress_every,
    )
    on_progress = _PlanPrinter(display) if args.dry_run else display
    with open_client(args, rate_limit=args.rate_limit) as client:
        try:
            summary = client.jobs.redact_sessions(
                filters or None,
                statuses=args.statuses,
                checkpoint=args.checkpoint,
                concurrency=args.concurrency,
                dry_run=args.dry_run,
                count_first=not args.no_count,
                on_progress=on_progress,
            )
        except JobStoppedError as stopped:
            return _stopped(display, stopped, args.quiet)
        except ValueError as exc:  # a checkpoint of another job, a filter the job owns
            display.end_line()
            raise UsageError(str(exc)) from None
        except KeyboardInterrupt:
            display.note(_resume_hint(display.last, args.checkpoint))
            raise
    display.end_line()
    if not args.quiet:
        for line in redaction_summary(summary):
            print(line, file=sys.stderr)
    if not args.dry_run:
        print_json(summary.to_dict())
    return EXIT_OK if summary.ok else EXIT_INCOMPLETE


def _redact_one(args: argparse.Namespace) -> int:
    given = [flag for name, flag in _BULK_ONLY.items() if getattr(args, name)]
    if given:
        raise UsageError(f"{', '.join(given)} select sessions for a bulk job: give them without an id")
    params = params_of(args)
    with open_client(args) as client:
        result = client.verification_sessions.redact(args.id, params)
    print_json(result.to_dict())
    return EXIT_OK


def _stopped(display: ProgressDisplay, stopped: JobStoppedError, quiet: bool) -> int:
    display.end_line()
    if stopped.summary is not None:
        if not quiet:
            for line in redaction_summary(stopped.summary):
                print(line, file=sys.stderr)
        print_json(stopped.summary.to_dict())
    print(f"stripe-identity: error: {stopped}", file=sys.stderr)
    return EXIT_ERROR


def _resume_hint(last: JobProgress | None, checkpoint: str | None) -> str:
    done = f" after {last.done:,} sessions" if last is not None else ""
    if checkpoint:
        return f"interrupted{done}: run the same command again to finish the job ({checkpoint})"
    return f"interrupted{done}: run it again to go on (sessions already redacted are skipped)"


class _PlanPrinter:
    """A dry run's ``on_progress``: each session's plan as a JSON line on stdout, and the display."""

    def __init__(self, display: ProgressDisplay) -> None:
        self.display = display

    def __call__(self, progress: JobProgress) -> None:
        item = progress.item
        if item is not None:
            created = (
                datetime.datetime.fromtimestamp(item.created, datetime.timezone.utc).strftime(
                    "%Y-%m-%dT%H:%M:%SZ"
                )
                if item.created is not None
                else None
            )
            plan = {
                "session": item.session,
                "action": "redact" if item.outcome == "would_redact" else "skip",
                "reason": item.reason,
                "status": item.status,
                "created": created,
            }
            self.display.end_line()
            sys.stdout.write(json.dumps(plan) + "\n")
        self.display(progress)


def run_export(args: argparse.Namespace) -> int:
    filters = _filters(args)
    expand = filters.pop("expand", None) or []
    unknown = sorted(set(expand) - set(EXPORT_EXPANSIONS))
    if unknown:
        allowed = " or ".join(EXPORT_EXPANSIONS)
        raise UsageError(f"--expand: an export expands {allowed}, not {unknown[0]}")
    if args.sensitive and not (args.api_key or "").startswith("rk_"):
        raise UsageError("--sensitive needs a restricted key (rk_...) with access to sensitive results")
    destination: Any = args.output
    if args.output == "-":
        if sys.stdout.isatty():
            raise UsageError("not writing an export to a terminal: use -o FILE")
        destination = sys.stdout.buffer
    else:
        folder = os.path.dirname(os.path.abspath(args.output))
        if not os.path.isdir(folder):
            raise UsageError(f"-o: the folder {folder} does not exist")
    display = ProgressDisplay(sys.stderr, "exporting", quiet=args.quiet, every=args.progress_every)
    with open_client(args, rate_limit=args.rate_limit) as client:
        try:
            summary = client.jobs.export_sessions(
                destination,
                filters or None,
                format=args.export_format,
                statuses=args.statuses,
                expand_report="last_verification_report" in expand,
                verified_outputs="verified_outputs" in expand,
                sensitive=args.sensitive,
                count_first=args.count,
                on_progress=display,
            )
        except ValueError as exc:
            display.end_line()
            raise UsageError(str(exc)) from None
        except KeyboardInterrupt:
            display.note("interrupted: no file was written")
            raise
        except BaseException:
            display.end_line()
            raise
    display.end_line()
    if not args.quiet:
        print(export_summary(summary), file=sys.stderr)
    if args.output != "-":
        print_json(summary.to_dict())
    else:
        sys.stdout.flush()
    return EXIT_OK
