"""What a bulk job tells its caller as it goes: one :class:`JobProgress` after every session.

A job takes ``on_progress``, a plain function called with a :class:`JobProgress` after each session
it handles (its :class:`ItemOutcome` is ``item``) and after each page it counts. The function runs
on the job's event loop, between requests: it must return quickly and must not block. With the sync
client that loop is the client's helper thread, not the thread that called the job, so the function
must also be safe to run there (write to a stream, update a counter) and must not call the sync
client, which would wait on the very thread it runs on (the client refuses: ``RuntimeError``).

:class:`ProgressTracker` is the job's side: it keeps the counts and the recent rate (over the last
:data:`RATE_WINDOW` seconds, so a slow start or a pause does not skew the estimate for long), and
builds each report.
"""

from __future__ import annotations

import time
from collections import Counter, deque
from collections.abc import Callable, Mapping
from typing import Literal

import attrs

__all__ = [
    "RATE_WINDOW",
    "ItemOutcome",
    "JobProgress",
    "Outcome",
    "Phase",
    "ProgressCallback",
    "ProgressTracker",
]

#: What a job did with a session. ``would_redact`` is a dry run's.
Outcome = Literal["redacted", "would_redact", "skipped", "failed", "exported"]
#: ``counting``: the job counts the sessions it will handle (``total`` grows); ``running``: it
#: handles them; ``finished``: the last report.
Phase = Literal["counting", "running", "finished"]

#: Seconds of history the rate is measured over.
RATE_WINDOW = 10.0
_SAMPLE_EVERY = 0.25  # seconds between the rate's samples: at most 40 held, whatever the speed


@attrs.frozen(kw_only=True)
class ItemOutcome:
    """What a job did with one session.

    ``reason`` says why it was skipped (``already_redacted``, ``status:canceled`` ...) or failed (the
    API's message). ``status`` and ``created`` are the session's as listed; both are ``None`` for a
    session the job took up again from its checkpoint. ``replayed`` is true when the API answered a
    redaction from its idempotency store: the session was redacted by an earlier run of the job.
    """

    session: str
    outcome: Outcome
    reason: str | None = None
    status: str | None = None
    created: int | None = None
    replayed: bool = False


@attrs.frozen(kw_only=True)
class JobProgress:
    """Where a job stands.

    ``done`` counts the sessions handled (in earlier runs too, for a resumed job), ``total`` the
    sessions the job expects to handle once counted (``None`` while unknown), ``counts`` the outcomes
    so far (``{"redacted": 120, "skipped": 4}``), ``rate`` sessions per second over the last seconds
    (``None`` until measurable), ``elapsed`` seconds since this run started, and ``item`` the session
    just handled (``None`` in a counting or final report).
    """

    phase: Phase
    done: int
    total: int | None
    counts: Mapping[str, int]
    elapsed: float
    rate: float | None
    item: ItemOutcome | None = None

    @property
    def eta(self) -> float | None:
        """Seconds left at the current rate, when both the total and the rate are known."""
        if self.total is None or not self.rate:
            return None
        return max(0, self.total - self.done) / self.rate


#: ``on_progress``: called with each report (see the module's notes on where it runs).
ProgressCallback = Callable[[JobProgress], None]


class ProgressTracker:
    """Counts a job's outcomes and hands a :class:`JobProgress` to the callback, if there is one."""

    def __init__(
        self,
        callback: ProgressCallback | None,
        counts: Mapping[str, int] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._callback = callback
        self.counts: Counter[str] = Counter(counts or {})
        self.total: int | None = None
        self._clock = clock
        self._started = clock()
        self._samples: deque[tuple[float, int]] = deque([(self._started, self.done)])

    @property
    def done(self) -> int:
        return sum(self.counts.values())

    def counting(self, counted: int) -> None:
        """Report a count under way: ``counted`` sessions so far."""
        self.total = counted
        self._report("counting", None)

    def item(self, outcome: ItemOutcome) -> None:
        """Count one session's outcome, and report it."""
        self.counts[outcome.outcome] += 1
        self._report("running", outcome)

    def finish(self) -> None:
        self._report("finished", None)

    def elapsed(self) -> float:
        return self._clock() - self._started

    def rate(self) -> float | None:
        """Sessions per second over the last :data:`RATE_WINDOW` seconds (``None``: too soon)."""
        now, done = self._clock(), self.done
        samples = self._samples
        if now - samples[-1][0] >= _SAMPLE_EVERY:
            samples.append((now, done))
            while len(samples) > 1 and now - samples[0][0] > RATE_WINDOW:
                samples.popleft()
        since, done_then = samples[0]
        if now - since < 2 * _SAMPLE_EVERY:
            return None
        return (done - done_then) / (now - since)

    def _report(self, phase: Phase, item: ItemOutcome | None) -> None:
        if self._callback is None:
            return
        self._callback(
            JobProgress(
                phase=phase,
                done=self.done,
                total=self.total,
                counts=dict(self.counts),
                elapsed=self.elapsed(),
                rate=self.rate() if phase != "counting" else None,
                item=item,
            )
        )
