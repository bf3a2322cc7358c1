"""Compiled decoders: JSON (as orjson parses it) to models, the one engine of the SDK.

A response is checked whole when it arrives, and its nested objects are built when first read. For
each model class this module compiles, from its fields' :class:`Kind`, three functions:

* ``check(o)`` walks the JSON object once and refuses any value of the wrong JSON type, nested
  objects included (through their own ``check``). A malformed response is therefore an error of the
  call that received it, never of a later attribute read.
* ``shell(o)`` makes the instance from JSON already checked: the JSON object (``_json``), the
  defaults of the other private fields, and the scalar fields (strings, numbers, bools, metadata) go
  into its ``__dict__`` in one store.
* ``structure(o)`` is both, inlined: the model's decoder.

Every other field (a nested object, a list, an expandable id) is a :class:`_Lazy` attribute: the
first read of any of them builds them all (nested objects as shells in turn) into the instance's
``__dict__``, where later reads find them without calling anything. A handler that reads a session's
``id`` and ``status`` never builds its nested objects; one that reads everything walks the nested
JSON twice (once to check it, once to build it).

Instances made by ``__init__`` hold every field from the start, so the lazy attributes never run for
them: equality, ``repr``, pickling and ``attrs.evolve`` see the same values either way. A model may
add a rule the types cannot say with a ``_decode_check(o)`` static method, called at the end of
``check`` (an Identity event must carry a session).
"""

from __future__ import annotations

import inspect
import sys
import typing
from collections.abc import Callable
from typing import Any, TypeVar, overload

import attrs

from .._models import ListObject
from ._types import Kind, classify

__all__ = ["decoder", "structure"]

T = TypeVar("T")
Decode = Callable[[Any], Any]
Check = Callable[[Any], None]


class Decoder:
    """How to read one type: ``structure`` for any type; for a model also ``check``, ``shell`` and
    ``fill``, so that a model nesting another can check it now and build it when first read.

    A model's functions are compiled one at a time, each when first asked for (compiling is most of
    what a program's first response costs): a session's ``structure`` with the ``check`` of each
    object it nests when a session is first decoded, their ``shell`` and ``fill`` when one of its
    nested fields is first read, and a nested model's own ``structure`` only if one is ever decoded
    on its own.
    """

    __slots__ = ("_model", "check", "fill", "shell", "structure")

    structure: Decode
    check: Check | None
    shell: Decode | None
    fill: Callable[[Any], None]

    def __init__(self, structure: Decode | None = None, model: _ModelSource | None = None) -> None:
        self._model = model
        if structure is not None:
            self.structure = structure
            self.check = self.shell = None

    def __getattr__(self, name: str) -> Any:
        # Reached only for a model function not compiled yet: its slot is still empty.
        model = self._model
        if model is None or name not in model.sources:
            raise AttributeError(name)
        function = model.compile(name)
        setattr(self, name, function)
        return function


class _ModelSource:
    """The source of a model's decoder functions, compiled into one namespace on demand."""

    __slots__ = ("namespace", "sources")

    def __init__(self, namespace: dict[str, Any], sources: dict[str, list[str]]) -> None:
        self.namespace = namespace
        self.sources = {name: "\n".join(lines) for name, lines in sources.items()}

    def compile(self, name: str) -> Any:
        where = f"<stripe_identity decoder of {self.namespace['cls'].__name__}: {name}>"
        exec(compile(self.sources[name], where, "exec"), self.namespace)
        return self.namespace[name]


#: Every decoder built so far, by type: the one cache.
_DECODERS: dict[Any, Decoder] = {}


def decoder(tp: Any) -> Decoder:
    """The decoder of ``tp`` (a model class, ``ListObject[Item]``...), compiled on first use."""
    found = _DECODERS.get(tp)
    if found is None:
        found = _DECODERS[tp] = _build(tp)
    return found


@overload
def structure(data: Any, tp: type[T]) -> T: ...
@overload
def structure(data: Any, tp: Any) -> Any: ...
def structure(data: Any, tp: Any) -> Any:
    """``data`` as a ``tp``; ``TypeError`` (or ``KeyError``) when it is not that shape."""
    return decoder(tp).structure(data)


def _build(tp: Any) -> Decoder:
    if isinstance(tp, type) and attrs.has(tp) and tp is not ListObject:
        return _compile_model(tp)
    kind = classify(tp)
    if kind.name == "list_object":
        return Decoder(_list_object(kind.inner))
    raise TypeError(f"no decoder for {tp!r} on its own")


class _Lazy:
    """A field built from the instance's JSON object when it, or any other lazy field, is first read.

    The first read of any lazy field of an instance builds all of them (``fill``, compiled per
    class) and stores them in its ``__dict__``: one call per object rather than one per field. It is
    a non-data descriptor, so once the values are in the instance Python finds them there and never
    calls this again.
    """

    __slots__ = ("decoder", "name")

    def __init__(self, name: str, decoder: Decoder) -> None:
        self.name = name
        self.decoder = decoder

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        self.decoder.fill(obj)
        return obj.__dict__[self.name]


#: The containers checked inline: (the JSON type, how to reach the values, the error's words).
_CONTAINERS = {
    "str_map": ("dict", ".values()", "an object of strings"),
    "str_list": ("list", "", "a list of strings"),
}
_SCALARS = ("str", "int", "bool", "json_object")


def _field_types(cls: type) -> dict[str, Any]:
    """The types of ``cls``'s public fields, as ``typing.get_type_hints`` reads them (the module's
    names, then the class's), with one ``eval`` per class rather than one per annotation."""
    found: dict[str, Any] = {}
    for base in reversed(cls.__mro__):
        annotations = {
            name: value
            for name, value in inspect.get_annotations(base).items()
            if not name.startswith("_")
        }
        texts = {name: value for name, value in annotations.items() if isinstance(value, str)}
        found.update(annotations)
        if texts:
            names = {**vars(base), **vars(sys.modules[base.__module__])}
            values = eval("(" + "".join(f"({text})," for text in texts.values()) + ")", names)
            found.update(zip(texts, values, strict=True))
    return found


def _compile_model(cls: type) -> Decoder:
    hints = _field_types(cls)
    namespace: dict[str, Any] = {"cls": cls, "new": object.__new__, "put": object.__setattr__}
    namespace["bad"] = _bad
    checks: list[str] = []
    # What a shell holds from the start: the JSON object, the private fields' defaults, and every
    # scalar field: the check has each in a local already, and a dict entry is cheaper to store
    # than a first read through a descriptor is to make.
    stored = ["'_json': o"]
    shell_stored = ["'_json': o"]
    # How each lazy field is built on the first read of any of them.
    fills = ["d = obj.__dict__", "o = d['_json']"]
    lazy: list[str] = []
    for index, field in enumerate(attrs.fields(cls)):
        name = field.name
        if isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
            raise TypeError(f"{cls.__name__}.{name}: a decoded field needs a plain default")
        if name.startswith("_"):  # not in the JSON: what the SDK keeps beside it
            if name != "_json":
                namespace[f"private_{index}"] = field.default
                stored.append(f"{name!r}: private_{index}")
                shell_stored.append(f"{name!r}: private_{index}")
            continue
        kind = classify(hints[name])
        required = field.default is attrs.NOTHING
        v = f"v{index}"
        if required:
            load = f"o[{name!r}]"
        else:
            namespace[f"default_{index}"] = field.default
            load = f"o.get({name!r}, default_{index})"
        checks.append(f"{v} = {load}")
        guard = f"{v} is not None and " if kind.optional or not required else ""
        build = _check_field(kind, name, v, guard, index, namespace, checks)
        if build is None:
            stored.append(f"{name!r}: {v}")
            shell_stored.append(f"{name!r}: {load}")
        else:
            namespace[f"build_{index}"] = build
            lazy.append(name)
            fills.append(f"if {name!r} not in d:")
            fills.append(f"    v = o.get({name!r}, {'None' if required else f'default_{index}'})")
            # setdefault, not a store: of two threads building the same field at once, the first
            # value stored is the one both (and every later reader) get.
            fills.append(f"    d.setdefault({name!r}, None if v is None else build_{index}(v))")
    if hasattr(cls, "_decode_check"):
        namespace["decode_check"] = cls._decode_check
        checks.append("decode_check(o)")
    head = ["if o.__class__ is not dict:", f"    bad({cls.__name__!r}, 'an object', o)"]
    sources = {
        "check": ["def check(o):", *(f"    {line}" for line in head + checks)],
        "shell": [
            "def shell(o):",
            "    obj = new(cls)",
            f"    put(obj, '__dict__', {{{', '.join(shell_stored)}}})",
            "    return obj",
        ],
        "structure": [
            "def structure(o):",
            *(f"    {line}" for line in head + checks),
            "    obj = new(cls)",
            f"    put(obj, '__dict__', {{{', '.join(stored)}}})",
            "    return obj",
        ],
        "fill": ["def fill(obj):", *(f"    {line}" for line in fills)],
    }
    found = Decoder(model=_ModelSource(namespace, sources))
    for name in lazy:
        setattr(cls, name, _Lazy(name, found))
    return found


def _check_field(
    kind: Kind, name: str, v: str, guard: str, index: int, namespace: dict[str, Any], checks: list[str]
) -> Decode | None:
    """Append the check of one field to ``checks``; return how to build it lazily, or ``None`` when
    the checked JSON value is the field's value as it is."""
    if kind.name in _SCALARS:
        json_type = "dict" if kind.name == "json_object" else kind.name
        checks.append(f"if {guard}{v}.__class__ is not {json_type}:")
        checks.append(f"    bad({name!r}, {json_type!r}, {v})")
        return None
    if kind.name in _CONTAINERS:
        # Inline rather than a decoder: metadata is on every session, a list of document types on
        # most. A list is copied when read: the model's list is not the JSON's.
        container, values, expected = _CONTAINERS[kind.name]
        loop = [
            f"for x in {v}{values}:",
            "    if x.__class__ is not str:",
            f"        bad({name!r}, {expected!r}, x)",
        ]
        checks.append(f"if {guard}{v}.__class__ is not {container}:")
        checks.append(f"    bad({name!r}, {expected!r}, {v})")
        checks.extend([f"if {v} is not None:", *(f"    {x}" for x in loop)] if guard else loop)
        return list if kind.name == "str_list" else None
    if kind.name == "model_list":
        # Nested models in a list: each checked now, their shells built when the field is first read.
        item = decoder(kind.inner)
        assert item.check is not None
        namespace[f"check_{index}"] = item.check
        loop = [f"for x in {v}:", f"    check_{index}(x)"]
        checks.append(f"if {guard}{v}.__class__ is not list:")
        checks.append(f"    bad({name!r}, 'a list', {v})")
        checks.extend([f"if {v} is not None:", *(f"    {x}" for x in loop)] if guard else loop)
        return lambda value: [_shell(item, x) for x in value]
    if kind.name == "model":
        # A nested model: checked now, its shell built when the field is first read.
        nested = decoder(kind.inner)
        assert nested.check is not None
        namespace[f"check_{index}"] = nested.check
        call = f"check_{index}({v})"
        build: Decode = lambda value: _shell(nested, value)  # noqa: E731
    else:
        # Expandable ids, an event's object, a page of links: decoded now to check them, and again
        # on first read, from data known to be good.
        build = _decode_of(kind)
        namespace[f"decode_{index}"] = build
        call = f"decode_{index}({v})"
    checks.extend([f"if {v} is not None:", f"    {call}"] if guard else [call])
    return build


def _shell(nested: Decoder, value: Any) -> Any:
    """A nested object's shell, on the first read of its field (its ``shell`` compiled then)."""
    shell = nested.shell
    assert shell is not None
    return shell(value)


def _decode_of(kind: Kind) -> Decode:
    if kind.name == "expandable":
        return _expandable(kind.inner)
    if kind.name == "model_or_json":
        return _model_or_json(kind.inner)
    if kind.name == "list_object":
        return _list_object(kind.inner)
    raise TypeError(f"no decoder for a {kind.name} field")


def _expandable(model: type) -> Decode:
    # The model's decoder is looked up on first use: models expand into each other (a file's links
    # point back at files), and compiling both up front would never end.
    found: list[Decode] = []

    def id_or_object(value: Any) -> Any:
        if value.__class__ is str:
            return value
        if not found:
            found.append(decoder(model).structure)
        return found[0](value)

    return id_or_object


def _model_or_json(model: type) -> Decode:
    # The model when the JSON names it in its `object` field (the model's one documented value).
    (object_name,) = classify(_field_types(model)["object"]).values
    structure_model = decoder(model).structure

    def model_or_json(value: Any) -> Any:
        if value.__class__ is not dict:
            _bad("object", "an object", value)
        if value.get("object") == object_name:
            return structure_model(value)
        return value

    return model_or_json


def _list_object(item: Any) -> Decode:
    structure_item = decoder(item).structure

    def list_object(value: Any) -> Any:
        if value.__class__ is not dict or value.get("data").__class__ is not list:
            _bad("list", "a list object with a `data` array", value)
        has_more, url = value["has_more"], value["url"]
        if has_more.__class__ is not bool or url.__class__ is not str:
            _bad("list", "has_more (a bool) and url (a string)", value)
        return ListObject(
            data=[structure_item(x) for x in value["data"]],
            has_more=has_more,
            url=url,
            object=value.get("object", "list"),
            _json=value,
        )

    return list_object


def _bad(where: str, expected: str, value: Any) -> typing.NoReturn:
    raise TypeError(f"{where}: expected {expected}, got {type(value).__name__}")
