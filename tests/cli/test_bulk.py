"""``sessions redact`` (a bulk job without an id) and ``sessions export``: selection, dry runs,
progress on a terminal and in a pipe, the summary, exit statuses, Ctrl-C and resuming."""

from __future__ import annotations

import csv
import datetime
import io
import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest

from stripe_identity._cli._progress import ProgressDisplay, describe
from stripe_identity._jobs.checkpoint import Journal
from stripe_identity._jobs.outcomes import ItemFailure
from stripe_identity._jobs.progress import ItemOutcome, JobProgress
from stripe_identity.emulator import Emulator
from tests.bulk import populate, redacted_ids, redactions
from tests.cli.helpers import cli_env, run
from tests.conftest import TEST_KEY


@pytest.fixture
def emu(monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    with Emulator() as emulator:
        monkeypatch.setenv("STRIPE_API_KEY", TEST_KEY)
        monkeypatch.setenv("STRIPE_API_BASE", emulator.api_base)
        yield emulator


def _populate(emu: Emulator, counts: dict[str, int]) -> dict[str, list[str]]:
    return anyio.run(populate, emu, counts)


# --- redaction ------------------------------------------------------------------------------------


def test_a_dry_run_prints_the_plan_and_changes_nothing(
    emu: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = _populate(emu, {"verified": 3, "canceled": 2, "requires_input": 4})
    code, out, err = run(["sessions", "redact", "--status", "verified,canceled", "--dry-run"], capsys)
    assert code == 0, err
    plan = [json.loads(line) for line in out.splitlines()]
    assert {(p["session"], p["action"], p["reason"]) for p in plan} == {
        *((s, "redact", None) for s in ids["verified"]),
        *((s, "skip", "status:canceled") for s in ids["canceled"]),
    }
    assert all(p["created"].endswith("Z") for p in plan)
    assert "dry run: 3 sessions would be redacted, 2 skipped; nothing was changed" in err
    assert "skipped 2: canceled: Stripe redacts only requires_input and verified sessions" in err
    assert emu.requests("redact") == []


def test_a_dry_run_piped_into_head_stops_quietly() -> None:
    with Emulator() as emu:
        _populate(emu, {"verified": 400})  # more plan than a pipe holds
        command = f"{sys.executable} -m stripe_identity sessions redact --status verified --dry-run"
        result = subprocess.run(
            ["bash", "-c", command + ' | head -1; echo "status=${PIPESTATUS[0]}" >&2'],
            capture_output=True,
            text=True,
            timeout=60,
            env=cli_env(STRIPE_API_KEY=TEST_KEY, STRIPE_API_BASE=emu.api_base),
        )
    assert json.loads(result.stdout)["action"] == "redact"
    assert result.stderr.endswith("status=141\n") and "Traceback" not in result.stderr


def test_redaction_by_creation_time_and_status(
    emu: Emulator, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    old = _populate(emu, {"verified": 4, "requires_input": 3, "canceled": 1})
    time.sleep(1.1)  # created is in whole seconds: the next batch is a second younger
    new = _populate(emu, {"verified": 2})
    cutoff = max(s["created"] for s in emu.sessions())
    iso = datetime.datetime.fromtimestamp(cutoff, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    checkpoint = tmp_path / "job.ckpt"
    args = ["sessions", "redact", "--created-before", iso, "--status", "verified,canceled"]
    code, out, err = run([*args, "--checkpoint", str(checkpoint)], capsys)
    assert code == 0, err
    summary = json.loads(out)
    assert (summary["redacted"], summary["skipped"], summary["ok"]) == (4, {"status:canceled": 1}, True)
    assert redacted_ids(emu) == set(old["verified"])  # not the young ones, not requires_input
    assert not redacted_ids(emu) & set(new["verified"])
    assert f"redaction job {summary['job_id']} complete: 4 redacted, 1 skipped, 0 failed" in err
    assert f"checkpoint: {checkpoint}" in err


def test_one_session_by_id_as_before(emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    [session] = _populate(emu, {"verified": 1})["verified"]
    code, out, err = run(["sessions", "redact", session], capsys)
    assert code == 0, err
    assert json.loads(out)["redaction"] == {"status": "processing"}


def test_sessions_that_failed_make_the_exit_status_3(
    emu: Emulator, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    checkpoint = tmp_path / "job.ckpt"
    with Journal.open(checkpoint, "status=verified") as journal:  # what the command selects
        journal.dispatched("vs_gone")
        journal.failed(ItemFailure(session="vs_gone", message="No such session", http_status=404))
        journal.listed_all()
    code, out, err = run(
        ["sessions", "redact", "--status", "verified", "--checkpoint", str(checkpoint)], capsys
    )
    assert code == 3, err
    assert json.loads(out)["ok"] is False
    assert "1 failed" in err and "failed vs_gone: 404 No such session" in err


def test_a_checkpoint_of_another_selection_is_a_usage_error(
    emu: Emulator, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    checkpoint = tmp_path / "job.ckpt"
    Journal.open(checkpoint, "status=canceled").close()
    code, out, err = run(
        ["sessions", "redact", "--status", "verified", "--checkpoint", str(checkpoint)], capsys
    )
    assert code == 2 and out == ""
    assert "selects 'status=canceled', not 'status=verified'" in err and err.count("\n") == 1


def test_an_error_that_stops_the_job_exits_1_with_the_summary(
    emu: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    _populate(emu, {"verified": 2})
    code, out, err = run(
        ["sessions", "redact", "--status", "verified", "--api-key", "sk_live_revoked0key"], capsys
    )
    assert code == 1
    assert json.loads(out)["complete"] is False
    assert "stripe-identity: error: Request req_" in err
    assert "stopped after 0 sessions: Invalid API Key provided" in err
    assert "sk_live_revoked0key" not in out + err  # the key itself is never shown
    assert "Traceback" not in err


def test_quiet_leaves_stderr_empty(emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    _populate(emu, {"verified": 2})
    code, out, err = run(["sessions", "redact", "--status", "verified", "--quiet"], capsys)
    assert (code, err) == (0, "")
    assert json.loads(out)["redacted"] == 2


def test_a_pipe_gets_plain_progress_lines() -> None:
    with Emulator() as emu:
        _populate(emu, {"verified": 30})
        result = subprocess.run(
            [
                *(sys.executable, "-m", "stripe_identity", "sessions", "redact", "--status"),
                *("verified", "--progress-every", "0", "--rate-limit", "1000"),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            env=cli_env(STRIPE_API_KEY=TEST_KEY, STRIPE_API_BASE=emu.api_base),
        )
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert "\r" not in result.stderr and "\x1b" not in result.stderr  # no redraws, no colours
    progress = [line for line in lines if line.startswith("[0:")]
    assert progress[0].startswith("[0:00] counting the sessions to handle: 30 so far")
    assert any(line.startswith("[0:00] redacting 1/30") for line in progress)
    assert progress[-1].startswith("[0:00] redacting 30/30") and "redacted 30" in progress[-1]
    assert lines[-1].startswith("redaction job ") and lines[-1].endswith(
        "30 redacted, 0 skipped, 0 failed"
    )


def test_ctrl_c_keeps_the_checkpoint_and_the_same_command_finishes_the_job(tmp_path: Path) -> None:
    checkpoint = tmp_path / "job.ckpt"
    command = [sys.executable, "-m", "stripe_identity", "sessions", "redact", "--status", "verified"]
    command += ["--checkpoint", str(checkpoint), "--concurrency", "2"]
    with Emulator(latency=0.02) as emu:
        ids = _populate(emu, {"verified": 60})
        env = cli_env(STRIPE_API_KEY=TEST_KEY, STRIPE_API_BASE=emu.api_base)
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )
        try:
            deadline = time.monotonic() + 30
            while len(redactions(emu)[0]) < 10 and time.monotonic() < deadline:
                time.sleep(0.01)
            process.send_signal(signal.SIGINT)
            _, err = process.communicate(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
        assert process.returncode == 130, err
        assert f"run the same command again to finish the job ({checkpoint})" in err
        assert err.endswith("stripe-identity: interrupted\n") and "Traceback" not in err
        assert len(redacted_ids(emu)) < 60

        again = subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)
        assert again.returncode == 0, again.stderr
        assert json.loads(again.stdout)["redacted"] == 60
        ran, _ = redactions(emu)
        assert ran == dict.fromkeys(ids["verified"], 1)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["sessions", "redact"], "select the sessions to redact"),
        (["sessions", "redact", "vs_1", "--status", "verified"], "--status select sessions"),
        (["sessions", "redact", "--status", "verified", "--expand", "x"], "expands nothing"),
        (["sessions", "redact", "--created-before", "yesterday"], "'yesterday' is not a time"),
        (["sessions", "redact", "--created-before", "2026-09-01T00:00:00"], "has no time zone"),
        (["sessions", "redact", "--status", "verfied"], "verfied: not a status"),
        (["sessions", "redact", "--status", "verified", "--concurrency", "0"], "give 1 or more"),
        (["sessions", "redact", "--status", "verified", "--rate-limit", "0"], "0 is not a rate"),
        (
            ["sessions", "redact", "--status", "verified", "-d", "starting_after=vs_1"],
            "leave starting_after out",
        ),
        (
            ["sessions", "redact", "--created-before", "2026-01-01", "-d", "created[gt]=1"],
            "with -d created[...] or with --created-*, not both",
        ),
        (["sessions", "export"], "the following arguments are required: -o/--output"),
        (["sessions", "export", "-o", "x", "--format", "xml"], "invalid choice: 'xml'"),
        (["sessions", "export", "-o", "x", "--expand", "foo"], "or verified_outputs, not foo"),
        (["sessions", "export", "-o", "x", "--sensitive"], "--sensitive needs a restricted key"),
        (["sessions", "export", "-o", "/no/such/folder/x"], "the folder /no/such/folder does not"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(
    args: list[str], fragment: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STRIPE_API_KEY", TEST_KEY)
    code, out, err = run(args, capsys)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1, err
    assert fragment in err


def test_the_creation_time_takes_iso_8601_a_date_or_unix_seconds() -> None:
    from stripe_identity._cli._values import timestamp

    assert timestamp("2026-09-01T00:00:00Z") == timestamp("2026-09-01") == 1788220800
    assert timestamp("2026-09-01T02:00:00+02:00") == 1788220800
    assert timestamp("1788220800") == 1788220800


# --- export ---------------------------------------------------------------------------------------


def test_export_to_csv_and_json_lines(
    emu: Emulator, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ids = _populate(emu, {"verified": 3, "canceled": 1})
    path = tmp_path / "sessions.csv"
    code, out, err = run(
        [
            *("sessions", "export", "--format", "csv", "-o", str(path)),
            *("--expand", "last_verification_report", "--status", "verified", "--count"),
        ],
        capsys,
    )
    assert code == 0, err
    with path.open(newline="") as source:
        rows = list(csv.DictReader(source))
    assert sorted(row["id"] for row in rows) == sorted(ids["verified"])
    assert {row["document_status"] for row in rows} == {"verified"}
    assert "first_name" not in rows[0]
    summary = json.loads(out)
    assert (summary["rows"], summary["format"], summary["destination"]) == (3, "csv", str(path))
    assert f"exported 3 sessions to {path} (csv," in err

    code, out, err = run(["sessions", "export", "-o", "-", "--quiet"], capsys)
    assert (code, err) == (0, "")
    assert sorted(json.loads(line)["id"] for line in out.splitlines()) == sorted(
        ids["verified"] + ids["canceled"]
    )


def test_a_failed_export_leaves_no_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "sessions.jsonl"
    code, _, err = run(
        [
            *("sessions", "export", "-o", str(path), "--api-key", TEST_KEY),
            *("--api-base", "http://127.0.0.1:9", "--max-retries", "0"),
        ],
        capsys,
    )
    assert code == 1
    assert json.loads(err)["error"]["type"] == "APIConnectionError"
    assert list(tmp_path.iterdir()) == []


# --- the progress display -------------------------------------------------------------------------


def _progress(
    done: int, total: int | None = 100, rate: float | None = 20.0, **kw: object
) -> JobProgress:
    fields: dict[str, object] = {
        "phase": "running",
        "done": done,
        "total": total,
        "counts": {"redacted": done - 1, "skipped": 1},
        "elapsed": 75.0,
        "rate": rate,
        "item": ItemOutcome(session="vs_1", outcome="redacted"),
    }
    fields.update(kw)
    return JobProgress(**fields)  # type: ignore[arg-type]


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_terminal_gets_one_live_line_redrawn_at_most_ten_times_a_second() -> None:
    stream, clock = io.StringIO(), _Clock()
    display = ProgressDisplay(stream, "redacting", tty=True, clock=clock)
    display(_progress(10))
    clock.now = 0.05
    display(_progress(11))  # too soon: not drawn
    clock.now = 0.2
    display(_progress(12))
    display(_progress(100, phase="finished", item=None))
    drawn = stream.getvalue().split("\r\x1b[K")[1:]
    assert drawn[0] == "redacting 10/100  20.0/s  ETA 0:04  redacted 9 · skipped 1"
    assert drawn[1].startswith("redacting 12/100")
    assert drawn[2] == "redacting 100/100  20.0/s  in 1:15  redacted 99 · skipped 1\n"
    assert len(drawn) == 3


def test_the_live_line_fits_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.get_terminal_size", lambda: __import__("os").terminal_size((30, 24)))
    stream = io.StringIO()
    ProgressDisplay(stream, "redacting", tty=True)(_progress(10))
    assert stream.getvalue() == "\r\x1b[K" + "redacting 10/100  20.0/s  ETA 0:04"[:29]


def test_elsewhere_a_stamped_line_every_few_seconds_and_at_the_end() -> None:
    stream, clock = io.StringIO(), _Clock()
    display = ProgressDisplay(stream, "exporting", tty=False, every=5.0, clock=clock)
    for second in range(12):
        clock.now = float(second)
        display(_progress(second + 1, total=None, rate=None))
    display(_progress(12, total=None, rate=None, phase="finished", item=None))
    assert stream.getvalue().splitlines() == [
        "[1:15] exporting 6  redacted 5 · skipped 1",
        "[1:15] exporting 11  redacted 10 · skipped 1",
        "[1:15] exporting 12  in 1:15  redacted 11 · skipped 1",
    ]


def test_quiet_shows_nothing_and_counting_reads_as_counting() -> None:
    stream = io.StringIO()
    ProgressDisplay(stream, "redacting", quiet=True, tty=True)(_progress(1))
    assert stream.getvalue() == ""
    counting = _progress(0, total=300, phase="counting", item=None, rate=None)
    assert describe(counting, "redacting") == "counting the sessions to handle: 300 so far"
    assert describe(_progress(5, rate=0.5), "redacting").split("  ")[2] == "ETA 3:10"
    long = _progress(5, total=100_000, rate=1.0)
    assert "ETA 27:46:35" in describe(long, "redacting")
