"""The redaction job's checkpoint file: what it records, what reading it back gives, and the files
it refuses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import stripe_identity as si
from stripe_identity._jobs.checkpoint import FORMAT, Journal

SELECTION = "created[lt]=1700000000&status=verified"


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def _run_some(path: Path) -> str:
    with Journal.open(path, SELECTION) as journal:
        journal.dispatched("vs_1")
        journal.skipped("vs_2", "status:canceled")
        journal.dispatched("vs_3")
        journal.redacted("vs_1", replayed=False)
        journal.dispatched("vs_4")
        journal.failed(si.ItemFailure(session="vs_4", message="no", http_status=400))
        return journal.state.job_id


def test_the_journal_adds_up_to_the_cursor_what_is_in_flight_and_the_counts(tmp_path: Path) -> None:
    path = tmp_path / "job.ckpt"
    job_id = _run_some(path)
    header, snapshot, *events = _lines(path)
    assert header == {"checkpoint": FORMAT, "version": 1, "job_id": job_id, "selection": SELECTION}
    assert "snapshot" in snapshot
    assert events[0] == {"dispatched": "vs_1"}
    assert events[-1]["failed"] == "vs_4"

    state = Journal.open(path, SELECTION, read_only=True).state
    assert state.job_id == job_id
    assert state.cursor == "vs_4"
    assert list(state.in_flight) == ["vs_3"]
    assert (state.redacted, dict(state.skipped)) == (1, {"status:canceled": 1})
    assert [(f.session, f.http_status) for f in state.failures] == [("vs_4", 400)]
    assert not state.complete


def test_opening_compacts_the_file_to_one_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "job.ckpt"
    _run_some(path)
    with Journal.open(path, SELECTION) as journal:
        before = journal.state.snapshot()
        journal.redacted("vs_3", replayed=True)
        journal.listed_all()
    _, snapshot, *events = _lines(path)
    assert snapshot == {"snapshot": before}
    assert events == [{"redacted": "vs_3", "replayed": True}, {"listed_all": True}]
    state = Journal.open(path, SELECTION).state
    assert state.complete and state.redacted == 2 and state.replayed == 1
    assert len(_lines(path)) == 2  # compacted again: header and snapshot


def test_a_line_cut_short_by_a_crash_never_happened(tmp_path: Path) -> None:
    path = tmp_path / "job.ckpt"
    _run_some(path)
    with path.open("a") as out:
        out.write('{"redacted": "vs_3", "repl')  # killed in the middle of a write
    state = Journal.open(path, SELECTION).state
    assert list(state.in_flight) == ["vs_3"] and state.redacted == 1
    assert all(isinstance(line, dict) for line in _lines(path))


def test_a_read_only_journal_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "job.ckpt"
    _run_some(path)
    text = path.read_text()
    journal = Journal.open(path, SELECTION, read_only=True)
    journal.dispatched("vs_9")
    assert path.read_text() == text
    assert not Journal.open(tmp_path / "new.ckpt", SELECTION, read_only=True).path.exists()  # type: ignore[union-attr]


def test_no_path_keeps_the_state_in_memory(tmp_path: Path) -> None:
    journal = Journal.open(None, SELECTION)
    journal.dispatched("vs_1")
    assert journal.path is None and list(journal.state.in_flight) == ["vs_1"]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe binary\n", "not text"),
        (b"hello\n", "a line is not JSON"),
        (b'{"some": "json"}\n', "not a checkpoint of a stripe-identity redaction job"),
        (
            json.dumps({"checkpoint": FORMAT, "version": 99, "job_id": "x"}).encode() + b"\n",
            "another version",
        ),
        (
            json.dumps(
                {"checkpoint": FORMAT, "version": 1, "job_id": "x", "selection": SELECTION}
            ).encode()
            + b'\n{"exploded": "vs_1"}\n',
            "line 2: not an event",
        ),
        (
            json.dumps(
                {"checkpoint": FORMAT, "version": 1, "job_id": "x", "selection": "status=canceled"}
            ).encode()
            + b"\n",
            "selects 'status=canceled', not",
        ),
    ],
)
def test_files_that_are_not_this_jobs_checkpoint_are_refused(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "job.ckpt"
    path.write_bytes(content)
    with pytest.raises(si.CheckpointError, match=message):
        Journal.open(path, SELECTION)
    assert path.read_bytes() == content  # left as it was


def test_an_empty_file_starts_a_new_job(tmp_path: Path) -> None:
    path = tmp_path / "job.ckpt"
    path.touch()
    with Journal.open(path, SELECTION) as journal:
        assert journal.state.cursor is None
    assert _lines(path)[0]["checkpoint"] == FORMAT
