"""How the command fails: one line on stderr and a documented exit status (0 ok, 1 API or network
error, 2 usage, 130 interrupted, 141 closed pipe), never a traceback; and help for everything."""

from __future__ import annotations

import argparse
import json
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from typing import get_args

import pytest

import stripe_identity as si
from stripe_identity._cli import EXIT_STATUSES, _parser
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
from tests.cli.helpers import assert_one_line_error, cli, cli_env, run
from tests.conftest import TEST_KEY


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
