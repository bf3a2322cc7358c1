"""The export job: every session a selection covers, written as JSON lines or CSV, in constant memory.

Sessions are listed a page (100) at a time, newest first, and each is written as it comes: memory
holds one page and at most a megabyte of output not yet written, however many sessions there are.
A path is written through a temporary file beside it, renamed into place only once the export is
complete, so a failed export (an API error, Ctrl-C, a full disk) leaves no partial file; it is the
download sink's logic (``_sinks.FileSink``), reused.

* JSON lines: each session as the API returns it, one per line, minus ``client_secret`` and ``url``
  (whoever holds them can complete the verification: they have no place in an archive).
* CSV: the columns of ``columns.py``, with a header row.

What a session shows depends on the options, as on a retrieve: ``expand_report`` adds the latest
report, ``verified_outputs`` the user's verified data, and ``sensitive`` the fields only a restricted
key may read (date of birth, ID and document numbers...). ``sensitive`` must be asked for, and is
refused before anything is sent unless the client's key is restricted (``rk_...``).
"""

from __future__ import annotations

import csv
import io
import os
import sys
import time
import typing
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import orjson

from .. import sensitive as paths
from .._models import VerificationSession
from .._sinks import Destination, FileSink
from .columns import Column, cell, columns_for
from .outcomes import ExportSummary
from .progress import ItemOutcome, ProgressCallback, ProgressTracker
from .selection import Selection, count_selected

if TYPE_CHECKING:
    # Typing only: the services import the jobs (client.jobs), not the other way round.
    from .._resources.verification_sessions import AsyncVerificationSessionService

__all__ = ["FORMATS", "ExportFormat", "export_sessions", "expansions"]

#: The formats an export writes.
ExportFormat = Literal["jsonl", "csv"]
FORMATS: tuple[str, ...] = typing.get_args(ExportFormat)

#: Fields never exported: each lets its holder complete the session's verification.
_SECRETS = ("client_secret", "url")


def expansions(*, report: bool, outputs: bool, sensitive: bool) -> list[str]:
    """The list call's ``expand`` for these options."""
    wanted: list[str] = []
    if report:
        wanted.append(paths.LAST_VERIFICATION_REPORT)
    if outputs or sensitive:
        wanted.append(paths.VERIFIED_OUTPUTS)
    if sensitive:
        wanted += paths.SESSION_FIELDS
        if report:
            wanted += paths.REPORT_FIELDS
    return paths.list_paths(*wanted)


def check_options(export_format: str, sensitive: bool, api_key: str | None) -> None:
    """Refuse, before anything is sent, an unknown format, or sensitive fields without a restricted
    key (the key is never shown)."""
    if export_format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {export_format!r}")
    if sensitive and not (api_key or "").startswith("rk_"):
        raise ValueError(
            "sensitive=True needs a restricted key (rk_...) with access to sensitive verification "
            "results; this client's key is not one"
        )


async def export_sessions(
    service: AsyncVerificationSessionService,
    selection: Selection,
    destination: Destination,
    *,
    export_format: str,
    report: bool,
    outputs: bool,
    sensitive: bool,
    count_first: bool,
    on_progress: ProgressCallback | None,
) -> ExportSummary:
    """Write the export; see ``AsyncJobService.export_sessions``."""
    started = time.monotonic()
    columns = columns_for(report=report, outputs=outputs, sensitive=sensitive)
    rows = _CsvRows(columns) if export_format == "csv" else None
    tracker = ProgressTracker(on_progress)
    if count_first:
        tracker.total = await count_selected(service, selection, None, tracker.counting)
    expand = expansions(report=report, outputs=outputs, sensitive=sensitive)
    written = 0
    # Files of any size: the cap exists for downloads held in memory, not for this.
    async with FileSink(destination, max_bytes=sys.maxsize) as sink:
        await sink.start(None)
        if rows is not None:
            await sink.write(rows.header())
        async for session in selection.sessions(service, None, expand):
            if not selection.selects(session):
                continue
            await sink.write(rows.row(session) if rows is not None else _json_line(session))
            written += 1
            tracker.item(
                ItemOutcome(
                    session=session.id,
                    outcome="exported",
                    status=session.status,
                    created=session.created,
                )
            )
    tracker.finish()
    return ExportSummary(
        destination=os.fspath(destination) if isinstance(destination, (str, os.PathLike)) else None,
        format=export_format,
        rows=written,
        bytes=sink.size,
        columns=[column.name for column in columns] if rows is not None else None,
        elapsed=time.monotonic() - started,
    )


def _json_line(session: VerificationSession) -> bytes:
    data = session.to_dict()
    for name in _SECRETS:
        data.pop(name, None)
    return orjson.dumps(data) + b"\n"


class _CsvRows:
    """CSV lines, one row at a time, through one reusable buffer."""

    def __init__(self, columns: Sequence[Column]) -> None:
        self._columns = columns
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\r\n")

    def header(self) -> bytes:
        return self._line([column.name for column in self._columns])

    def row(self, session: VerificationSession) -> bytes:
        return self._line([cell(column, session) for column in self._columns])

    def _line(self, values: list[str]) -> bytes:
        self._buffer.seek(0)
        self._buffer.truncate()
        self._writer.writerow(values)
        return self._buffer.getvalue().encode("utf-8")
