"""What a bulk job returns or raises: its summary, the sessions that failed, and why it stopped.

Errors are of two kinds (:func:`is_systemic`). A session's own (a 400 or 404 about it, a 409
conflict, an idempotency error) is recorded as an :class:`ItemFailure` and the job goes on. Anything
that would fail the next request as well (401, 403, no connection after the retries, 429 after the
retries, a 5xx) stops the job: :class:`JobStoppedError`, with the summary so far; a checkpoint, if the
job has one, resumes it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from .._errors import (
    APIError,
    IdempotencyError,
    InvalidRequestError,
    StripeError,
)

__all__ = [
    "CheckpointError",
    "ExportSummary",
    "ItemFailure",
    "JobStoppedError",
    "RedactionSummary",
    "describe_reason",
    "is_systemic",
]


def is_systemic(error: StripeError) -> bool:
    """Whether ``error`` is about more than the one session it came from (see the module's notes)."""
    if isinstance(error, (InvalidRequestError, IdempotencyError)):
        return False
    return not (type(error) is APIError and error.http_status == 409)


def describe_reason(reason: str) -> str:
    """A skip reason's code (``already_redacted``, ``status:canceled``) in words."""
    if reason == "already_redacted":
        return "already redacted (or being redacted)"
    if reason.startswith("status:"):
        return f"{reason[7:]}: Stripe redacts only requires_input and verified sessions"
    return reason


@attrs.frozen(kw_only=True)
class ItemFailure:
    """A session the job could not handle, and the API's answer."""

    session: str
    message: str
    http_status: int | None = None
    code: str | None = None
    request_id: str | None = None

    @classmethod
    def of(cls, session: str, error: StripeError) -> ItemFailure:
        """The failure of ``session``, from the API's error about it."""
        return cls(
            session=session,
            message=error.message,
            http_status=error.http_status,
            code=error.code,
            request_id=error.request_id,
        )

    def to_dict(self) -> dict[str, Any]:
        """As JSON: every field, ``None`` included."""
        return attrs.asdict(self)


@attrs.frozen(kw_only=True)
class RedactionSummary:
    """What a redaction job did, over all its runs when it was resumed from a checkpoint.

    ``complete`` is true once every selected session was handled: redacted, skipped (``skipped``
    counts them by reason) or failed (``failures``). ``replayed`` counts the redactions the API
    answered from its idempotency store: sessions an earlier run had redacted before it was cut off.
    A dry run changes nothing: ``would_redact`` counts what it would have redacted. ``elapsed`` is this
    run's time, in seconds.
    """

    job_id: str
    checkpoint: str | None
    dry_run: bool
    complete: bool
    redacted: int
    replayed: int
    would_redact: int
    skipped: Mapping[str, int]
    failures: Sequence[ItemFailure]
    elapsed: float

    @property
    def ok(self) -> bool:
        """Whether everything was done: the job is complete and no session failed."""
        return self.complete and not self.failures

    @property
    def handled(self) -> int:
        """Sessions handled, whatever the outcome."""
        return self.redacted + self.would_redact + sum(self.skipped.values()) + len(self.failures)

    def to_dict(self) -> dict[str, Any]:
        """As JSON, with ``ok`` and ``handled``."""
        data = attrs.asdict(self)
        data["failures"] = [failure.to_dict() for failure in self.failures]
        data["skipped"] = dict(self.skipped)
        data["elapsed"] = round(self.elapsed, 3)
        return {**data, "ok": self.ok, "handled": self.handled}


@attrs.frozen(kw_only=True)
class ExportSummary:
    """What an export wrote: ``rows`` sessions, ``bytes`` in all, to ``destination`` (a path, or
    ``None`` for a file object), in ``format`` (``columns`` are a CSV's), in ``elapsed`` seconds."""

    destination: str | None
    format: str
    rows: int
    bytes: int
    columns: Sequence[str] | None
    elapsed: float

    def to_dict(self) -> dict[str, Any]:
        """As JSON."""
        data = attrs.asdict(self)
        data["columns"] = list(self.columns) if self.columns is not None else None
        data["elapsed"] = round(self.elapsed, 3)
        return data


class JobStoppedError(StripeError):
    """A bulk job stopped on an error that is not about one session (see :func:`is_systemic`).

    ``summary`` is what the job had done by then (``None`` only when built by hand) and
    ``__cause__`` the error itself, whose ``http_status``, ``code`` and ``request_id`` this one
    repeats. A job with a checkpoint picks up where it stopped when run again with it.
    """

    def __init__(
        self,
        message: str,
        *,
        summary: RedactionSummary | None = None,
        cause: StripeError | None = None,
    ) -> None:
        super().__init__(
            message,
            http_status=cause.http_status if cause is not None else None,
            code=cause.code if cause is not None else None,
            request_id=cause.request_id if cause is not None else None,
        )
        self.summary = summary


class CheckpointError(ValueError):
    """A checkpoint file that cannot resume this job: another job's, or not a checkpoint at all."""


for _cls in (JobStoppedError, CheckpointError):
    # Tracebacks and reprs name the class where users import it from, not this private module.
    _cls.__module__ = "stripe_identity"
