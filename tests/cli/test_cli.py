"""The stripe-identity command: demo, emulator, the API subcommands, and how each can fail: one line
on stderr and a documented exit status (0 ok, 1 API or network error, 2 usage, 130 interrupted, 141
closed pipe), never a traceback."""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import get_args

import pytest

import stripe_identity as si
from stripe_identity._cli import EXIT_STATUSES, _parser, main
from stripe_identity._cli._values import choices
from stripe_identity._models._common import (
    CheckType,
    VerificationSessionStatus,
    VerificationSessionStatusName,
)
from stripe_identity._params.verification_sessions import SessionTypeName
from stripe_identity._requestor import Base
from stripe_identity.emulator import Emulator
from stripe_identity.emulator._ratelimit import SCOPES
from tests.conftest import TEST_KEY

ROOT = Path(si.__file__).resolve().parent.parent


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator() as emulator:
        yield emulator


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(args)
    except SystemExit as exc:  # argparse: --help, and usage errors
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def cli_env(**env: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("STRIPE_")}
    base["PYTHONPATH"] = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    return {**base, **env}


def cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m stripe_identity ARGS`` in a fresh process, as from a shell."""
    return subprocess.run(
        [sys.executable, "-m", "stripe_identity", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=cli_env(**env),
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], code: int, *fragments: str) -> None:
    assert result.returncode == code, result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    for fragment in fragments:
        assert fragment in result.stderr


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


# --- failing well ---------------------------------------------------------------------------------


def test_help_lists_the_exit_statuses(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--help"], capsys)
    assert code == 0
    assert "exit status:" in out
    for status in EXIT_STATUSES:
        assert f"  {status} " in out
    code, out, _ = run(["sessions", "list", "--help"], capsys)
    assert "exit status:" in out


def _all_actions(parser: argparse.ArgumentParser, prog: str) -> Iterator[tuple[str, argparse.Action]]:
    for action in parser._actions:
        yield prog, action
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _all_actions(sub, f"{prog} {name}")


def test_every_option_and_command_has_help() -> None:
    missing = []
    for prog, action in _all_actions(_parser(), "stripe-identity"):
        if isinstance(action, argparse._SubParsersAction):
            helped = {choice.dest for choice in action._choices_actions if choice.help}
            missing += [f"{prog} {name}" for name in action.choices if name not in helped]
        elif not action.help or action.help == argparse.SUPPRESS:
            missing.append(f"{prog} {'/'.join(action.option_strings) or action.dest}")
    assert missing == []


def _choices() -> dict[str, list[str]]:
    """Every option or argument with choices (other than a command), by ``prog option``."""
    return {
        f"{prog} {'/'.join(action.option_strings) or action.dest}": list(action.choices)
        for prog, action in _all_actions(_parser(), "stripe-identity")
        if action.choices is not None and not isinstance(action, argparse._SubParsersAction)
    }


def test_enum_choices_are_the_sdks_literals() -> None:
    session_types = list(get_args(SessionTypeName))
    assert _choices() == {
        "stripe-identity sessions create --type": session_types,
        "stripe-identity sessions list --status": list(get_args(VerificationSessionStatusName)),
        "stripe-identity sessions update --type": session_types,
        "stripe-identity sessions export --format": ["jsonl", "csv"],
        "stripe-identity reports list --type": session_types,
        "stripe-identity raw method": ["GET", "POST", "DELETE"],
        "stripe-identity raw --base": list(get_args(Base)),
        "stripe-identity emulator --rate-limit-scope": list(SCOPES),
    }


def test_choices_of_an_open_enum_are_its_literals() -> None:
    # A model's field is open (Literal[...] | str); its literals are the values a params filter takes.
    assert choices(VerificationSessionStatus) == choices(VerificationSessionStatusName)
    assert choices(CheckType) == ["document", "id_number", "verification_flow"]
    with pytest.raises(TypeError, match="neither a Literal"):
        choices(str)


def test_parsing_a_command_loads_no_http_client() -> None:
    # --help and usage errors stay quick: aiohttp loads when a command calls the API, not before.
    code = (
        "import sys; from stripe_identity._cli import _parser; "
        "_parser().parse_args(['sessions', 'list', '--status', 'verified']); "
        "print('aiohttp' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=cli_env()
    )
    assert result.stdout.split() == ["False"], result.stderr


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["emulator", "--port", "99999"], "99999 is not a port number"),
        (["emulator", "--port", "-1"], "-1 is not a port number"),
        (["emulator", "--port", "http"], "'http' is not a whole number"),
        (["emulator", "--latency", "-1"], "-1 is negative"),
        (["emulator", "--latency", "nan"], "'nan' is not a finite number"),
        (["emulator", "--processing-delay", "inf"], "'inf' is not a finite number"),
        (["emulator", "--redaction-delay", "-0.5"], "-0.5 is negative"),
        (["emulator", "--retry-after", "-2"], "-2 is negative"),
        (["emulator", "--fault-5xx", "1.5"], "1.5 is not a rate between 0 and 1"),
        (["emulator", "--fault-429", "-0.1"], "-0.1 is not a rate"),
        (["emulator", "--fault-reset-before", "2"], "2 is not a rate"),
        (["emulator", "--fault-reset-after", "nan"], "'nan' is not a finite number"),
        (["emulator", "--webhook-url", "http://127.0.0.1:9/hook"], "go together"),
        (["emulator", "--event-destination-secret", "whsec_x"], "go together"),
        (["emulator", "--event-destination-url", "ftp://example.com"], "--event-destination-url"),
        (["emulator", "--webhook-duplicates", "0.1"], "--webhook-duplicates needs --webhook-url"),
        (["emulator", "--webhook-duplicates", "1.5"], "1.5 is not a rate between 0 and 1"),
        (["emulator", "--rate-limit-scope", "account"], "--rate-limit-scope needs --rate-limits"),
        (["emulator", "--rate-limit-scope", "ip"], "invalid choice: 'ip'"),
        (["emulator", "--fault-5xx", "0.6", "--fault-429", "0.6"], "add up to 1.2, more than 1"),
        (["sessions", "list", "--limit", "0"], "0 is not a page size"),
        (["sessions", "list", "--limit", "101"], "101 is not a page size"),
        (["reports", "list", "--limit", "-3"], "-3 is not a page size"),
        (["sessions", "list", "--max-retries", "-1"], "-1 is not a count"),
        (["sessions", "create", "-d", "no-equals-sign"], "expected KEY=VALUE, got 'no-equals-sign'"),
        (["sessions", "create", "-d", "=1"], "expected KEY=VALUE"),
        (["sessions", "create", "-d", "a=1", "-d", "a[b]=2"], "-d: Conflicting values for a"),
        (["sessions", "update", "vs_1", "--metadata", "novalue"], "expected KEY=VALUE"),
        (["sessions", "list", "--api-base", "not a url"], "--api-base: api_base must be"),
        (["sessions", "list", "--api-base", "ftp://example.com"], "--api-base"),
        (["sessions", "list", "--api-base", "http://example.com"], "refusing plain http"),
        (["sessions", "frobnicate"], "invalid choice: 'frobnicate'"),
        (["sessions", "retrieve"], "the following arguments are required: id"),
        ([], "the following arguments are required: COMMAND"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(
    args: list[str], fragment: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STRIPE_API_KEY", TEST_KEY)
    code, out, err = run(args, capsys)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1, err
    assert fragment in err
    assert err.startswith("stripe-identity")


def test_emulator_flags_for_many_workers_reach_the_emulator() -> None:
    from stripe_identity._cli._emulator import _emulator

    flags = "--rate-limits 40 --rate-limit-scope account --seed 7 --webhook-duplicates 0.25"
    webhook = ["--webhook-url", "http://127.0.0.1:9/hook", "--webhook-secret", "whsec_x"]
    args = _parser().parse_args(["emulator", *flags.split(), *webhook])
    emulator = _emulator(args)
    limiter, sender = emulator._app.rate_limiter, emulator._app.webhooks
    assert limiter is not None and limiter.limits.scope == "account"
    assert limiter.limits.per_second == 40
    assert sender is not None and sender.duplicates == 0.25
    plain = _emulator(_parser().parse_args(["emulator", "--rate-limits", "40"]))
    assert plain._app.rate_limiter is not None and plain._app.rate_limiter.limits.scope == "key"


# The cases of the issue, each in a process of its own, as a user meets them.


def test_bad_data_and_bad_api_base_are_both_usage_errors() -> None:
    assert_one_line_error(cli("sessions", "create", "-d", "oops"), 2, "-d/--data", "KEY=VALUE")
    assert_one_line_error(cli("sessions", "list", "--api-base", "localhost:12111"), 2, "--api-base")


def test_out_of_range_numbers_are_usage_errors() -> None:
    assert_one_line_error(cli("emulator", "--port", "99999"), 2, "--port", "0 to 65535")
    assert_one_line_error(cli("emulator", "--latency", "-1"), 2, "--latency", "negative")
    assert_one_line_error(cli("emulator", "--fault-5xx", "nan"), 2, "--fault-5xx")
    assert_one_line_error(cli("sessions", "list", "--limit", "0"), 2, "--limit")


def test_emulator_port_in_use_is_one_line_and_exit_1() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        result = cli("emulator", "--port", str(busy))
    assert_one_line_error(result, 1, f"cannot listen on 127.0.0.1:{busy}", "in use", "--port 0")


def test_emulator_unknown_host_is_one_line_and_exit_1() -> None:
    result = cli("emulator", "--host", "nosuchhost.invalid", "--port", "0")
    assert_one_line_error(result, 1, "cannot listen on nosuchhost.invalid:0")


def test_network_errors_exit_1_with_the_json_error(unused_port: int) -> None:
    result = cli(
        "sessions",
        "list",
        "--api-base",
        f"http://127.0.0.1:{unused_port}",
        "--max-retries",
        "0",
        STRIPE_API_KEY=TEST_KEY,
    )
    assert result.returncode == 1
    assert json.loads(result.stderr)["error"]["type"] == "APIConnectionError"
    assert "Traceback" not in result.stderr


@pytest.fixture
def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_ctrl_c_during_an_api_call_exits_130_without_a_traceback() -> None:
    with socket.socket() as server:  # accepts the connection, never answers
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.settimeout(30)
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "stripe_identity",
                "sessions",
                "list",
                "--api-base",
                f"http://127.0.0.1:{server.getsockname()[1]}",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=cli_env(STRIPE_API_KEY=TEST_KEY),
        )
        try:
            connection, _ = server.accept()
            with connection:
                connection.recv(65536)  # the request is out: the command waits for the answer
                process.send_signal(signal.SIGINT)
                out, err = process.communicate(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
    assert process.returncode == 130, err
    assert out == ""
    assert err == "stripe-identity: interrupted\n"


def test_a_closed_pipe_ends_the_output_quietly(emu: Emulator) -> None:
    with si.StripeIdentity(TEST_KEY, api_base=emu.api_base) as client:
        for _ in range(150):  # more JSON than a pipe holds, so the writer meets the closed end
            client.verification_sessions.create({"type": "document"})
    command = f"{sys.executable} -m stripe_identity sessions list --all | head -3"
    result = subprocess.run(
        ["bash", "-c", command + '; echo "status=${PIPESTATUS[0]}" >&2'],
        capture_output=True,
        text=True,
        timeout=60,
        env=cli_env(STRIPE_API_KEY=TEST_KEY, STRIPE_API_BASE=emu.api_base),
    )
    assert result.stdout.splitlines() == ["[", "  {", result.stdout.splitlines()[2]]
    assert result.stderr == "status=141\n"  # no traceback, no "Exception ignored"


# --- what a user's shell can throw at it: still one line, never a traceback ------------------------


@pytest.mark.parametrize(
    "path", ["https://evil.example/v1/x", ".evil.example/v1/x", "v1/x", "/v1/../x", "/v1/x\r\nX: y"]
)
def test_raw_refuses_a_path_that_would_leave_the_base(emu: Emulator, path: str) -> None:
    result = cli("raw", "GET", path, STRIPE_API_KEY=TEST_KEY, STRIPE_API_BASE=emu.api_base)
    assert_one_line_error(result, 2, "Refusing to request the path")


def test_download_into_a_missing_folder_is_a_usage_error(emu: Emulator, tmp_path: Path) -> None:
    target = tmp_path / "missing" / "front.png"
    result = cli(
        "files",
        "download",
        "file_x",
        "-o",
        str(target),
        STRIPE_API_KEY=TEST_KEY,
        STRIPE_API_BASE=emu.api_base,
    )
    assert_one_line_error(result, 2, "-o: the folder", "does not exist")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
def test_a_full_disk_behind_stdout_is_one_line_and_status_1(emu: Emulator) -> None:
    with si.StripeIdentity(TEST_KEY, api_base=emu.api_base) as client:
        client.verification_sessions.create({"type": "document"})
    command = f"{sys.executable} -m stripe_identity sessions list --all > /dev/full"
    result = subprocess.run(
        ["bash", "-c", command],
        capture_output=True,
        text=True,
        timeout=60,
        env=cli_env(STRIPE_API_KEY=TEST_KEY, STRIPE_API_BASE=emu.api_base),
    )
    assert result.returncode == 1
    assert result.stderr == "stripe-identity: error: No space left on device\n"


def test_an_ascii_only_stdout_gets_json_escapes(emu: Emulator) -> None:
    with si.StripeIdentity(TEST_KEY, api_base=emu.api_base) as client:
        session = client.verification_sessions.create({"type": "document", "metadata": {"n": "é✓"}})
    result = subprocess.run(
        [sys.executable, "-m", "stripe_identity", "sessions", "retrieve", session.id],
        capture_output=True,
        timeout=60,
        env=cli_env(STRIPE_API_KEY=TEST_KEY, STRIPE_API_BASE=emu.api_base, PYTHONIOENCODING="ascii"),
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["metadata"] == {"n": "é✓"}
    assert b"\\u00e9\\u2713" in result.stdout


def test_plain_http_to_a_named_host_needs_allow_insecure_http() -> None:
    args = ("sessions", "list", "--api-base", "http://emulator.invalid:1", "--max-retries", "0")
    refused = cli(*args, STRIPE_API_KEY=TEST_KEY)
    assert_one_line_error(refused, 2, "refusing plain http:// to emulator.invalid")
    # Allowed, it gets as far as the network (this name never resolves), by flag or environment.
    for allowed in (
        cli(*args, "--allow-insecure-http", "emulator.invalid", STRIPE_API_KEY=TEST_KEY),
        cli(*args, STRIPE_API_KEY=TEST_KEY, STRIPE_INSECURE_HTTP_HOSTS="emulator.invalid"),
    ):
        assert allowed.returncode == 1, allowed.stderr
        assert json.loads(allowed.stderr)["error"]["type"] == "APIConnectionError"
