"""Request validation driven by the spec's own parameter schemas (``_schema.json``).

Input is what :func:`stripe_identity._encoding.decode_form` produced: strings, dicts and lists. Output
is the same tree with the spec's types applied (integers, booleans, real lists), or an
:class:`APIFailure` naming the offending ``param`` in Stripe's bracket notation. ``""`` follows
Stripe's rule: it unsets what may be unset (``metadata``, ``options[document]``, optional strings)
and is refused everywhere else.
"""

from __future__ import annotations

import re
from typing import Any

from .._encoding import indexed_list
from ._failures import APIFailure, invalid, invalid_empty, invalid_value, missing, unknown_params

__all__ = ["UNSET", "validate"]

_INTEGER = re.compile(r"-?[0-9]+\Z")


class _Unset:
    """An empty string that unset something (distinct from a param that was never sent)."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


def _name(path: str, key: str | int) -> str:
    return f"{path}[{key}]" if path else str(key)


def validate(params: dict[str, Any], schema: dict[str, Any], path: str = "") -> dict[str, Any]:
    """Check an object of params against an object schema; returns the typed params."""
    return _object(params, schema, path)


def _object(value: Any, schema: dict[str, Any], path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise invalid(path, f"Invalid object: {path} must be a hash of parameters")
    properties: dict[str, Any] = schema.get("properties", {})
    unknown = [_name(path, key) for key in value if key not in properties]
    if unknown:
        raise unknown_params(unknown)
    for required in schema.get("required", []):
        if required not in value:
            raise missing(_name(path, required))
        if value[required] == "":
            raise invalid_empty(_name(path, required))
    return {key: _value(item, properties[key], _name(path, key)) for key, item in value.items()}


def _value(value: Any, schema: dict[str, Any], path: str) -> Any:
    if "anyOf" in schema:
        return _any_of(value, schema["anyOf"], path)
    kind = schema.get("type")
    if kind == "object":
        if "additionalProperties" in schema:
            return _map(value, schema["additionalProperties"], path)
        if value == "":
            raise invalid_empty(path)
        return _object(value, schema, path)
    if kind == "array":
        return _array(value, schema["items"], path)
    if isinstance(value, (dict, list)):
        raise invalid(path, f"Invalid {kind or 'value'}: {path} must be a single value")
    if kind == "string":
        return _string(value, schema, path)
    if kind == "integer":
        if value == "":
            raise invalid_empty(path)
        if not _INTEGER.match(value) or len(value) > 19:
            raise invalid_value(path, "integer", value, code="parameter_invalid_integer")
        return int(value)
    if kind == "boolean":
        if value == "":
            raise invalid_empty(path)
        if value not in ("true", "false"):
            raise invalid_value(path, "boolean", value)
        return value == "true"
    raise APIFailure(500, f"the emulator cannot validate a {kind!r} parameter", type_="api_error")


def _string(value: str, schema: dict[str, Any], path: str) -> Any:
    enum = schema.get("enum")
    if value == "":
        if enum is not None:
            raise invalid_empty(path)
        return UNSET
    if enum is not None and value not in enum:
        last = f", or {enum[-1]}" if len(enum) > 2 else f" or {enum[-1]}"
        choices = ", ".join(enum[:-1]) + last if len(enum) > 1 else enum[0]
        raise invalid(path, f"Invalid {path}: must be one of {choices}")
    limit = schema.get("maxLength")
    if limit is not None and len(value) > limit:
        raise invalid(path, f"Invalid string: {value[:20]}...; must be at most {limit} characters")
    return value


def _map(value: Any, items: dict[str, Any], path: str) -> Any:
    if value == "":
        return UNSET
    if not isinstance(value, dict):
        raise invalid(path, f"Invalid hash: {path} must be a hash of keys and values")
    out: dict[str, Any] = {}
    for key, item in value.items():
        if isinstance(item, (dict, list)):
            raise invalid(_name(path, key), f"Invalid value for {_name(path, key)}: must be a string")
        out[key] = UNSET if item == "" else _value(item, items, _name(path, key))
    return out


def _array(value: Any, items: dict[str, Any], path: str) -> list[Any]:
    elements = indexed_list(value)
    if elements is None:
        raise invalid(path, f"Invalid array: {path} must be a list of values")
    out = []
    for index, item in enumerate(elements):
        if item == "":  # an array element cannot be "unset"
            raise invalid_empty(_name(path, index))
        out.append(_value(item, items, _name(path, index)))
    return out


def _any_of(value: Any, options: list[dict[str, Any]], path: str) -> Any:
    if value == "" and any(option.get("enum") == [""] for option in options):
        return UNSET
    if isinstance(value, str) and any(value in option.get("enum", ()) for option in options):
        return value  # a keyword among numbers, like file links' ``expires_at=now``
    by_type = {option.get("type"): option for option in options if option.get("enum") != [""]}
    if isinstance(value, dict) and "object" in by_type:
        return _value(value, by_type["object"], path)
    if isinstance(value, str) and "integer" in by_type:
        return _value(value, by_type["integer"], path)
    if isinstance(value, str) and "string" in by_type:
        return _value(value, by_type["string"], path)
    if "object" in by_type:
        return _value(value, by_type["object"], path)
    raise invalid(path, f"Invalid value for {path}")
