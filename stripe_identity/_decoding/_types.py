"""What each field type of a model is, decided in one place.

Every decoder of this package (the compiled production hooks) and the strict oracle of the tests ask
:func:`classify` what a type annotation means, so the two can never read ``Optional``, an open enum or
an expandable field differently.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from typing import Any, Literal, Union, get_args, get_origin

import attrs

from .._models import ListObject, StripeObject

__all__ = ["Kind", "classify"]

_UNIONS = (Union, types.UnionType)

#: The kinds of field a model has, and how each is read from JSON:
#:
#: ``str``, ``int``, ``bool``
#:     that JSON type exactly (``True`` is not an ``int``). Enums are ``str``: ``values`` lists the
#:     documented ones and ``open`` says whether others are kept (``Literal[...] | str``).
#: ``str_map``, ``str_list``
#:     an object of strings (metadata), a list of strings (or of enum values).
#: ``model_list``
#:     a list of nested models (``inner``): the events of a v2 list page.
#: ``json_object``
#:     any JSON object, kept as a dict (an event's ``previous_attributes``).
#: ``model``
#:     a nested model (``inner``).
#: ``expandable``
#:     an id, or the whole object (``inner``) when the request expanded it.
#: ``model_or_json``
#:     the object ``inner`` when its ``object`` field names it, else plain JSON (an event's object).
#: ``list_object``
#:     a page of ``inner`` items.
KindName = Literal[
    "str",
    "int",
    "bool",
    "str_map",
    "str_list",
    "model_list",
    "json_object",
    "model",
    "expandable",
    "model_or_json",
    "list_object",
]


@attrs.frozen
class Kind:
    """What :func:`classify` makes of a type: its kind, whether ``None`` is allowed, and details."""

    name: KindName
    optional: bool = False
    inner: Any = None
    values: frozenset[str] = frozenset()
    open: bool = True


def classify(tp: Any) -> Kind:
    """The :class:`Kind` of a field annotated ``tp``; ``TypeError`` for a type no model may use."""
    optional = False
    if get_origin(tp) in _UNIONS and type(None) in get_args(tp):
        optional = True
        rest = tuple(a for a in get_args(tp) if a is not type(None))
        tp = rest[0] if len(rest) == 1 else Union[rest]  # noqa: UP007 - built at run time
    kind = _classify(tp)
    if kind is None:
        raise TypeError(f"no decoder for fields of type {tp!r}")
    return attrs.evolve(kind, optional=optional) if optional else kind


def _classify(tp: Any) -> Kind | None:
    if tp is str:
        return Kind("str")
    if tp is int:
        return Kind("int")
    if tp is bool:
        return Kind("bool")
    enum = _enum_values(tp)
    if enum is not None:
        values, is_open = enum
        return Kind("str", values=values, open=is_open)
    if tp == Mapping[str, str]:
        return Kind("str_map")
    if tp in (Mapping[str, Any], dict[str, Any]):
        return Kind("json_object")
    if get_origin(tp) is list:
        (item,) = get_args(tp)
        if _is_model(item):
            return Kind("model_list", inner=item)
        if classify(item).name == "str":
            return Kind("str_list", inner=item)
        return None
    if _is_model(tp):
        return Kind("model", inner=tp)
    if get_origin(tp) is ListObject:
        return Kind("list_object", inner=get_args(tp)[0])
    if get_origin(tp) in _UNIONS:
        args = get_args(tp)
        models = [a for a in args if _is_model(a)]
        if len(models) == 1 and len(args) == 2:
            (other,) = [a for a in args if a is not models[0]]
            if other is str:
                return Kind("expandable", inner=models[0])
            if other in (dict[str, Any], Mapping[str, Any]):
                return Kind("model_or_json", inner=models[0])
    return None


def _enum_values(tp: Any) -> tuple[frozenset[str], bool] | None:
    """For ``Literal[...]`` or ``Literal[...] | str``: (the values, whether other strings are kept)."""
    if get_origin(tp) is Literal:
        return frozenset(get_args(tp)), False
    if get_origin(tp) in _UNIONS:
        args = get_args(tp)
        literals = [a for a in args if get_origin(a) is Literal]
        if literals and [a for a in args if a not in literals] == [str]:
            return frozenset(v for literal in literals for v in get_args(literal)), True
    return None


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, StripeObject) and tp is not ListObject
