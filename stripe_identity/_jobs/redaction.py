"""The redaction job: redact every session a selection covers, resumably, at most ``concurrency`` at
a time, each request paced by the client's own limiter (``rate_limit=``) like any other.

One task lists the sessions (newest first) and decides each: skipped, with its reason, or handed to
one of the workers, which asks for its redaction with an idempotency key made of the job's id and
the session's (:func:`idempotency_key`). Every step is written to the journal first
(``checkpoint.py``), so the job can be run again after any interruption: the sessions that were in
flight are asked for again with the same key (the API answers from its idempotency store those it
has redacted already), and the listing goes on from its cursor. A session redacted by another
job is seen as redacted in the listing and skipped.

A session's own error is recorded and the job goes on; an error about the job as a whole stops every
worker and raises :class:`JobStoppedError` (``outcomes.py`` tells the two apart). A dry run lists and
decides, and sends nothing else.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections import Counter
from collections.abc import Awaitable
from typing import TYPE_CHECKING

import anyio
from anyio.abc import TaskGroup

from .._errors import StripeError
from .._models import VerificationSession
from .checkpoint import Journal
from .outcomes import ItemFailure, JobStoppedError, RedactionSummary, is_systemic
from .progress import ItemOutcome, Outcome, ProgressCallback, ProgressTracker
from .selection import Selection, count_selected, skip_reason

if TYPE_CHECKING:
    # Typing only: the services import the jobs (client.jobs), not the other way round.
    from .._resources.verification_sessions import AsyncVerificationSessionService

__all__ = ["check_concurrency", "idempotency_key", "redact_sessions"]

_MAX_KEY = 255  # Stripe's longest idempotency key


def idempotency_key(job_id: str, session: str) -> str:
    """The key of ``session``'s redaction in job ``job_id``: the same in every run of the job."""
    key = f"redact-{job_id}-{session}"
    if len(key) <= _MAX_KEY:
        return key
    return f"redact-{job_id}-{hashlib.sha256(session.encode()).hexdigest()}"


def check_concurrency(concurrency: int) -> int:
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise ValueError(f"concurrency must be a positive int, not {concurrency!r}")
    return concurrency


async def redact_sessions(
    service: AsyncVerificationSessionService,
    selection: Selection,
    *,
    checkpoint: str | os.PathLike[str] | None,
    concurrency: int,
    dry_run: bool,
    count_first: bool,
    on_progress: ProgressCallback | None,
) -> RedactionSummary:
    """Run (or resume) the job; see ``AsyncJobService.redact_sessions``."""
    check_concurrency(concurrency)
    started = time.monotonic()
    with Journal.open(checkpoint, selection.key(), read_only=dry_run) as journal:
        run = _Run(service, selection, journal, concurrency, dry_run, on_progress)
        if not journal.state.complete:
            await run.go(count_first and not dry_run)
        run.tracker.finish()
        summary = run.summary(time.monotonic() - started)
        if run.stopped is not None:
            message = _stopped_message(summary, run.stopped)
            raise JobStoppedError(message, summary=summary, cause=run.stopped) from run.stopped
        return summary


def _stopped_message(summary: RedactionSummary, error: StripeError) -> str:
    resume = (
        f"run the job again with the checkpoint {summary.checkpoint} to go on from there"
        if summary.checkpoint
        else "run it again to go on (without a checkpoint it lists every session again)"
    )
    return f"the redaction job stopped after {summary.handled} sessions: {error.message}; {resume}"


class _Run:
    """One run of the job: the lister, the workers, and what they share."""

    def __init__(
        self,
        service: AsyncVerificationSessionService,
        selection: Selection,
        journal: Journal,
        concurrency: int,
        dry_run: bool,
        on_progress: ProgressCallback | None,
    ) -> None:
        self.service = service
        self.selection = selection
        self.journal = journal
        self.state = journal.state
        self.dry_run = dry_run
        self.tracker = ProgressTracker(on_progress, self.state.counts)
        self.slots = anyio.Semaphore(concurrency)
        self.stopped: StripeError | None = None
        self.crashed: Exception | None = None
        self.dry_skips: Counter[str] = Counter()  # a dry run's, which the journal does not keep
        self._group: TaskGroup | None = None

    async def go(self, count_first: bool) -> None:
        if count_first:
            await self._guarded(self._count())
        if self.stopped is None and self.crashed is None:
            async with anyio.create_task_group() as group:
                self._group = group
                await self._guarded(self._dispatch())
        if self.crashed is not None:
            # Raised here, itself: from inside the task group it would reach the caller wrapped in
            # an exception group.
            raise self.crashed

    async def _dispatch(self) -> None:
        """Ask again for what an earlier run left in flight, then list and decide the rest."""
        assert self._group is not None
        for session in list(self.state.in_flight):
            if self.dry_run:
                self.tracker.item(ItemOutcome(session=session, outcome="would_redact"))
                continue
            await self.slots.acquire()
            self._group.start_soon(self._redact, session, None)
        if not self.state.listed_all:
            await self._list()

    async def _count(self) -> None:
        known = self.tracker.done + len(self.state.in_flight)
        counted = 0
        if not self.state.listed_all:

            def counting(so_far: int) -> None:
                self.tracker.counting(known + so_far)

            counted = await count_selected(self.service, self.selection, self.state.cursor, counting)
        self.tracker.total = known + counted

    async def _guarded(self, step: Awaitable[None]) -> None:
        """Await ``step``; an API error stops the job, any other error ends it (see :meth:`_crash`)."""
        try:
            await step
        except StripeError as error:
            self._stop(error)
        except Exception as error:
            self._crash(error)

    def _stop(self, error: StripeError) -> None:
        if self.stopped is None:
            self.stopped = error
        if self._group is not None:
            self._group.cancel_scope.cancel()

    def _crash(self, error: Exception) -> None:
        """An error that is not the API's (the callback's, the checkpoint's disk...): every task
        stops, and :meth:`go` raises it."""
        if self.crashed is None:
            self.crashed = error
        if self._group is not None:
            self._group.cancel_scope.cancel()

    async def _list(self) -> None:
        assert self._group is not None
        async for session in self.selection.sessions(self.service, self.state.cursor):
            if not self.selection.selects(session):
                continue
            reason = skip_reason(session)
            if reason is not None:
                if self.dry_run:
                    self.dry_skips[reason] += 1
                else:
                    self.journal.skipped(session.id, reason)
                self.tracker.item(_outcome(session, "skipped", reason=reason))
            elif self.dry_run:
                self.tracker.item(_outcome(session, "would_redact"))
            else:
                await self.slots.acquire()
                self.journal.dispatched(session.id)
                self._group.start_soon(self._redact, session.id, session)
        if not self.dry_run:
            self.journal.listed_all()

    async def _redact(self, session_id: str, listed: VerificationSession | None) -> None:
        try:
            await self._guarded(self._redact_one(session_id, listed))
        finally:
            self.slots.release()

    async def _redact_one(self, session_id: str, listed: VerificationSession | None) -> None:
        key = idempotency_key(self.state.job_id, session_id)
        try:
            result = await self.service.redact(session_id, None, {"idempotency_key": key})
        except StripeError as error:
            if is_systemic(error):
                raise
            failure = ItemFailure.of(session_id, error)
            self.journal.failed(failure)
            self.tracker.item(_outcome(listed or session_id, "failed", reason=failure.message))
            return
        replayed = result.last_response.headers.get("Idempotent-Replayed") == "true"
        self.journal.redacted(session_id, replayed)
        self.tracker.item(_outcome(listed or session_id, "redacted", replayed=replayed))

    def summary(self, elapsed: float) -> RedactionSummary:
        state = self.state
        return RedactionSummary(
            job_id=state.job_id,
            checkpoint=str(self.journal.path) if self.journal.path is not None else None,
            dry_run=self.dry_run,
            complete=state.complete or (self.dry_run and self.stopped is None),
            redacted=state.redacted,
            replayed=state.replayed,
            would_redact=self.tracker.counts["would_redact"],
            skipped=dict(state.skipped + self.dry_skips),
            failures=list(state.failures),
            elapsed=elapsed,
        )


def _outcome(
    session: VerificationSession | str,
    outcome: Outcome,
    *,
    reason: str | None = None,
    replayed: bool = False,
) -> ItemOutcome:
    """The outcome of a listed session, or of one known by id only (taken up from the checkpoint)."""
    if isinstance(session, str):
        return ItemOutcome(session=session, outcome=outcome, reason=reason, replayed=replayed)
    return ItemOutcome(
        session=session.id,
        outcome=outcome,
        reason=reason,
        status=session.status,
        created=session.created,
        replayed=replayed,
    )
