"""A redaction job's checkpoint: an append-only journal of JSON lines, and the state it adds up to.

The first line names the job (``job_id``, the selection's key); every later line is one event,
written before the job moves on::

    {"dispatched": "vs_1"}                     vs_1's redaction is about to be asked for
    {"skipped": "vs_2", "reason": "status:canceled"}
    {"redacted": "vs_1", "replayed": false}
    {"failed": "vs_3", "message": "...", "http_status": 400, "code": null, "request_id": "req_..."}
    {"listed_all": true}                       the listing is exhausted

Adding the lines up gives a :class:`JobState`: the cursor (the last session dispatched or skipped:
every session before it, in list order, is done or in flight), the sessions in flight (dispatched
and not yet answered), the counts and the failures. A ``dispatched`` line is written before its
request is sent, so the journal knows of every request made. Whenever the process dies (Ctrl-C, a
crash, SIGKILL), the job run again asks once more for each session in flight, with the same
idempotency key (the API replays an answer it already gave), and lists on from the cursor. Each line
is one ``write`` to the file, so a killed process leaves it whole, the operating system holding what
was written; only a power cut can lose the last lines (they are not synced to disk), and then the
job lists a few sessions again and finds those it redacted already redacted.

Opening an existing checkpoint compacts it: its state becomes one ``snapshot`` line under the header,
in a new file renamed over the old one, so the file stays as small as the sessions in flight and
the failures however many runs the job takes. A last line cut short is dropped.
"""

from __future__ import annotations

import json
import os
import pathlib
import uuid
from collections import Counter
from collections.abc import Mapping
from types import TracebackType
from typing import Any

import attrs

from .outcomes import CheckpointError, ItemFailure

__all__ = ["FORMAT", "JobState", "Journal"]

#: The header's ``checkpoint`` field: what kind of file this is.
FORMAT = "stripe-identity redaction checkpoint"
_VERSION = 1


@attrs.define
class JobState:
    """What a job's journal adds up to."""

    job_id: str
    cursor: str | None = None
    in_flight: dict[str, None] = attrs.field(factory=dict)  # an ordered set
    redacted: int = 0
    replayed: int = 0
    skipped: Counter[str] = attrs.field(factory=Counter)
    failures: list[ItemFailure] = attrs.field(factory=list)
    listed_all: bool = False

    @property
    def complete(self) -> bool:
        """Every selected session is done: the listing is exhausted and nothing is in flight."""
        return self.listed_all and not self.in_flight

    @property
    def counts(self) -> dict[str, int]:
        """Outcomes so far, as progress reports count them."""
        return {
            "redacted": self.redacted,
            "skipped": sum(self.skipped.values()),
            "failed": len(self.failures),
        }

    def apply(self, event: Mapping[str, Any]) -> None:
        """Add one journal line to the state."""
        if "dispatched" in event:
            self.cursor = event["dispatched"]
            self.in_flight[event["dispatched"]] = None
        elif "skipped" in event:
            self.cursor = event["skipped"]
            self.skipped[event["reason"]] += 1
        elif "redacted" in event:
            self.in_flight.pop(event["redacted"], None)
            self.redacted += 1
            self.replayed += bool(event.get("replayed"))
        elif "failed" in event:
            self.in_flight.pop(event["failed"], None)
            self.failures.append(
                ItemFailure(
                    session=event["failed"],
                    message=event["message"],
                    http_status=event.get("http_status"),
                    code=event.get("code"),
                    request_id=event.get("request_id"),
                )
            )
        elif event.get("listed_all"):
            self.listed_all = True
        elif "snapshot" in event:
            self._restore(event["snapshot"])
        else:
            raise ValueError(f"unknown event {sorted(event)}")

    def snapshot(self) -> dict[str, Any]:
        return {
            "cursor": self.cursor,
            "in_flight": list(self.in_flight),
            "redacted": self.redacted,
            "replayed": self.replayed,
            "skipped": dict(self.skipped),
            "failures": [failure.to_dict() for failure in self.failures],
            "listed_all": self.listed_all,
        }

    def _restore(self, data: Mapping[str, Any]) -> None:
        self.cursor = data["cursor"]
        self.in_flight = dict.fromkeys(data["in_flight"])
        self.redacted = data["redacted"]
        self.replayed = data["replayed"]
        self.skipped = Counter(data["skipped"])
        self.failures = [ItemFailure(**failure) for failure in data["failures"]]
        self.listed_all = data["listed_all"]


class Journal:
    """A job's state, and its checkpoint file when it has one (``path``); ``with`` closes the file.

    Without a path (no checkpoint) the state lives in memory only, and the job cannot be resumed;
    ``read_only`` reads a checkpoint (a dry run's) and never writes it.
    """

    def __init__(self, state: JobState, path: pathlib.Path | None = None, fd: int | None = None):
        self.state = state
        self.path = path
        self._fd = fd

    @classmethod
    def open(
        cls, path: str | os.PathLike[str] | None, selection: str, *, read_only: bool = False
    ) -> Journal:
        """The journal of the job that selects ``selection``: new, or resumed from ``path``."""
        if path is None:
            return cls(JobState(_new_job_id()))
        path = pathlib.Path(path)
        header, events = _read(path)
        if header is None:
            header = {
                "checkpoint": FORMAT,
                "version": _VERSION,
                "job_id": _new_job_id(),
                "selection": selection,
            }
        elif header.get("selection") != selection:
            raise CheckpointError(
                f"{path} is the checkpoint of a job that selects {header.get('selection')!r}, not "
                f"{selection!r}: run it with the same selection, or give another checkpoint file"
            )
        state = JobState(header["job_id"])
        for number, event in enumerate(events, start=2):
            try:
                state.apply(event)
            except (KeyError, TypeError, ValueError):
                raise CheckpointError(f"{path}, line {number}: not an event of a checkpoint") from None
        if read_only:
            return cls(state, path)
        _replace(path, [header, {"snapshot": state.snapshot()}])
        return cls(state, path, os.open(path, os.O_WRONLY | os.O_APPEND))

    # --- events (each applied to the state, then written) -------------------------------------

    def dispatched(self, session: str) -> None:
        self._add({"dispatched": session})

    def skipped(self, session: str, reason: str) -> None:
        self._add({"skipped": session, "reason": reason})

    def redacted(self, session: str, replayed: bool) -> None:
        self._add({"redacted": session, "replayed": replayed})

    def failed(self, failure: ItemFailure) -> None:
        data = failure.to_dict()
        self._add({"failed": data.pop("session"), **data})

    def listed_all(self) -> None:
        self._add({"listed_all": True})

    def _add(self, event: dict[str, Any]) -> None:
        self.state.apply(event)
        if self._fd is None:
            return
        line = (json.dumps(event, separators=(",", ":")) + "\n").encode()
        # One small write into the page cache, on the event loop: a few microseconds, and the
        # event is in the file before the job takes its next step (no thread hop to race with).
        if os.write(self._fd, line) != len(line):
            raise OSError(f"could not write the whole checkpoint line to {self.path}")

    def close(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)

    def __enter__(self) -> Journal:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _new_job_id() -> str:
    return uuid.uuid4().hex[:20]


def _read(path: pathlib.Path) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The header and events of a checkpoint file; ``(None, [])`` when it is missing or empty."""
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return None, []
    except UnicodeDecodeError:
        raise CheckpointError(f"{path} is not a checkpoint (it is not text)") from None
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    elif lines:
        lines.pop()  # the last line was cut short as it was written: its event never happened
    if not lines:
        return None, []
    try:
        records = [json.loads(line) for line in lines]
    except ValueError:
        raise CheckpointError(f"{path} is not a checkpoint (a line is not JSON)") from None
    header = records[0]
    if not isinstance(header, dict) or header.get("checkpoint") != FORMAT:
        raise CheckpointError(f"{path} is not a checkpoint of a stripe-identity redaction job")
    if header.get("version") != _VERSION or not isinstance(header.get("job_id"), str):
        raise CheckpointError(f"{path} is a checkpoint of another version of stripe-identity")
    if not all(isinstance(record, dict) for record in records[1:]):
        raise CheckpointError(f"{path} is not a checkpoint (a line is not a JSON object)")
    return header, records[1:]


def _replace(path: pathlib.Path, records: list[dict[str, Any]]) -> None:
    """Write ``records`` as the whole file, atomically: a crash leaves the old file or the new one."""
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        with open(temporary, "w", encoding="utf-8") as out:
            for record in records:
                out.write(json.dumps(record, separators=(",", ":")) + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
