"""What a user's shell can throw at the command (hostile paths, missing folders, a full disk, an
ASCII-only terminal, plain http): still one line, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import stripe_identity as si
from stripe_identity.emulator import Emulator
from tests.cli.helpers import assert_one_line_error, cli, cli_env
from tests.conftest import TEST_KEY


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
