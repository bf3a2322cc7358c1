"""A bulk job's progress and summary, for a person reading stderr.

On a terminal, one live line, redrawn at most ten times a second and cut to the terminal's width::

    redacting 1,234/5,000  24.9/s  ETA 2:31  redacted 1,200 · skipped 30 · failed 4

Anywhere else (a pipe, a file, a CI log) the same line, plain and stamped with the time elapsed,
every ``every`` seconds and once at the end, so a log gets a few lines instead of thousands of
redraws; ``quiet`` shows nothing. Written by hand rather than with a progress library: it is one
line, and what such libraries do with a pipe (redraw codes, or nothing) is not what a log wants.

:class:`ProgressDisplay` is the job's ``on_progress``: with the sync client it runs on the client's
helper thread while the command's own thread waits for the job, so nothing else writes meanwhile.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Mapping
from typing import TextIO

from .._jobs.outcomes import ExportSummary, RedactionSummary, describe_reason
from .._jobs.progress import JobProgress

__all__ = ["ProgressDisplay", "describe", "export_summary", "redaction_summary"]

_REDRAW = 0.1  # seconds between two redraws of the live line
_FAILURES_SHOWN = 10


def _clock_text(seconds: float) -> str:
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def _counts(counts: Mapping[str, int]) -> str:
    return " · ".join(f"{name.replace('_', ' ')} {count:,}" for name, count in counts.items() if count)


def describe(progress: JobProgress, verb: str) -> str:
    """The progress line, without the time stamp."""
    if progress.phase == "counting":
        return f"counting the sessions to handle: {progress.total or 0:,} so far"
    parts = [
        f"{verb} {progress.done:,}" + (f"/{progress.total:,}" if progress.total is not None else "")
    ]
    if progress.rate is not None:
        parts.append(f"{progress.rate:,.1f}/s")
    eta = progress.eta
    if eta is not None and progress.phase == "running":
        parts.append(f"ETA {_clock_text(eta)}")
    if progress.phase == "finished":
        parts.append(f"in {_clock_text(progress.elapsed)}")
    counts = _counts(progress.counts)
    if counts:
        parts.append(counts)
    return "  ".join(parts)


class ProgressDisplay:
    """Shows a job's :class:`JobProgress` on ``stream``: live on a terminal, periodic elsewhere."""

    def __init__(
        self,
        stream: TextIO,
        verb: str,
        *,
        quiet: bool = False,
        every: float = 5.0,
        tty: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.verb = verb
        self.quiet = quiet
        self.every = every
        self.tty = stream.isatty() if tty is None else tty
        self.last: JobProgress | None = None
        self._clock = clock
        self._shown_at: float | None = None
        self._live = False  # a live line is on screen, not yet ended by a newline

    def __call__(self, progress: JobProgress) -> None:
        self.last = progress
        if self.quiet:
            return
        now = self._clock()
        final = progress.phase == "finished"
        if self.tty:
            if final or self._shown_at is None or now - self._shown_at >= _REDRAW:
                self._draw(describe(progress, self.verb), now)
                if final:
                    self.end_line()
        else:
            if self._shown_at is None:
                self._shown_at = now  # the first line comes ``every`` seconds in, not at once
            if final or now - self._shown_at >= self.every:
                self._print(progress, now)

    def _draw(self, line: str, now: float) -> None:
        width = shutil.get_terminal_size().columns - 1
        self.stream.write("\r\033[K" + line[:width])
        self.stream.flush()
        self._shown_at = now
        self._live = True

    def _print(self, progress: JobProgress, now: float) -> None:
        self.stream.write(f"[{_clock_text(progress.elapsed)}] {describe(progress, self.verb)}\n")
        self.stream.flush()
        self._shown_at = now

    def end_line(self) -> None:
        """End the live line, so that what follows starts on a line of its own."""
        if self._live:
            self.stream.write("\n")
            self.stream.flush()
            self._live = False

    def note(self, text: str) -> None:
        """A line of its own, below the live line."""
        self.end_line()
        self.stream.write(text + "\n")
        self.stream.flush()


def redaction_summary(summary: RedactionSummary) -> list[str]:
    """The redaction job's outcome, by outcome and reason, as lines for a person."""
    lines = []
    if summary.dry_run:
        lines.append(
            f"dry run: {summary.would_redact:,} sessions would be redacted, "
            f"{sum(summary.skipped.values()):,} skipped; nothing was changed"
        )
    else:
        state = "complete" if summary.complete else "not complete"
        replayed = f" ({summary.replayed:,} confirmed by a replay)" if summary.replayed else ""
        lines.append(
            f"redaction job {summary.job_id} {state}: {summary.redacted:,} redacted{replayed}, "
            f"{sum(summary.skipped.values()):,} skipped, {len(summary.failures):,} failed"
        )
    for reason, count in sorted(summary.skipped.items()):
        lines.append(f"  skipped {count:,}: {describe_reason(reason)}")
    for failure in summary.failures[:_FAILURES_SHOWN]:
        status = f"{failure.http_status} " if failure.http_status else ""
        request = f" (request {failure.request_id})" if failure.request_id else ""
        lines.append(f"  failed {failure.session}: {status}{failure.message}{request}")
    more = len(summary.failures) - _FAILURES_SHOWN
    if more > 0:
        lines.append(f"  ... and {more:,} more failures (all of them in the JSON summary on stdout)")
    if summary.checkpoint and not summary.dry_run:
        lines.append(f"checkpoint: {summary.checkpoint}")
    return lines


def export_summary(summary: ExportSummary) -> str:
    """The export's outcome, as a line for a person."""
    where = summary.destination or "stdout"
    return (
        f"exported {summary.rows:,} sessions to {where} ({summary.format}, {summary.bytes:,} bytes) "
        f"in {_clock_text(summary.elapsed)}"
    )
