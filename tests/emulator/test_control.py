"""The emulator's own helpers: /_emulator/ routes, the background-thread mode, the schema check."""

from __future__ import annotations

import json

import jsonschema
import pytest

import stripe_identity as si
from stripe_identity.emulator import Emulator
from tests.conftest import TEST_KEY, RawHTTP
from tests.fake_api import SESSION
from tests.spec_schema import validate_response


@pytest.mark.anyio
async def test_control_routes_over_http(emulator: Emulator, raw: RawHTTP) -> None:
    _, _, session = await raw("POST", "/v1/identity/verification_sessions", "type=document")
    path = f"/_emulator/verification_sessions/{session['id']}/submit"
    status, _, failed = await raw("POST", path, "outcome=requires_input&error_code=document_expired")
    assert status == 200
    assert failed["last_error"]["code"] == "document_expired"
    status, _, verified = await raw(
        "POST", path, json.dumps({"outcome": "verified"}), {"Content-Type": "application/json"}
    )
    assert status == 200
    assert verified["status"] == "verified"
    status, _, error = await raw("POST", path, "outcome=verified")
    assert status == 400
    assert "requires_input" in error["error"]["message"]
    status, _, error = await raw("POST", path, "outcome=requires_input&error_code=nope")
    assert (status, error["error"]["param"]) == (400, "error_code")
    status, _, error = await raw("POST", path, "colour=blue")
    assert (status, error["error"]["param"]) == (400, "colour")
    status, _, events = await raw("GET", f"/_emulator/events?session={session['id']}")
    assert [e["type"] for e in events["data"]][-1] == "identity.verification_session.verified"
    assert all(e["id"].startswith("evt_") for e in events["data"])
    status, _, stats = await raw("GET", "/_emulator/stats")
    assert stats["sessions"] == 1
    assert stats["by_operation"]["create"] == 1
    status, _, _ = await raw("POST", "/_emulator/reset")
    assert status == 200
    assert emulator.stats()["sessions"] == 0
    status, _, _ = await raw("GET", "/_emulator/nothing")
    assert status == 404


def test_threaded_emulator_with_the_sync_client() -> None:
    with Emulator() as emu, si.StripeIdentity(TEST_KEY, api_base=emu.api_base) as client:
        session = client.verification_sessions.create({"type": "document"})
        emu.submit(session.id)
        assert client.verification_sessions.retrieve(session.id).status == "verified"
        assert emu.stats()["sessions"] == 1
        assert emu.events()[0]["type"] == "identity.verification_session.created"
        emu.reset()
        assert emu.stats()["sessions"] == 0
        with pytest.raises(si.InvalidRequestError):
            client.verification_sessions.retrieve(session.id)
    with pytest.raises(RuntimeError, match="not running"):
        _ = emu.api_base


def test_same_seed_same_ids() -> None:
    ids = []
    for _ in range(2):
        with Emulator(seed="fixed") as emu, si.StripeIdentity(TEST_KEY, api_base=emu.api_base) as c:
            ids.append(c.verification_sessions.create({"type": "document"}).id)
    assert ids[0] == ids[1]


def test_the_schema_check_catches_off_spec_responses() -> None:
    good = json.dumps(SESSION).encode()
    validate_response("GET", "/v1/identity/verification_sessions/vs_1", 200, good)
    for broken in (
        {**SESSION, "status": "done"},
        {**SESSION, "created": "yesterday"},
        {k: v for k, v in SESSION.items() if k != "livemode"},
    ):
        with pytest.raises(jsonschema.ValidationError):
            validate_response(
                "GET", "/v1/identity/verification_sessions/vs_1", 200, json.dumps(broken).encode()
            )
    with pytest.raises(jsonschema.ValidationError):
        validate_response("GET", "/v1/identity/verification_sessions", 400, b'{"error": {}}')


def test_packaged_request_schemas_match_the_spec() -> None:
    import subprocess
    import sys

    from tests.fake_api import SPEC_DIR

    result = subprocess.run(
        [
            sys.executable,
            "scripts/extract_emulator_schema.py",
            "--check",
            "--spec",
            str(SPEC_DIR / "verification_session.openapi.json"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
