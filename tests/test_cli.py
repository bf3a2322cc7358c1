"""The stripe-identity command: demo, emulator, and the API subcommands."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

import pytest

from stripe_identity._cli import main
from stripe_identity.emulator import Emulator
from tests.conftest import TEST_KEY


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator() as emulator:
        yield emulator


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_demo_runs_end_to_end() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "stripe_identity", "demo"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "STRIPE_API_KEY": ""},
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = result.stdout
    for fragment in (
        "status=requires_input",
        "status=verified",
        "document_expired",
        "status=canceled",
        "redaction.status=redacted",
        "identity.verification_session.redacted",
        "delivered and verified",
    ):
        assert fragment in out, fragment
    assert "secret_test_" not in out  # the client_secret is never printed


def test_sessions_commands_print_json(emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--api-key", TEST_KEY, "--api-base", emu.api_base]
    code, out, _ = run(
        [
            "sessions",
            "create",
            *base,
            "--type",
            "document",
            "--metadata",
            "user=42",
            "-d",
            "options[document][allowed_types][]=passport",
            "--client-reference-id",
            "u42",
        ],
        capsys,
    )
    assert code == 0
    created = json.loads(out)
    assert created["metadata"] == {"user": "42"}
    assert created["options"]["document"]["allowed_types"] == ["passport"]
    assert created["client_reference_id"] == "u42"
    session_id = created["id"]
    code, out, _ = run(["sessions", "update", session_id, *base, "-d", "metadata[step]=2"], capsys)
    assert json.loads(out)["metadata"] == {"step": "2", "user": "42"}
    emu.submit(session_id)
    code, out, _ = run(
        ["sessions", "retrieve", session_id, *base, "--expand", "last_verification_report"],
        capsys,
    )
    report = json.loads(out)["last_verification_report"]
    assert report["object"] == "identity.verification_report"
    code, out, _ = run(["sessions", "list", *base, "--status", "verified", "--all"], capsys)
    assert [s["id"] for s in json.loads(out)] == [session_id]
    code, out, _ = run(["reports", "list", *base, "--verification-session", session_id], capsys)
    assert json.loads(out)["data"][0]["id"] == report["id"]
    code, out, _ = run(["reports", "retrieve", report["id"], *base], capsys)
    assert json.loads(out)["id"] == report["id"]
    code, out, _ = run(["sessions", "redact", session_id, *base], capsys)
    assert json.loads(out)["redaction"]["status"] == "processing"


def test_api_errors_go_to_stderr_as_json(emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--api-key", TEST_KEY, "--api-base", emu.api_base]
    code, out, err = run(["sessions", "cancel", "vs_missing", *base], capsys)
    assert code == 1
    assert out == ""
    error = json.loads(err)["error"]
    assert error["type"] == "InvalidRequestError"
    assert error["http_status"] == 404
    assert error["param"] == "session"
    code, _, err = run(["sessions", "list", "--api-base", emu.api_base, "--api-key", ""], capsys)
    assert code == 1
    assert "No API key provided" in err


def test_cli_refuses_plain_http_to_a_remote_host(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        ["sessions", "list", "--api-key", TEST_KEY, "--api-base", "http://example.com"], capsys
    )
    assert code == 2
    assert "refusing plain http" in err


def test_emulator_command_serves_and_stops_cleanly_on_sigterm() -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "stripe_identity",
            "emulator",
            "--port",
            "0",
            "--seed",
            "1",
            "--fault-5xx",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert "listening on http://127.0.0.1:" in line
        api_base = line.rsplit(" ", 1)[1].strip()
        request = urllib.request.Request(
            api_base + "/v1/identity/verification_sessions",
            headers={"Authorization": f"Bearer {TEST_KEY}"},
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            assert json.loads(response.read())["object"] == "list"
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    assert "emulator stopped" in out
    assert err == ""


def test_emulator_command_stops_on_ctrl_c() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "stripe_identity", "emulator", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        process.stdout.readline()
        time.sleep(0.1)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert err == ""
