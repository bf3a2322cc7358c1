"""Extract what the emulator needs from Stripe's OpenAPI documents into the package.

The emulator ships inside ``stripe_identity`` and validates requests exactly as the spec describes
them, but the spec itself (``tests/data/spec``) is not part of the package. This script copies the
request side of every operation of the Identity extract and of the companion extract (ephemeral keys,
files, file links, events): parameters, body schemas, enums, limits, without descriptions, into
``stripe_identity/emulator/_schema.json``. A test reruns it to prove the copy is current.

    python scripts/extract_emulator_schema.py [--spec PATH --companion PATH] [--check]
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parents[1]
DEFAULT_SPEC = ROOT / "tests" / "data" / "spec" / "verification_session.openapi.json"
DEFAULT_COMPANION = ROOT / "tests" / "data" / "spec" / "companion.openapi.json"
OUT = ROOT / "stripe_identity" / "emulator" / "_schema.json"

_DROP = {"description", "title"}


def _strip(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip(v) for k, v in node.items() if k not in _DROP}
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


def _operations(spec: dict[str, Any]) -> dict[str, Any]:
    operations: dict[str, Any] = {}
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            params = {
                p["name"]: {
                    "in": p["in"],
                    "required": p.get("required", False),
                    "schema": _strip(p["schema"]),
                }
                for p in op.get("parameters", [])
            }
            body = op.get("requestBody", {}).get("content", {})
            form = body.get("application/x-www-form-urlencoded", {}).get("schema", {})
            operations[op["operationId"]] = {
                "method": method.upper(),
                "path": path,
                "parameters": params,
                "body": _strip(form),
            }
    return operations


def extract(spec: dict[str, Any], companion: dict[str, Any]) -> dict[str, Any]:
    operations = {**_operations(spec), **_operations(companion)}
    schemas = spec["components"]["schemas"]
    last_error = schemas["gelato_session_last_error"]["properties"]["code"]["enum"]
    return {
        "api_version": spec["info"]["version"],
        "operations": dict(sorted(operations.items())),
        "last_error_codes": last_error,
        "events": spec.get("x-events", {}),
    }


def render(spec_path: pathlib.Path, companion_path: pathlib.Path) -> str:
    spec = json.loads(spec_path.read_text())
    companion = json.loads(companion_path.read_text())
    return json.dumps(extract(spec, companion), indent=1, sort_keys=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=pathlib.Path, default=DEFAULT_SPEC)
    parser.add_argument("--companion", type=pathlib.Path, default=DEFAULT_COMPANION)
    parser.add_argument("--check", action="store_true", help="fail if the packaged copy is stale")
    options = parser.parse_args(argv)
    text = render(options.spec, options.companion)
    if options.check:
        if OUT.read_text() != text:
            print(f"{OUT} is stale: run python scripts/extract_emulator_schema.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text)
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
