"""Compiled structure hooks: the production converter's fast path for the models.

cattrs' generated hooks call one function per field (and two for an optional one), then build the
object through its attrs ``__init__``. For a session that is about a hundred Python calls, most of
the SDK's own CPU per request. The hook compiled here does the same work inline: one type check per
scalar field, nested models through their own hooks, and the slots filled directly (the models are
frozen, so ``__init__`` would go through ``object.__setattr__`` anyway). It is registered on the one
cattrs converter, and the strict converter's cattrs-generated hooks are the reference it is tested
against (``tests/test_models.py``).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, Literal, Union, get_args, get_origin

import attrs

__all__ = ["compile_structure"]

_UNION_TYPES = (Union, types.UnionType)

Hook = Callable[[Any, Any], Any]


def _kind(tp: Any) -> tuple[str, bool, Any]:
    """(the check to inline, whether ``None`` is allowed, the type without ``None``)."""
    optional = False
    if get_origin(tp) in _UNION_TYPES and type(None) in get_args(tp):
        optional = True
        rest = tuple(a for a in get_args(tp) if a is not type(None))
        tp = rest[0] if len(rest) == 1 else Union[rest]  # noqa: UP007 - built at runtime
    if tp is str:
        return "str", optional, tp
    if tp is int:
        return "int", optional, tp
    if tp is bool:
        return "bool", optional, tp
    if tp == Mapping[str, str]:
        return "str_map", optional, tp
    if get_origin(tp) is Literal:
        return "str", optional, tp
    if get_origin(tp) in _UNION_TYPES:
        args = get_args(tp)
        # ``Literal[...] | str``: an open enum, any string goes (unknown values are kept).
        if str in args and all(a is str or get_origin(a) is Literal for a in args):
            return "str", optional, tp
    return "hook", optional, tp


def _slot_setter(cls: type, name: str) -> Callable[[Any, Any], None]:
    for klass in cls.__mro__:
        descriptor = klass.__dict__.get(name)
        if descriptor is not None and hasattr(descriptor, "__set__"):
            setter: Callable[[Any, Any], None] = descriptor.__set__
            return setter
    raise TypeError(f"{cls.__name__}.{name} is not a slot")


def compile_structure(cls: type, hook_for: Callable[[Any], Hook]) -> Hook:
    """A structure hook for the attrs model ``cls``; ``hook_for(type)`` gives nested hooks."""
    hints = typing.get_type_hints(cls)
    namespace: dict[str, Any] = {"cls": cls, "new": object.__new__, "bad": _bad}
    lines = [
        "def structure(o, _=None):",
        "    if o.__class__ is not dict:",
        f"        bad({cls.__name__!r}, 'an object', o)",
        "    obj = new(cls)",
    ]
    for index, field in enumerate(attrs.fields(cls)):
        name = field.name
        setter = f"set_{index}"
        namespace[setter] = _slot_setter(cls, name)
        if name == "_json":
            lines.append(f"    {setter}(obj, o)")
            continue
        if name == "_last_response":
            lines.append(f"    {setter}(obj, None)")
            continue
        kind, optional, inner = _kind(hints[name])
        required = field.default is attrs.NOTHING
        if required:
            lines.append(f"    v = o[{name!r}]")
        else:
            namespace[f"default_{index}"] = field.default
            lines.append(f"    v = o.get({name!r}, default_{index})")
        guard = "v is not None and " if optional or not required else ""
        if kind == "hook":
            # None is handled inline, so the nested hook is the one for the inner type.
            namespace[f"hook_{index}"] = hook_for(inner)
            namespace[f"type_{index}"] = inner
            if guard:
                lines.append("    if v is not None:")
                lines.append(f"        v = hook_{index}(v, type_{index})")
            else:
                lines.append(f"    v = hook_{index}(v, type_{index})")
        elif kind == "str_map":
            # Inline rather than a hook: metadata is on every session.
            lines.append(f"    if {guard}v.__class__ is not dict:")
            lines.append(f"        bad({name!r}, 'an object of strings', v)")
            if guard:
                lines.append("    if v is not None:")
                lines.append("        for x in v.values():")
                lines.append("            if x.__class__ is not str:")
                lines.append(f"                bad({name!r}, 'an object of strings', x)")
            else:
                lines.append("    for x in v.values():")
                lines.append("        if x.__class__ is not str:")
                lines.append(f"            bad({name!r}, 'an object of strings', x)")
        else:
            lines.append(f"    if {guard}v.__class__ is not {kind}:")
            lines.append(f"        bad({name!r}, {kind!r}, v)")
        lines.append(f"    {setter}(obj, v)")
    lines.append("    return obj")
    code = compile("\n".join(lines), f"<stripe_identity compiled structure {cls.__name__}>", "exec")
    exec(code, namespace)
    structure: Hook = namespace["structure"]
    return structure


def _bad(where: str, expected: str, value: Any) -> typing.NoReturn:
    raise TypeError(f"{where}: expected {expected}, got {type(value).__name__}")
