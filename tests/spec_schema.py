"""Validate emulator responses against the response schemas of the spec extracts' OpenAPI documents.

OpenAPI 3.0 schemas are turned into JSON Schema first: ``nullable`` becomes "or null" (the spec notes
that nullable enum fields legitimately hold ``null``), and ``$ref`` targets stay where they are.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

import jsonschema

from tests.fake_api import SPEC_DIR

SPEC: dict[str, Any] = json.loads((SPEC_DIR / "verification_session.openapi.json").read_text())
COMPANION: dict[str, Any] = json.loads((SPEC_DIR / "companion.openapi.json").read_text())
_SPECS = (SPEC, COMPANION)
#: The v2 namespace's answers (``/v2/core/events``): a JSON Schema of our own, with its sources.
V2: dict[str, Any] = json.loads((SPEC_DIR / "v2_core_events.schema.json").read_text())


def _convert(node: Any) -> Any:
    if isinstance(node, list):
        return [_convert(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: _convert(v) for k, v in node.items() if not k.startswith("x-")}
    if out.pop("nullable", False):
        return {"anyOf": [out, {"type": "null"}]}
    return out


@functools.cache
def _root() -> dict[str, Any]:
    # The two extracts share the error envelope; their other schema names are distinct.
    schemas = {**COMPANION["components"]["schemas"], **SPEC["components"]["schemas"]}
    return {"components": {"schemas": _convert(schemas)}}


def _operation(method: str, path: str) -> dict[str, Any] | None:
    for spec in _SPECS:
        for template, operations in spec["paths"].items():
            pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
            if re.match(pattern, path) and method.lower() in operations:
                op: dict[str, Any] = operations[method.lower()]
                return op
    return None


def schema_for(method: str, path: str, status: int) -> dict[str, Any] | None:
    op = _operation(method, path)
    if op is None:
        return None
    response = op["responses"]["200" if status == 200 else "default"]
    schema = response["content"]["application/json"]["schema"]
    return {**_root(), **_convert(schema)}


def _v2_schema(path: str, status: int) -> dict[str, Any]:
    if status != 200:
        name = "v2_error"
    elif re.fullmatch(r"/v2/core/events/[^/]+", path):
        name = "v2.core.event"
    else:
        name = "v2.core.event_list"
    return {"definitions": V2["definitions"], "$ref": f"#/definitions/{name}"}


def validate_response(method: str, path: str, status: int, body: bytes) -> None:
    """Raise ``jsonschema.ValidationError`` unless ``body`` fits the spec for this response."""
    document = json.loads(body)
    if path.startswith("/v2/"):
        jsonschema.validate(document, _v2_schema(path, status), cls=jsonschema.Draft7Validator)
        return
    schema = schema_for(method, path, status)
    if schema is None:
        # Routes outside the spec (unknown URLs) still answer in Stripe's error envelope.
        schema = {**_root(), "$ref": "#/components/schemas/error"}
    jsonschema.validate(document, schema, cls=jsonschema.Draft7Validator)
