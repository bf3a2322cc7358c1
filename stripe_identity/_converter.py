"""The one cattrs converter that turns decoded JSON into models (and models back into JSON).

Production structuring is lenient on purpose: Stripe adds fields and enum values without a new API
version, and an SDK that raises on them breaks working integrations. Unknown keys are ignored (and stay
reachable through ``extra_fields``); unknown enum values are kept as strings. Values of the wrong JSON
type are still refused, because a model that lies about its types is worse than a clear error.

``make_converter(strict=True)`` is the opposite: every key must be modelled and every enum value known.
Tests use it to prove the models cover the spec's example objects.

The production converter's model hooks are compiled by ``_compiled`` (they are the hot path of every
response); the strict converter keeps cattrs' own generated hooks, and a property test holds the two to
the same results.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping
from typing import Any, Literal, Union, get_args, get_origin

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn

from ._compiled import compile_structure
from ._models import APIResource, Event, ListObject, StripeObject, VerificationSession
from ._models._events import EventObject

__all__ = ["converter", "make_converter", "unstructure"]


_UNION_TYPES = (Union, types.UnionType)
_IDENTITY_EVENT = "identity.verification_session."


def _expect(kind: type) -> Callable[[Any, Any], Any]:
    def hook(value: Any, _: Any) -> Any:
        # ``bool`` is a subclass of ``int``; JSON keeps them apart and so do we.
        if value.__class__ is kind:
            return value
        raise TypeError(f"expected {kind.__name__}, got {type(value).__name__}")

    return hook


def _literal_values(tp: Any) -> tuple[frozenset[str], bool] | None:
    """For ``Literal[...]`` or ``Literal[...] | str``: (the literal values, whether ``str`` is open)."""
    if get_origin(tp) is Literal:
        return frozenset(get_args(tp)), False
    if get_origin(tp) in _UNION_TYPES:
        args = get_args(tp)
        literals = [a for a in args if get_origin(a) is Literal]
        rest = [a for a in args if get_origin(a) is not Literal]
        if literals and rest == [str]:
            return frozenset(v for lit in literals for v in get_args(lit)), True
    return None


def _is_open_enum(tp: Any) -> bool:
    return _literal_values(tp) is not None


def _is_optional(tp: Any) -> bool:
    return get_origin(tp) in _UNION_TYPES and type(None) in get_args(tp)


def _expanded_type(tp: Any) -> type[StripeObject] | None:
    """For an expandable field (``str | Model``): the model; ``None`` for any other type."""
    if get_origin(tp) not in _UNION_TYPES:
        return None
    rest = [a for a in get_args(tp) if a is not str]
    if len(rest) != len(get_args(tp)) - 1 or len(rest) != 1:
        return None
    model = rest[0]
    return model if isinstance(model, type) and issubclass(model, StripeObject) else None


def _is_list_object(tp: Any) -> bool:
    return bool(get_origin(tp) is ListObject)


def _is_str_list(tp: Any) -> bool:
    return get_origin(tp) is list


def make_converter(*, strict: bool = False) -> cattrs.Converter:
    """Build a converter; ``strict`` refuses unknown keys and unknown enum values."""
    conv = cattrs.Converter(detailed_validation=strict, forbid_extra_keys=strict)
    check_str = _expect(str)
    conv.register_structure_hook(str, check_str)
    conv.register_structure_hook(int, _expect(int))
    conv.register_structure_hook(bool, _expect(bool))

    def open_enum_factory(tp: Any) -> Callable[[Any, Any], Any]:
        values, _open = _literal_values(tp)  # type: ignore[misc]
        if not strict:
            return check_str

        def known_only(value: Any, _: Any) -> Any:
            if value not in values:
                raise ValueError(f"{value!r} is not one of {sorted(values)}")
            return value

        return known_only

    def optional_factory(tp: Any) -> Callable[[Any, Any], Any]:
        rest = tuple(a for a in get_args(tp) if a is not type(None))
        inner: Any = rest[0] if len(rest) == 1 else Union[rest]  # noqa: UP007 - built at runtime
        inner_hook = conv.get_structure_hook(inner)

        def optional(value: Any, _: Any) -> Any:
            return None if value is None else inner_hook(value, inner)

        return optional

    def list_factory(tp: Any) -> Callable[[Any, Any], Any]:
        (item_type,) = get_args(tp)
        item_hook = conv.get_structure_hook(item_type)

        def structure_list(value: Any, _: Any) -> Any:
            if value.__class__ is not list:
                raise TypeError(f"expected a list, got {type(value).__name__}")
            return [item_hook(item, item_type) for item in value]

        return structure_list

    def str_mapping(value: Any, _: Any) -> Any:
        if value.__class__ is not dict or not all(v.__class__ is str for v in value.values()):
            raise TypeError("expected an object of strings")
        return value

    def expandable_factory(tp: Any) -> Callable[[Any, Any], Any]:
        model = _expanded_type(tp)
        # Looked up on first use: models can expand into each other (a file's links point back at
        # files), and building every hook up front would never end.
        hooks: list[Callable[[Any, Any], Any]] = []

        def id_or_object(value: Any, _: Any) -> Any:
            # An expandable field: an id by default, the whole object when expanded.
            if value.__class__ is str:
                return value
            if not hooks:
                hooks.append(conv.get_structure_hook(model))
            return hooks[0](value, model)

        return id_or_object

    def event_object(value: Any, _: Any) -> Any:
        # Identity events carry a typed session; any other event's object stays plain JSON.
        if value.__class__ is not dict:
            raise TypeError(f"expected an object, got {type(value).__name__}")
        if value.get("object") == "identity.verification_session":
            return conv.structure(value, VerificationSession)
        return value

    def model_factory(cls: type[StripeObject]) -> Callable[[Any, Any], Any]:
        if not strict:
            return compile_structure(cls, conv.get_structure_hook)
        generated = (
            make_dict_structure_fn(
                cls,
                conv,
                _json=cattrs.override(omit=True),
                _last_response=cattrs.override(omit=True),
            )
            if issubclass(cls, APIResource)
            else make_dict_structure_fn(cls, conv, _json=cattrs.override(omit=True))
        )
        set_json = object.__setattr__

        def structure_model(value: Any, tp: Any) -> Any:
            if value.__class__ is not dict:
                raise TypeError(f"expected an object for {cls.__name__}, got {type(value).__name__}")
            obj = generated(value, tp)
            set_json(obj, "_json", value)
            return obj

        return structure_model

    def list_object_factory(tp: Any) -> Callable[[Any, Any], Any]:
        (item_type,) = get_args(tp)
        item_hook = conv.get_structure_hook(item_type)
        check_bool = _expect(bool)

        def structure_list_object(value: Any, _: Any) -> Any:
            if value.__class__ is not dict or value.get("data").__class__ is not list:
                raise TypeError("expected a list object with a `data` array")
            return ListObject(
                data=[item_hook(item, item_type) for item in value["data"]],
                has_more=check_bool(value["has_more"], bool),
                url=check_str(value["url"], str),
                object=check_str(value.get("object", "list"), str),
                _json=value,
            )

        return structure_list_object

    # Order matters: cattrs consults the most recently registered factories first.
    conv.register_structure_hook_factory(_is_optional, optional_factory)
    conv.register_structure_hook_factory(_is_open_enum, open_enum_factory)
    conv.register_structure_hook_factory(_is_str_list, list_factory)
    conv.register_structure_hook_func(lambda tp: tp == Mapping[str, str], str_mapping)
    conv.register_structure_hook_factory(lambda tp: _expanded_type(tp) is not None, expandable_factory)
    conv.register_structure_hook_func(lambda tp: tp == EventObject, event_object)
    conv.register_structure_hook_factory(
        lambda tp: isinstance(tp, type) and issubclass(tp, StripeObject), model_factory
    )
    conv.register_structure_hook_factory(_is_list_object, list_object_factory)

    event_model = conv.get_structure_hook(Event)

    def structure_event(value: Any, tp: Any) -> Any:
        event = event_model(value, tp)
        # An Identity event's object is always a session: one that is not is malformed, not "other".
        if event.type.startswith(_IDENTITY_EVENT) and not isinstance(
            event.data.object, VerificationSession
        ):
            raise TypeError(f"the object of a {event.type} event is not a VerificationSession")
        return event

    conv.register_structure_hook(Event, structure_event)

    def unstructure_model(obj: StripeObject) -> dict[str, Any]:
        data: dict[str, Any] = dict(obj.extra_fields)
        for field in attrs.fields(type(obj)):
            if field.name.startswith("_"):
                continue
            value = getattr(obj, field.name)
            if value is None and field.name not in (obj._json or ()) and obj._json is not None:
                continue  # absent in the source object: keep it absent
            data[field.name] = conv.unstructure(value)
        return data

    conv.register_unstructure_hook_func(
        lambda tp: isinstance(tp, type) and issubclass(tp, StripeObject), unstructure_model
    )
    return conv


converter = make_converter()


def unstructure(obj: Any) -> Any:
    return converter.unstructure(obj)
