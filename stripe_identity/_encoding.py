"""Stripe's flavour of ``application/x-www-form-urlencoded``, both ways.

Encoding (what the SDK sends):

* nested mappings become ``a[b][c]=v``; keys are emitted sorted, so a mapping and the equivalent params
  class put the same bytes on the wire whatever order they were written in;
* sequences are always indexed, ``a[0]=x``, including ``expand``;
* ``True``/``False`` become ``true``/``false``; ``None`` is left out; ``""`` is sent as an empty value,
  which is how Stripe spells "unset this";
* attrs instances (the params classes) encode like the mapping of their non-``None`` fields;
* an aware ``datetime`` becomes unix seconds (a naive one is refused: its offset from UTC is a guess),
  an ``Enum`` its value, and a model (a session, a file...) its ``id``, never its fields: a model
  carries personal data that has no place in a request body.

Like Stripe, the decoder reads brackets as nesting even when they arrive percent-escaped, so names
that contain brackets (a metadata key ``"a[b]"``) cannot be sent and the encoder refuses them.

Decoding (what the emulator and the tests read) is schema-free: every bracket level becomes a ``dict``,
``a[]=x`` appends to a list, and indexed arrays come back as dicts keyed ``"0"``, ``"1"`` ...; only a
validator that knows the schema can tell an array from a hash with numeric keys (``metadata[0]``), so
:func:`indexed_list` is left to it.
"""

from __future__ import annotations

import calendar
import datetime
import math
import re
from collections.abc import Mapping, Sequence
from enum import Enum
from typing import Any
from urllib.parse import parse_qsl, quote_plus

import attrs

from ._models._base import StripeObject

__all__ = [
    "FormDecodeError",
    "decode_form",
    "encode_form",
    "indexed_list",
]


class FormDecodeError(ValueError):
    """A form body whose keys cannot be read as one nested object."""

    def __init__(self, message: str, param: str) -> None:
        super().__init__(message)
        self.param = param


_ATTRS_FIELDS: dict[type, tuple[str, ...]] = {}
_SAFE = re.compile(r"[A-Za-z0-9_.~-]*").fullmatch  # what quote_plus leaves as it is
#: Quoted param names. Names repeat on every call (``metadata``, ``type``...): quote each once.
_NAMES: dict[str, str] = {}
_NAMES_MAX = 4096


def _attrs_items(obj: Any) -> list[tuple[str, Any]]:
    cls = type(obj)
    names = _ATTRS_FIELDS.get(cls)
    if names is None:
        names = tuple(sorted(f.name for f in attrs.fields(cls)))
        _ATTRS_FIELDS[cls] = names
    return [(name, getattr(obj, name)) for name in names]


def _quote(text: str, key: str) -> str:
    if _SAFE(text) is not None:
        return text
    try:
        return quote_plus(text)
    except UnicodeEncodeError:
        raise ValueError(f"cannot encode {key!r}: the text is not valid Unicode") from None


def _name(name: Any, parent: str) -> str:
    quoted: str | None = _NAMES.get(name)
    if quoted is not None:
        return quoted
    where = f" in {parent!r}" if parent else ""
    if not isinstance(name, str):
        raise TypeError(f"param names must be strings, got {name!r}{where}")
    if "[" in name or "]" in name:
        # Stripe reads brackets as nesting even when they are percent-escaped.
        raise ValueError(f"param names cannot contain '[' or ']': {name!r}{where}")
    try:
        quoted = quote_plus(name)
    except UnicodeEncodeError:
        raise ValueError(f"param name {name!r}{where} is not valid Unicode") from None
    if len(_NAMES) >= _NAMES_MAX:
        _NAMES.clear()
    _NAMES[name] = quoted
    return quoted


def _items(value: Any, prefix: str) -> list[tuple[Any, Any]] | None:
    """The (name, value) pairs of a mapping or params class, sorted; ``None`` for anything else."""
    if value.__class__ is dict or isinstance(value, Mapping):
        try:
            return sorted(value.items(), key=_first)
        except TypeError:
            names = [k for k in value if not isinstance(k, str)]
            raise TypeError(f"param names must be strings, got {names[0]!r} in {prefix!r}") from None
    if attrs.has(value.__class__) and not isinstance(value, StripeObject):
        return _attrs_items(value)
    return None


def _first(item: tuple[Any, Any]) -> Any:
    return item[0]


def _scalar(value: Any, key: str) -> str:
    if isinstance(value, Enum):
        return _scalar(value.value, key)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TypeError(f"cannot encode {value!r} for {key!r}: not a finite number")
        return repr(value)
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, str):
        return _quote(str(value), key)
    if isinstance(value, datetime.datetime):
        if value.utcoffset() is None:
            raise TypeError(
                f"cannot encode a naive datetime for {key!r}: give it a time zone "
                "(datetime.now(timezone.utc), say) or pass unix seconds"
            )
        return str(calendar.timegm(value.utctimetuple()))
    if isinstance(value, datetime.date):
        raise TypeError(
            f"cannot encode a date for {key!r}: Stripe takes instants, so pass an aware datetime "
            "or unix seconds"
        )
    if isinstance(value, StripeObject):
        object_id = getattr(value, "id", None)
        if isinstance(object_id, str):
            return _quote(object_id, key)
        raise TypeError(f"cannot encode a {type(value).__name__} for {key!r}: it has no id")
    raise TypeError(f"cannot encode a {type(value).__name__} for {key!r}")


def _emit(out: list[str], prefix: str, value: Any) -> None:
    cls = value.__class__
    if cls is str:
        out.append(f"{prefix}={_quote(value, prefix)}")
    elif cls is bool:
        out.append(prefix + ("=true" if value else "=false"))
    elif cls is int:
        out.append(f"{prefix}={value}")
    elif cls is list or cls is tuple:
        for index, item in enumerate(value):
            if item is not None:
                _emit(out, f"{prefix}[{index}]", item)
    else:
        items = _items(value, prefix)
        if items is None:
            out.append(f"{prefix}={_scalar(value, prefix)}")
            return
        for name, item in items:
            if item is not None:
                _emit(out, f"{prefix}[{_name(name, prefix)}]", item)


def encode_form(params: Mapping[str, Any] | Any | None) -> str:
    """Encode params (a mapping or a params class instance) as a Stripe form string."""
    if params is None:
        return ""
    items = _items(params, "")
    if items is None:
        raise TypeError(f"params must be a mapping or a params class, not {type(params).__name__}")
    out: list[str] = []
    for name, value in items:
        if value is not None:
            _emit(out, _name(name, ""), value)
    return "&".join(out)


def _split_key(key: str) -> list[str] | None:
    """``a[b][]`` -> ``["a", "b", ""]``; ``None`` when the brackets do not pair up."""
    head, bracket, rest = key.partition("[")
    if not bracket:
        return [key] if "]" not in key else None
    if not head or "]" in head:
        return None
    parts = [head]
    rest = "[" + rest
    while rest:
        if rest[0] != "[":
            return None
        end = rest.find("]")
        if end < 0:
            return None
        inner = rest[1:end]
        if "[" in inner:
            return None
        parts.append(inner)
        rest = rest[end + 1 :]
    return parts


def _path_name(parts: Sequence[str]) -> str:
    return parts[0] + "".join(f"[{p}]" for p in parts[1:])


def decode_form(text: str) -> dict[str, Any]:
    """Decode a Stripe form string into nested dicts, lists (``a[]=``) and strings.

    Raises :class:`FormDecodeError` (naming the offending param) for keys whose brackets do not pair
    up or that use one name both as a value and as an object.
    """
    result: dict[str, Any] = {}
    try:
        pairs = parse_qsl(text, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise FormDecodeError("The request contains percent-escapes that are not UTF-8", "") from None
    for raw_key, value in pairs:
        parts = _split_key(raw_key)
        if parts is None:
            raise FormDecodeError(f"Invalid parameter name: {raw_key}", raw_key)
        node: Any = result
        for depth, part in enumerate(parts[:-1]):
            nxt = parts[depth + 1]
            if isinstance(node, list):
                raise FormDecodeError(
                    f"Invalid array: {_path_name(parts[: depth + 1])}", _path_name(parts[:depth])
                )
            want_list = nxt == ""
            child = node.get(part)
            if child is None:
                child = [] if want_list else {}
                node[part] = child
            elif want_list != isinstance(child, list) or isinstance(child, str):
                raise FormDecodeError(
                    f"Conflicting values for {_path_name(parts[: depth + 1])}",
                    _path_name(parts[: depth + 1]),
                )
            node = child
        last = parts[-1]
        if isinstance(node, list):
            node.append(value)
        elif isinstance(node.get(last), (dict, list)):
            raise FormDecodeError(f"Conflicting values for {_path_name(parts)}", _path_name(parts))
        else:
            node[last] = value
    return result


def indexed_list(value: Any) -> list[Any] | None:
    """``{"0": a, "1": b}`` (or a list) as ``[a, b]``; ``None`` if it is not a dense array."""
    if isinstance(value, list):
        return value
    if not isinstance(value, dict):
        return None
    try:
        indexes = sorted((int(k), k) for k in value)
    except ValueError:
        return None
    if [i for i, _ in indexes] != list(range(len(indexes))):
        return None
    if any(k != str(i) for i, k in indexes):
        return None
    return [value[k] for _, k in indexes]
