"""Compiled structure hooks: the production converter's fast path for the models.

A response is checked whole when it arrives, and its nested objects are built when first read. For
each model class this module compiles four functions from its fields:

* ``check(o)`` walks the JSON object once and refuses any value of the wrong JSON type, nested
  objects included (through their own ``check``). A malformed response is therefore still an error
  of the call that received it, never of a later attribute read.
* ``shell(o)`` makes the instance from JSON already checked: the JSON object (``_json``) and the
  scalar fields (strings, numbers, bools, the metadata) go into its ``__dict__`` in one store.
* ``structure(o)`` is both, inlined: the converter's hook.
* ``fill(obj)`` builds the instance's other fields, below.

Every other field (a nested object, a list, an expandable id) is a :class:`_Lazy` attribute: the
first read of any of them builds them all (nested objects as shells in turn) into the instance's
``__dict__``, where later reads find them without calling anything. A handler that reads a session's
``id`` and ``status`` no longer builds its nine nested objects: bytes to model and ``.id`` took 12.5 µs
before and 6.6 µs now, interleaved in one process on the 2026-12-03 machine. The trade: a caller
that reads every field, nested ones included, pays about 3.4 µs more per session than before (the
nested JSON is walked twice, once to check it and once to build it).

Instances made by ``__init__`` (users, tests, the strict converter) hold every field from the
start, so the lazy attributes never run for them: equality, ``repr``, pickling and
``attrs.evolve`` see the same values either way. The strict converter's cattrs-generated hooks are
the reference the compiled ones are tested against (``tests/test_models.py``).
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
Check = Callable[[Any], None]
Build = Callable[[Any], Any]

#: The compiled (check, shell) of each compiled hook, so that a model nesting another can check
#: it without building it, and build its shell when the field is first read.
_PARTS: dict[Hook, tuple[Check, Build]] = {}

#: Fields every shell stores up front: the JSON object, and the response it came with (set by the
#: client on the objects it returns).
_STORED = ("_json", "_last_response")


class _Lazy:
    """A field built from the instance's JSON object when it, or any other lazy field, is first read.

    The first read of any lazy field of an instance builds all of them (``fill``, compiled per
    class) and stores them in its ``__dict__``: one call per object rather than one per field, and a
    nested shell costs less to build than a descriptor call does. It is a non-data descriptor, so
    once the values are in the instance Python finds them there and never calls this again.
    """

    __slots__ = ("fill", "name")

    def __init__(self, name: str, fill: Callable[[Any], None]) -> None:
        self.name = name
        self.fill = fill

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        self.fill(obj)
        return obj.__dict__[self.name]


#: The containers of strings checked inline: (the JSON type, how to reach the values, the error's
#: words).
_CONTAINERS = {
    "str_map": ("dict", ".values()", "an object of strings"),
    "str_list": ("list", "", "a list of strings"),
}


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
    if get_origin(tp) is list and _kind(get_args(tp)[0]) == ("str", False, get_args(tp)[0]):
        return "str_list", optional, tp
    if get_origin(tp) is Literal:
        return "str", optional, tp
    if get_origin(tp) in _UNION_TYPES:
        args = get_args(tp)
        # ``Literal[...] | str``: an open enum, any string goes (unknown values are kept).
        if str in args and all(a is str or get_origin(a) is Literal for a in args):
            return "str", optional, tp
    return "hook", optional, tp


def _hook_build(hook: Hook, tp: Any) -> Build:
    def build(value: Any) -> Any:
        return hook(value, tp)

    return build


def compile_structure(cls: type, hook_for: Callable[[Any], Hook]) -> Hook:
    """A structure hook for the attrs model ``cls``; ``hook_for(type)`` gives nested hooks.

    Installs the lazy attributes on ``cls`` (the same ones each time it is compiled).
    """
    hints = typing.get_type_hints(cls)
    namespace: dict[str, Any] = {"cls": cls, "new": object.__new__, "put": object.__setattr__}
    namespace["bad"] = _bad
    checks: list[str] = []
    # What a shell holds from the start: the JSON object, and every scalar field (a string, a
    # number, a bool, the metadata): the check has each in a local already, and a dict entry is
    # cheaper to store than a first read through a descriptor is to make.
    stored = ["'_json': o"]
    shell_stored = ["'_json': o"]
    # How each lazy field is built on the first read of any of them (never stored twice: a value
    # already there is the one callers may hold).
    fills = ["d = obj.__dict__", "o = d['_json']"]
    lazy: list[str] = []
    if any(f.name == "_last_response" for f in attrs.fields(cls)):
        stored.append("'_last_response': None")
        shell_stored.append("'_last_response': None")
    for index, field in enumerate(attrs.fields(cls)):
        name = field.name
        if name in _STORED:
            continue
        if isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
            raise TypeError(f"{cls.__name__}.{name}: a lazy field needs a plain default")
        kind, optional, inner = _kind(hints[name])
        required = field.default is attrs.NOTHING
        v = f"v{index}"
        if required:
            load = f"o[{name!r}]"
        else:
            namespace[f"default_{index}"] = field.default
            load = f"o.get({name!r}, default_{index})"
        checks.append(f"{v} = {load}")
        guard = f"{v} is not None and " if optional or not required else ""
        build: Build | None = None
        if kind == "hook":
            # None is handled inline, so the nested hook is the one for the inner type.
            hook = hook_for(inner)
            parts = _PARTS.get(hook)
            if parts is not None:
                # A nested model: checked now, its shell built when the field is first read.
                namespace[f"check_{index}"], build = parts
                call = f"check_{index}({v})"
            else:
                # Anything else (expandable ids, an event's object, a page of links): the hook
                # checks it now and builds it again on first read, from data known to be good.
                namespace[f"hook_{index}"] = hook
                namespace[f"type_{index}"] = inner
                build = _hook_build(hook, inner)
                call = f"hook_{index}({v}, type_{index})"
            checks.extend([f"if {v} is not None:", f"    {call}"] if guard else [call])
        elif kind in _CONTAINERS:
            # Inline rather than a hook: metadata is on every session, a list of document types on
            # most. A list is copied when read, as cattrs would build it: the model's list is not
            # the JSON's.
            container, values, expected = _CONTAINERS[kind]
            loop = [
                f"for x in {v}{values}:",
                "    if x.__class__ is not str:",
                f"        bad({name!r}, {expected!r}, x)",
            ]
            checks.append(f"if {guard}{v}.__class__ is not {container}:")
            checks.append(f"    bad({name!r}, {expected!r}, {v})")
            checks.extend([f"if {v} is not None:", *(f"    {x}" for x in loop)] if guard else loop)
            if kind == "str_list":
                build = list
        else:
            checks.append(f"if {guard}{v}.__class__ is not {kind}:")
            checks.append(f"    bad({name!r}, {kind!r}, {v})")
        if build is None:
            stored.append(f"{name!r}: {v}")
            shell_stored.append(f"{name!r}: {load}")
        else:
            namespace[f"build_{index}"] = build
            lazy.append(name)
            fills.append(f"if {name!r} not in d:")
            fills.append(f"    v = o.get({name!r}, {'None' if required else f'default_{index}'})")
            # setdefault, not a store: of two threads building the same field at once, the
            # first value stored is the one both (and every later reader) get.
            fills.append(f"    d.setdefault({name!r}, None if v is None else build_{index}(v))")

    head = ["if o.__class__ is not dict:", f"    bad({cls.__name__!r}, 'an object', o)"]
    source = "\n".join(
        [
            "def check(o):",
            *(f"    {line}" for line in head + checks),
            "def shell(o):",
            "    obj = new(cls)",
            f"    put(obj, '__dict__', {{{', '.join(shell_stored)}}})",
            "    return obj",
            "def structure(o, _=None):",
            *(f"    {line}" for line in head + checks),
            "    obj = new(cls)",
            f"    put(obj, '__dict__', {{{', '.join(stored)}}})",
            "    return obj",
            "def fill(obj):",
            *(f"    {line}" for line in fills),
        ]
    )
    code = compile(source, f"<stripe_identity compiled structure {cls.__name__}>", "exec")
    exec(code, namespace)
    for name in lazy:
        setattr(cls, name, _Lazy(name, namespace["fill"]))
    structure: Hook = namespace["structure"]
    _PARTS[structure] = (namespace["check"], namespace["shell"])
    return structure


def _bad(where: str, expected: str, value: Any) -> typing.NoReturn:
    raise TypeError(f"{where}: expected {expected}, got {type(value).__name__}")
