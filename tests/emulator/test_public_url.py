"""The address the emulator advertises: a URL others can reach, never a wildcard such as 0.0.0.0;
``public_url`` for another container or machine; and URLs checked when the emulator is set up."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

import stripe_identity as si
from stripe_identity.emulator import Emulator
from tests.cli.helpers import assert_one_line_error, cli, cli_env
from tests.conftest import TEST_KEY

PUBLIC = "http://emulator.test:12111"


def test_bound_to_every_interface_it_advertises_loopback() -> None:
    with (
        Emulator(host="0.0.0.0") as emu,
        si.StripeIdentity(TEST_KEY, api_base=emu.api_base) as client,
    ):
        assert emu.api_base == emu.public_url == f"http://127.0.0.1:{emu.port}"
        session = client.verification_sessions.create({"type": "document"})
        assert session.url is not None and session.url.startswith(emu.api_base + "/verify/")


def test_public_url_is_what_sessions_and_file_links_advertise() -> None:
    with (
        Emulator(public_url=PUBLIC + "/") as emu,
        si.StripeIdentity(TEST_KEY, api_base=emu.api_base) as client,
    ):
        assert emu.public_url == PUBLIC  # in-process clients still use api_base, on loopback
        assert emu.api_base == f"http://127.0.0.1:{emu.port}"
        session = client.verification_sessions.create({"type": "document"})
        assert session.url is not None and session.url.startswith(PUBLIC + "/verify/")
        file = emu.create_file(10, purpose="dispute_evidence")
        assert file["url"].startswith(PUBLIC + "/v1/files/")
        link = client.file_links.create({"file": file["id"]})
        assert link.url is not None and link.url.startswith(PUBLIC + "/links/")


@contextmanager
def serving(*args: str) -> Iterator[list[str]]:
    """``stripe-identity emulator ARGS`` in a process of its own; yields its banner's lines."""
    process = subprocess.Popen(
        [sys.executable, "-m", "stripe_identity", "emulator", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(),
    )
    try:
        assert process.stdout is not None
        banner = [process.stdout.readline()]
        while not banner[-1].startswith("  press Ctrl-C"):
            banner.append(process.stdout.readline())
            assert banner[-1], "the banner ended early"
        yield banner
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert "Traceback" not in err


def create_session(api_base: str) -> dict[str, str]:
    request = urllib.request.Request(
        api_base + "/v1/identity/verification_sessions",
        data=b"type=document",
        headers={"Authorization": f"Bearer {TEST_KEY}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        session: dict[str, str] = json.loads(response.read())
    return session


def test_cli_on_every_interface_advertises_loopback_and_says_so() -> None:
    with serving("--host", "0.0.0.0") as banner:
        advertised = banner[0].rsplit(" ", 1)[1].strip()
        assert advertised.startswith("http://127.0.0.1:")
        assert "0.0.0.0" not in banner[0]
        assert "every interface (0.0.0.0)" in banner[1] and "--public-url" in banner[1]
        assert f"api_base='{advertised}'" in banner[2]
        assert create_session(advertised)["url"].startswith(advertised + "/verify/")


def test_cli_public_url_is_what_sessions_advertise() -> None:
    with serving("--host", "0.0.0.0", "--public-url", PUBLIC) as banner:
        assert banner[0] == f"Stripe Identity emulator listening on {PUBLIC}\n"
        port = banner[1].rsplit(" ", 1)[1].strip()
        assert banner[1] == f"  bound to 0.0.0.0 port {port}\n"
        assert create_session(f"http://127.0.0.1:{port}")["url"].startswith(PUBLIC + "/verify/")


@pytest.mark.parametrize(
    ("option", "value", "fragment"),
    [
        ("--webhook-url", "notaurl", "it has no scheme"),
        ("--webhook-url", "ftp://example.com/hook", "its scheme is 'ftp'"),
        ("--public-url", "emulator:12111", "absolute http:// or https:// URL"),
        ("--public-url", "http://emulator/?x=1", "a query or a fragment"),
    ],
)
def test_cli_refuses_a_bad_url_before_starting(option: str, value: str, fragment: str) -> None:
    result = cli("emulator", "--port", "0", option, value, "--webhook-secret", "whsec_x")
    assert_one_line_error(result, 2, f"argument {option}", fragment, repr(value))
