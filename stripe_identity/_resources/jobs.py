"""``client.jobs``: bulk jobs over VerificationSessions (redaction by retention policy, exports).

A job is one call that walks many sessions through the list endpoint and the client's own pipeline:
its requests are paced by the client's ``rate_limit`` (set one: 25 per second is Stripe's test-mode
limit and its limit per endpoint), retried and given idempotency keys as any call's are. The jobs
themselves live in ``stripe_identity/_jobs/``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from .._jobs.export import ExportFormat, check_options, export_sessions
from .._jobs.outcomes import ExportSummary, RedactionSummary
from .._jobs.progress import ProgressCallback
from .._jobs.redaction import check_concurrency, redact_sessions
from .._jobs.selection import Selection
from .._models._common import VerificationSessionStatusName
from .._params import VerificationSessionListParams, VerificationSessionListParamsDict
from .._requestor import Requestor
from .._sinks import Destination
from .verification_sessions import AsyncVerificationSessionService

__all__ = ["AsyncJobService"]


class AsyncJobService:
    """Bulk jobs over VerificationSessions: redaction by retention policy, and exports of results."""

    def __init__(self, requestor: Requestor) -> None:
        self._requestor = requestor
        self._sessions = AsyncVerificationSessionService(requestor)

    async def redact_sessions(
        self,
        params: VerificationSessionListParams | VerificationSessionListParamsDict | None = None,
        *,
        statuses: Sequence[VerificationSessionStatusName | str] | None = None,
        checkpoint: str | os.PathLike[str] | None = None,
        concurrency: int = 8,
        dry_run: bool = False,
        count_first: bool = True,
        on_progress: ProgressCallback | None = None,
    ) -> RedactionSummary:
        """Redact every session the list filters ``params`` (``created``, ``client_reference_id``...)
        and ``statuses`` select, at most ``concurrency`` at a time, paced by the client's rate limit.

        Only ``requires_input`` and ``verified`` sessions can be redacted: the others, and sessions
        already redacted, are skipped and counted by reason. A failing session (a 400, a 409) is
        recorded in the summary's ``failures`` and the job goes on; an error about the job as a whole
        (401, 403, the network or the rate limit beyond the retries, a 5xx) stops it with
        :class:`JobStoppedError`. With ``checkpoint`` (a file path) the job can be resumed after any
        interruption, a killed process included: call it again with the same selection and file,
        and it finishes the job, redacting no session twice (each redaction's idempotency key is
        the job's id and the session's). ``count_first`` counts the sessions before starting, for
        progress reports with a total (one list call per 100 sessions). ``dry_run`` lists and
        decides, and changes nothing. ``on_progress`` gets a :class:`JobProgress` after each session
        (with the sync client, on its helper thread: see docs/bulk-jobs.md).
        """
        selection = Selection.of(params, statuses)
        check_concurrency(concurrency)
        return await redact_sessions(
            self._sessions,
            selection,
            checkpoint=checkpoint,
            concurrency=concurrency,
            dry_run=dry_run,
            count_first=count_first,
            on_progress=on_progress,
        )

    async def export_sessions(
        self,
        destination: Destination,
        params: VerificationSessionListParams | VerificationSessionListParamsDict | None = None,
        *,
        format: ExportFormat = "jsonl",
        statuses: Sequence[VerificationSessionStatusName | str] | None = None,
        expand_report: bool = False,
        verified_outputs: bool = False,
        sensitive: bool = False,
        count_first: bool = False,
        on_progress: ProgressCallback | None = None,
    ) -> ExportSummary:
        """Write every session ``params`` and ``statuses`` select to ``destination`` (a path, or a
        binary file), as JSON lines (``format="jsonl"``) or CSV (``"csv"``, columns in
        docs/bulk-jobs.md), newest first, in constant memory.

        A path appears only once the export is complete: a failed export leaves no partial file.
        ``expand_report`` adds each session's latest report, ``verified_outputs`` the user's
        verified data, and ``sensitive`` the fields only a restricted key (``rk_...``) may read: it
        is refused with ``ValueError`` for any other key. No export holds ``client_secret`` or
        ``url``. ``count_first`` counts the sessions first (for a total in progress reports);
        ``on_progress`` is as for :meth:`redact_sessions`. An API error stops the export and
        propagates.
        """
        check_options(format, sensitive, self._requestor.settings.api_key)
        return await export_sessions(
            self._sessions,
            Selection.of(params, statuses),
            destination,
            export_format=format,
            report=expand_report,
            outputs=verified_outputs,
            sensitive=sensitive,
            count_first=count_first,
            on_progress=on_progress,
        )
