"""What changed between two extracts, in lines a reviewer reads: schemas and their properties added,
removed or changed (type, nullable, enum values, length, required), operations and their params."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

__all__ = ["describe_changes"]

_REF = "#/components/schemas/"
_FORM = "application/x-www-form-urlencoded"


def _shape(schema: Any) -> dict[str, Any]:
    """The facets of a schema worth reporting, as comparable values."""
    if not isinstance(schema, dict):
        return {"value": schema}
    shape: dict[str, Any] = {}
    if "$ref" in schema:
        shape["type"] = schema["$ref"].removeprefix(_REF)
    elif "anyOf" in schema:
        shape["type"] = " | ".join(_shape(option).get("type", "?") for option in schema["anyOf"])
    elif "type" in schema:
        item = schema.get("items")
        shape["type"] = f"array of {_shape(item).get('type', '?')}" if item else schema["type"]
    for facet in ("nullable", "maxLength", "format", "pattern"):
        if facet in schema:
            shape[facet] = schema[facet]
    if "enum" in schema:
        shape["enum"] = sorted(map(str, schema["enum"]))
    return shape


def _shown(shape: dict[str, Any]) -> str:
    parts = [str(shape.get("type", "?"))]
    if shape.get("nullable"):
        parts.append("nullable")
    if "enum" in shape:
        parts.append("enum " + ", ".join(shape["enum"]))
    if "maxLength" in shape:
        parts.append(f"maxLength {shape['maxLength']}")
    return "; ".join(parts)


def _changed(old: dict[str, Any], new: dict[str, Any]) -> str:
    bits = []
    for facet in sorted(set(old) | set(new)):
        before, after = old.get(facet), new.get(facet)
        if before == after:
            continue
        if facet == "enum":
            added = sorted(set(after or []) - set(before or []))
            removed = sorted(set(before or []) - set(after or []))
            bits += [f"enum +{v}" for v in added] + [f"enum -{v}" for v in removed]
        else:
            bits.append(f"{facet} {before!r} -> {after!r}")
    return ", ".join(bits)


def _fields(old: dict[str, Any], new: dict[str, Any], what: str) -> Iterator[str]:
    """Lines for the entries of two name -> schema tables."""
    for name in sorted(set(old) | set(new)):
        if name not in old:
            yield f"+ {what} `{name}`: {_shown(_shape(new[name]))}"
        elif name not in new:
            yield f"- {what} `{name}`"
        else:
            change = _changed(_shape(old[name]), _shape(new[name]))
            if change:
                yield f"~ {what} `{name}`: {change}"


def _schema_lines(old: dict[str, Any], new: dict[str, Any]) -> Iterator[str]:
    yield from _fields(old.get("properties", {}), new.get("properties", {}), "property")
    before, after = set(old.get("required", [])), set(new.get("required", []))
    for name in sorted(after - before):
        yield f"~ `{name}` is now always present (required)"
    for name in sorted(before - after):
        yield f"~ `{name}` is no longer always present (not required)"
    if old.get("x-stub") != new.get("x-stub"):
        yield "~ now a stub" if new.get("x-stub") else "~ no longer a stub: now part of the surface"


def _params(operation: dict[str, Any]) -> dict[str, Any]:
    """Every param of an operation: path and query params, and the form body's, nested by brackets."""
    params = {p["name"]: p.get("schema", {}) for p in operation.get("parameters", [])}
    body = operation.get("requestBody", {}).get("content", {}).get(_FORM, {}).get("schema", {})

    def walk(prefix: str, schema: dict[str, Any]) -> None:
        for name, sub in schema.get("properties", {}).items():
            key = f"{prefix}[{name}]" if prefix else name
            params[key] = sub
            walk(key, sub)

    walk("", body)
    return params


def _operations(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        f"{method.upper()} {path}": operation
        for path, methods in spec.get("paths", {}).items()
        for method, operation in methods.items()
    }


def _descriptions(node: Any, where: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict) and not node.get("x-stub"):  # a stub's text names the source only
        for key, value in node.items():
            if key == "description" and isinstance(value, str):
                yield where, value
            else:
                yield from _descriptions(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _descriptions(item, f"{where}/{index}")


def describe_changes(
    old: dict[str, Any], new: dict[str, Any], *, descriptions: bool = False
) -> list[str]:
    """The differences between two extracts, one line each (empty when there are none)."""
    lines: list[str] = []
    before, after = old.get("info", {}).get("version"), new.get("info", {}).get("version")
    if before != after:
        lines.append(f"API version: {before} -> {after}")
    old_schemas = old.get("components", {}).get("schemas", {})
    new_schemas = new.get("components", {}).get("schemas", {})
    for name in sorted(set(old_schemas) | set(new_schemas)):
        if name not in old_schemas:
            lines.append(f"+ schema {name}")
            lines += [f"    {line}" for line in _schema_lines({}, new_schemas[name])]
        elif name not in new_schemas:
            lines.append(f"- schema {name}")
        else:
            changes = list(_schema_lines(old_schemas[name], new_schemas[name]))
            if changes:
                lines.append(f"~ schema {name}")
                lines += [f"    {line}" for line in changes]
    old_ops, new_ops = _operations(old), _operations(new)
    for name in sorted(set(old_ops) | set(new_ops)):
        if name not in old_ops:
            lines.append(f"+ operation {name}")
        elif name not in new_ops:
            lines.append(f"- operation {name}")
        else:
            changes = list(_fields(_params(old_ops[name]), _params(new_ops[name]), "param"))
            if changes:
                lines.append(f"~ operation {name}")
                lines += [f"    {line}" for line in changes]
    old_text, new_text = dict(_descriptions(old)), dict(_descriptions(new))
    reworded = sorted(k for k in old_text.keys() & new_text.keys() if old_text[k] != new_text[k])
    if reworded and descriptions:
        lines += [f"~ description at {where}: {new_text[where]}" for where in reworded]
    elif reworded:
        lines.append(f"{len(reworded)} descriptions reworded (--descriptions lists them)")
    return lines
