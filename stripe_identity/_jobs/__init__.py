"""Bulk jobs over VerificationSessions: redaction by retention policy, and exports of results.

``client.jobs`` (``_resources/jobs.py``) is their public face; the modules:

* ``selection``: which sessions a job covers, and how it walks them;
* ``redaction``: the redaction job (bounded concurrency, the client's pacing, resumable);
* ``checkpoint``: the journal that makes it resumable;
* ``export``: the export job (JSON lines or CSV, constant memory, atomic), with the CSV columns of
  ``columns``;
* ``progress``: what a job reports as it goes; ``outcomes``: what it returns or raises.
"""

from __future__ import annotations

from .export import ExportFormat
from .outcomes import (
    CheckpointError,
    ExportSummary,
    ItemFailure,
    JobStoppedError,
    RedactionSummary,
)
from .progress import ItemOutcome, JobProgress, ProgressCallback

__all__ = [
    "CheckpointError",
    "ExportFormat",
    "ExportSummary",
    "ItemFailure",
    "ItemOutcome",
    "JobProgress",
    "JobStoppedError",
    "ProgressCallback",
    "RedactionSummary",
]
