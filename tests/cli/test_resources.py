"""The stripe-identity command's companion commands: files, file-links, events, ephemeral-keys, raw.

Each runs as a real subprocess against an emulator served from a thread of the test process (so the
conftest still checks every answer against the spec), and is checked against the SDK's own view.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

import stripe_identity as si
from stripe_identity.emulator import Emulator
from tests.conftest import TEST_KEY
from tests.resources.test_files import SELFIE_OPTIONS, decode_png, image_ids

RESTRICTED_KEY = "rk_test_51CompanionCommandLine"
VERIFIED = "identity.verification_session.verified"


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(seed=8) as emulator:
        yield emulator


@pytest.fixture
def sdk(emu: Emulator) -> Iterator[si.StripeIdentity]:
    with si.StripeIdentity(
        RESTRICTED_KEY, api_base=emu.api_base, retry_policy=si.RetryPolicy.no_wait()
    ) as client:
        yield client


def cli(
    emu: Emulator, *args: str, key: str = RESTRICTED_KEY, stdout: Any = subprocess.PIPE
) -> subprocess.CompletedProcess[bytes]:
    """``stripe-identity ARGS --api-key KEY --api-base EMULATOR``, as a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "stripe_identity", *args, "--api-key", key, "--api-base", emu.api_base],
        stdout=stdout,
        stderr=subprocess.PIPE,
        timeout=60,
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join(sys.path),
            "STRIPE_API_KEY": "",
            "STRIPE_FILES_BASE": "",
        },
    )


def ok(result: subprocess.CompletedProcess[bytes]) -> Any:
    assert result.returncode == 0, result.stderr.decode()
    assert result.stderr == b""
    return json.loads(result.stdout)


def failed(result: subprocess.CompletedProcess[bytes]) -> dict[str, Any]:
    assert result.returncode == 1, result.stdout[:200]
    assert result.stdout == b""
    error: dict[str, Any] = json.loads(result.stderr)["error"]
    return error


def verified_images(emu: Emulator, sdk: si.StripeIdentity) -> dict[str, str]:
    session = sdk.verification_sessions.create(SELFIE_OPTIONS)
    emu.submit(session.id)
    report = sdk.verification_sessions.retrieve(
        session.id, {"expand": ["last_verification_report"]}
    ).last_verification_report
    assert isinstance(report, si.VerificationReport)
    return image_ids(report)


def test_files_retrieve_and_download(
    emu: Emulator, sdk: si.StripeIdentity, tmp_path: pathlib.Path
) -> None:
    selfie = verified_images(emu, sdk)["selfie.selfie"]
    expected = sdk.files.download(selfie)

    shown = ok(cli(emu, "files", "retrieve", selfie))
    assert shown == sdk.files.retrieve(selfie).to_dict()
    assert shown["size"] == len(expected) and shown["purpose"] == "selfie"

    streamed = cli(emu, "files", "download", selfie)  # to stdout, as bytes
    assert streamed.returncode == 0 and streamed.stderr == b""
    assert streamed.stdout == expected
    decode_png(streamed.stdout)

    target = tmp_path / "selfie.png"
    saved = ok(cli(emu, "files", "download", selfie, "-o", str(target)))
    assert saved == {"file": selfie, "path": str(target), "size": len(expected)}
    assert target.read_bytes() == expected

    error = failed(cli(emu, "files", "download", selfie, key=TEST_KEY))
    assert error["type"] == "PermissionDeniedError" and error["http_status"] == 403

    cut = emu.create_file(2_000_000, cut_after=700_000)["id"]
    error = failed(cli(emu, "files", "download", cut, "-o", str(tmp_path / "cut.bin")))
    assert error["type"] == "APIConnectionError"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["selfie.png"]  # nothing partial


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_files_download_will_not_write_binary_to_a_terminal(
    emu: Emulator, sdk: si.StripeIdentity
) -> None:
    front = verified_images(emu, sdk)["front"]
    leader, follower = os.openpty()
    try:
        result = cli(emu, "files", "download", front, stdout=follower)
    finally:
        os.close(follower)
        os.close(leader)
    assert result.returncode == 2  # a usage error
    assert b"use -o PATH" in result.stderr
    assert "download_file" not in emu.stats()["by_operation"]  # refused before asking


def test_file_links_create(emu: Emulator, sdk: si.StripeIdentity) -> None:
    front = verified_images(emu, sdk)["front"]
    before = int(time.time())
    link = ok(cli(emu, "file-links", "create", front, "--expires-in", "25", "-d", "metadata[k]=v"))
    assert link["object"] == "file_link" and link["file"] == front
    assert link["metadata"] == {"k": "v"}
    assert before + 25 <= link["expires_at"] <= int(time.time()) + 25
    with urllib.request.urlopen(link["url"], timeout=10) as response:
        assert response.read() == sdk.files.download(front)
    assert sdk.file_links.retrieve(link["id"]).to_dict() == link

    error = failed(cli(emu, "file-links", "create", front, "--expires-in", "120"))
    assert error["type"] == "InvalidRequestError" and error["param"] == "expires_at"
    other = emu.create_file(100, purpose="dispute_evidence")["id"]
    forever = ok(cli(emu, "file-links", "create", other))  # no expiry: allowed for other files
    assert forever["expires_at"] is None


def test_events_list(emu: Emulator, sdk: si.StripeIdentity) -> None:
    sessions = [sdk.verification_sessions.create({"type": "document"}) for _ in range(4)]
    for session in sessions[:3]:
        emu.submit(session.id)
    verified = ok(cli(emu, "events", "list", "--type", VERIFIED, "--limit", "1", "--all"))
    assert [e["type"] for e in verified] == [VERIFIED] * 3
    assert [e["data"]["object"]["id"] for e in verified] == [s.id for s in reversed(sessions[:3])]
    expected = [e.id for e in sdk.events.list({"type": VERIFIED}).auto_paging_iter()]
    assert [e["id"] for e in verified] == expected

    page = ok(cli(emu, "events", "list", "--limit", "2"))
    assert page["object"] == "list" and page["has_more"] is True and len(page["data"]) == 2
    created = ok(cli(emu, "events", "list", "--type", "*.created", "--all"))
    assert len(created) == 4
    both = ok(cli(emu, "events", "list", "-d", "types[]=" + VERIFIED, "-d", "limit=100"))
    assert len(both["data"]) == 3


def test_ephemeral_keys_create(emu: Emulator, sdk: si.StripeIdentity) -> None:
    session = sdk.verification_sessions.create({"type": "document"})
    key = ok(
        cli(
            emu,
            "ephemeral-keys",
            "create",
            "--verification-session",
            session.id,
            "--stripe-version",
            "2020-08-27",
            key=TEST_KEY,
        )
    )
    assert key["object"] == "ephemeral_key" and key["secret"].startswith("ek_test_")
    mobile = sdk.with_options(api_key=key["secret"])
    assert mobile.verification_sessions.retrieve(session.id).id == session.id

    error = failed(
        cli(
            emu,
            "ephemeral-keys",
            "create",
            "--verification-session",
            "vs_unknown",
            "--stripe-version",
            "2020-08-27",
        )
    )
    assert error["param"] == "verification_session" and error["code"] == "resource_missing"
    usage = cli(emu, "ephemeral-keys", "create", "--verification-session", session.id)
    assert usage.returncode == 2 and b"--stripe-version" in usage.stderr


def test_raw(emu: Emulator, sdk: si.StripeIdentity) -> None:
    created = ok(
        cli(
            emu,
            "raw",
            "post",
            "/v1/identity/verification_sessions",
            "-d",
            "type=document",
            "-d",
            "metadata[user]=42",
        )
    )
    assert created["object"] == "identity.verification_session"
    assert created["metadata"] == {"user": "42"}
    assert sdk.verification_sessions.retrieve(created["id"]).to_dict() == ok(
        cli(emu, "raw", "GET", f"/v1/identity/verification_sessions/{created['id']}")
    )
    file = emu.create_file(100, purpose="dispute_evidence")
    assert ok(cli(emu, "raw", "GET", f"/v1/files/{file['id']}", "--base", "files")) == file
    listed = ok(cli(emu, "raw", "GET", "/v1/events", "-d", "limit=1"))
    assert listed["has_more"] is False and listed["data"][0]["data"]["object"]["id"] == created["id"]

    error = failed(cli(emu, "raw", "DELETE", "/v1/ephemeral_keys/ephkey_unknown"))
    assert error["http_status"] == 404 and error["param"] == "key"
    usage = cli(emu, "raw", "PATCH", "/v1/events")
    assert usage.returncode == 2
