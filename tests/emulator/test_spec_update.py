"""scripts/update_spec.py on a file of the published spec's structure, built here from the extract:
the same content re-extracts to the same extract; a changed field is reported, rewritten and carried
into the emulator's packaged schema with the file's version."""

from __future__ import annotations

import copy
import json
import pathlib
import re
import shutil
import subprocess
import sys
from typing import Any

import pytest

from tests.fake_api import SPEC_DIR

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXTRACT = "verification_session.openapi.json"
COMMIT = "18fa2cc768024b47789dc6fa243acd48478acac2"  # the one the extract records


def _html(markdown: str) -> str:
    """An operation description as the published file writes it (HTML)."""
    text = re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r'<a href="\2">\1</a>', markdown)
    return "<p>" + re.sub(r"`([^`]+)`", r"<code>\1</code>", text) + "</p>"


def published_from_extracts() -> dict[str, Any]:
    """A spec of the published file's structure holding the extracts' operations and schemas, with
    the real objects behind their stubs, and paths and schemas of other products around them."""
    identity = json.loads((SPEC_DIR / EXTRACT).read_text())
    companion = json.loads((SPEC_DIR / "companion.openapi.json").read_text())
    spec: dict[str, Any] = {key: copy.deepcopy(identity[key]) for key in ("openapi", "info")}
    spec |= {"servers": identity["servers"], "security": identity["security"]}
    spec["paths"] = copy.deepcopy({**companion["paths"], **identity["paths"]})
    for path in identity["paths"]:
        for operation in spec["paths"][path].values():
            operation["description"] = _html(operation["description"])
    schemas = copy.deepcopy({**companion["components"]["schemas"], **identity["components"]["schemas"]})
    for name, schema in schemas.items():
        if schema.get("x-stub"):
            schemas[name] = {"type": "object", "properties": {"id": {"type": "string"}}}
    schemas["customer"] = {"type": "object", "properties": {"id": {"type": "string"}}}
    spec["paths"]["/v1/customers"] = {
        "get": {
            "responses": {
                "200": {
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/customer"}}
                    }
                }
            }
        }
    }
    events = ["charge.succeeded", *identity["x-events"]["types"]]
    body = {"properties": {"enabled_events": {"type": "array", "items": {"enum": events}}}}
    spec["paths"]["/v1/webhook_endpoints"] = {
        "post": {"requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": body}}}}
    }
    spec["components"] = {
        "schemas": schemas,
        "securitySchemes": identity["components"]["securitySchemes"],
    }
    return spec


def run(tmp_path: pathlib.Path, spec: dict[str, Any], *args: str) -> subprocess.CompletedProcess[str]:
    published = tmp_path / "openapi.spec3.json"
    published.write_text(json.dumps(spec, separators=(",", ":"), ensure_ascii=False))
    command = [sys.executable, "scripts/update_spec.py", str(published), "--commit", COMMIT]
    command += ["--spec-dir", str(tmp_path / "spec"), "--schema-out", str(tmp_path / "schema.json")]
    return subprocess.run([*command, *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.fixture
def spec_copy(tmp_path: pathlib.Path) -> pathlib.Path:
    shutil.copytree(SPEC_DIR, tmp_path / "spec")
    return tmp_path / "spec"


def test_the_published_content_re_extracts_to_the_extract(
    tmp_path: pathlib.Path, spec_copy: pathlib.Path
) -> None:
    result = run(tmp_path, published_from_extracts(), "--check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == ["verification_session.openapi.json: unchanged"]
    # The companion came from stripe-mock's 2020 file: from the published one, only its version moves.
    result = run(tmp_path, published_from_extracts(), "--check", "--companion")
    assert result.stdout.splitlines() == [
        "verification_session.openapi.json: unchanged",
        "companion.openapi.json: changed",
        "  API version: 2020-08-27 -> 2026-09-30.endive",
    ]
    result = run(tmp_path, published_from_extracts())
    assert result.returncode == 0 and "rewrote" not in result.stdout
    assert (spec_copy / EXTRACT).read_bytes() == (SPEC_DIR / EXTRACT).read_bytes()
    assert not (tmp_path / "schema.json").exists()


def test_a_change_is_reported_and_written_with_the_new_version(
    tmp_path: pathlib.Path, spec_copy: pathlib.Path
) -> None:
    spec = published_from_extracts()
    spec["info"]["version"] = "2026-10-28.endive"
    schemas = spec["components"]["schemas"]
    outputs = schemas["gelato_verified_outputs"]["properties"]
    outputs["nationality"] = {"maxLength": 5000, "type": "string", "nullable": True}
    schemas["identity.verification_session"]["properties"]["status"]["enum"].append("expired")
    schemas["gelato_document_report"]["required"] = []
    create = spec["paths"]["/v1/identity/verification_sessions"]["post"]
    form = create["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    form["properties"]["hint"] = {"type": "string", "maxLength": 100}
    spec["paths"]["/v1/identity/verification_sessions/{session}/approve"] = {
        "post": {"operationId": "PostApprove", "description": "<p>Approves a <code>session</code>.</p>"}
    }

    checked = run(tmp_path, spec, "--check")
    assert checked.returncode == 1
    assert (spec_copy / EXTRACT).read_bytes() == (SPEC_DIR / EXTRACT).read_bytes()
    assert checked.stdout.splitlines() == [
        "verification_session.openapi.json: changed",
        "  API version: 2026-09-30.endive -> 2026-10-28.endive",
        "  ~ schema gelato_document_report",
        "      ~ `status` is no longer always present (not required)",
        "  ~ schema gelato_verified_outputs",
        "      + property `nationality`: string; nullable; maxLength 5000",
        "  ~ schema identity.verification_session",
        "      ~ property `status`: enum +expired",
        "  ~ operation POST /v1/identity/verification_sessions",
        "      + param `hint`: string; maxLength 100",
        "  + operation POST /v1/identity/verification_sessions/{session}/approve",
    ]

    written = run(tmp_path, spec)
    assert written.returncode == 0
    assert (
        "note: DEFAULT_STRIPE_VERSION in stripe_identity/_defaults.py is 2026-09-30.endive"
        in written.stdout
    )
    extract = json.loads((spec_copy / EXTRACT).read_text())
    assert extract["info"]["version"] == extract["x-extract"]["api_version"] == "2026-10-28.endive"
    assert extract["x-extract"]["source"]["commit"] == COMMIT
    approve = extract["paths"]["/v1/identity/verification_sessions/{session}/approve"]["post"]
    assert approve["description"] == "Approves a `session`."  # HTML made one line of Markdown
    assert "nationality" in extract["components"]["schemas"]["gelato_verified_outputs"]["properties"]
    assert "customer" not in extract["components"]["schemas"]  # other products stay out
    assert extract["components"]["schemas"]["payment_intent"]["x-stub"] is True
    assert extract["x-behavior"] == json.loads((SPEC_DIR / EXTRACT).read_text())["x-behavior"]
    schema = json.loads((tmp_path / "schema.json").read_text())
    assert schema["api_version"] == "2026-10-28.endive"
    body = schema["operations"]["PostIdentityVerificationSessions"]["body"]
    assert body["properties"]["hint"] == {"type": "string", "maxLength": 100}
    # Run again on the same file: nothing left to change.
    assert run(tmp_path, spec, "--check").returncode == 0


def test_a_file_that_is_not_a_spec_is_refused(tmp_path: pathlib.Path, spec_copy: pathlib.Path) -> None:
    result = run(tmp_path, {"openapi": "3.0.0"})
    assert result.returncode == 2 and "not an OpenAPI document" in result.stderr
    missing = published_from_extracts()
    del missing["components"]["schemas"]["address"]
    result = run(tmp_path, missing)
    assert result.returncode == 2 and "no schema 'address'" in result.stderr
