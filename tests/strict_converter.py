"""The strict oracle: a cattrs converter that refuses any key the models do not declare and any enum
value the spec does not list, anywhere in an object's tree.

Production decoding is lenient on purpose (Stripe adds fields and values without a new API version)
and compiled by ``stripe_identity._decoding``; this converter is the reference it is tested against,
and the proof that the models cover the spec's example objects. It reads field types through the same
``classify`` as the production decoders, so the two cannot disagree on what a type means.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import Any

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn

from stripe_identity._decoding._types import Kind, classify
from stripe_identity._models import ListObject, StripeObject

__all__ = ["make_strict_converter"]

Hook = Callable[[Any, Any], Any]


def make_strict_converter() -> cattrs.Converter:
    conv = cattrs.Converter(detailed_validation=True, forbid_extra_keys=True)

    def exactly(kind: type) -> Hook:
        def hook(value: Any, _: Any) -> Any:
            if value.__class__ is not kind:  # bool is an int to Python, not to JSON
                raise TypeError(f"expected {kind.__name__}, got {type(value).__name__}")
            return value

        return hook

    def field_hook(kind: Kind) -> Hook:
        inner = _inner_hook(conv, kind, exactly)
        if not kind.optional:
            return inner
        return lambda value, tp: None if value is None else inner(value, tp)

    def is_field_type(tp: Any) -> bool:
        if isinstance(tp, type) and attrs.has(tp):
            return False
        try:
            classify(tp)
        except TypeError:
            return False
        return True

    conv.register_structure_hook_factory(is_field_type, lambda tp: field_hook(classify(tp)))

    def model_factory(cls: type[StripeObject]) -> Hook:
        overrides = {
            f.name: cattrs.override(omit=True) for f in attrs.fields(cls) if f.name.startswith("_")
        }
        generated = make_dict_structure_fn(cls, conv, **overrides)  # type: ignore[arg-type]

        def structure_model(value: Any, tp: Any) -> Any:
            if value.__class__ is not dict:
                raise TypeError(f"expected an object for {cls.__name__}, got {type(value).__name__}")
            obj = generated(value, tp)
            object.__setattr__(obj, "_json", value)
            return obj

        return structure_model

    conv.register_structure_hook_factory(
        lambda tp: isinstance(tp, type) and attrs.has(tp) and tp is not ListObject, model_factory
    )
    return conv


def _inner_hook(conv: cattrs.Converter, kind: Kind, exactly: Callable[[type], Hook]) -> Hook:
    name = kind.name
    if name in ("int", "bool"):
        return exactly(int if name == "int" else bool)
    if name == "str":
        check = exactly(str)
        if not kind.values:
            return check

        def known(value: Any, tp: Any) -> Any:
            check(value, tp)
            if value not in kind.values:
                raise ValueError(f"{value!r} is not one of {sorted(kind.values)}")
            return value

        return known
    if name == "str_map":

        def str_map(value: Any, _: Any) -> Any:
            if value.__class__ is not dict or any(v.__class__ is not str for v in value.values()):
                raise TypeError("expected an object of strings")
            return value

        return str_map
    if name == "json_object":
        return exactly(dict)
    if name == "str_list":
        item = conv.get_structure_hook(kind.inner)

        def str_list(value: Any, _: Any) -> Any:
            if value.__class__ is not list:
                raise TypeError(f"expected a list, got {type(value).__name__}")
            return [item(x, kind.inner) for x in value]

        return str_list
    if name == "model_list":

        def model_list(value: Any, _: Any) -> Any:
            if value.__class__ is not list:
                raise TypeError(f"expected a list, got {type(value).__name__}")
            return [conv.structure(x, kind.inner) for x in value]

        return model_list
    if name == "model":
        return lambda value, _: conv.structure(value, kind.inner)
    if name == "expandable":
        return lambda value, _: value if value.__class__ is str else conv.structure(value, kind.inner)
    if name == "model_or_json":
        (object_name,) = classify(typing.get_type_hints(kind.inner)["object"]).values

        def model_or_json(value: Any, _: Any) -> Any:
            if value.__class__ is dict and value.get("object") == object_name:
                return conv.structure(value, kind.inner)
            return exactly(dict)(value, None)

        return model_or_json
    if name == "list_object":

        def list_object(value: Any, _: Any) -> Any:
            if value.__class__ is not dict or value.get("data").__class__ is not list:
                raise TypeError("expected a list object with a `data` array")
            return ListObject(
                data=[conv.structure(x, kind.inner) for x in value["data"]],
                has_more=exactly(bool)(value["has_more"], None),
                url=exactly(str)(value["url"], None),
                object=exactly(str)(value.get("object", "list"), None),
                _json=value,
            )

        return list_object
    raise TypeError(f"the oracle has no hook for {name}")
