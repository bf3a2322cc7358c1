"""The stripe-identity command: the demo, the API subcommands printing JSON, and the emulator
serving until it is stopped."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from stripe_identity.emulator import Emulator
from tests.cli.helpers import run
from tests.conftest import TEST_KEY


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
    # No link to open later: the emulator serving it stops when the demo ends.
    assert "/verify/" not in out and "/links/" not in out


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


def test_emulator_command_serves_logs_and_stops_cleanly_on_sigterm() -> None:
    with socket.socket() as sock:  # a port nobody listens on: every delivery fails
        sock.bind(("127.0.0.1", 0))
        dead = sock.getsockname()[1]
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
            "--webhook-url",
            f"http://127.0.0.1:{dead}/hook",
            "--webhook-secret",
            "whsec_cli0test",
            "--event-destination-url",
            f"http://127.0.0.1:{dead}/thin",
            "--event-destination-secret",
            "whsec_cli1test",
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
        headers = {"Authorization": f"Bearer {TEST_KEY}"}
        request = urllib.request.Request(
            api_base + "/v1/identity/verification_sessions", headers=headers
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            assert json.loads(response.read())["object"] == "list"
        create = urllib.request.Request(
            api_base + "/v1/identity/verification_sessions", data=b"type=document", headers=headers
        )
        with urllib.request.urlopen(create, timeout=5) as response:
            assert json.loads(response.read())["status"] == "requires_input"
        time.sleep(0.5)  # a few delivery attempts
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    assert "emulator stopped" in out
    assert "GET /v1/identity/verification_sessions -> 200 req_" in err  # one line per request
    assert "POST /v1/identity/verification_sessions -> 200 req_" in err
    assert "WARNING webhook evt_" in err and f"127.0.0.1:{dead}/hook failed" in err
    thin = "(v1.identity.verification_session.created) to "
    assert "WARNING webhook evt_test_" in err and f"{thin}http://127.0.0.1:{dead}/thin failed" in err
    assert "Traceback" not in err and TEST_KEY not in err


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
