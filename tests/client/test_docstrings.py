"""Every public name says what it is: `help(si.X)` answers without reading the source."""

from __future__ import annotations

import inspect
import typing
from types import ModuleType

import pytest

import stripe_identity as si
import stripe_identity.emulator
import stripe_identity.redis
import stripe_identity.testing
import stripe_identity.webhooks

MODULES = [
    si,
    stripe_identity.emulator,
    stripe_identity.redis,
    stripe_identity.testing,
    stripe_identity.webhooks,
]


def _own_doc(obj: object) -> str | None:
    if isinstance(obj, type):
        doc = obj.__dict__.get("__doc__")  # not one inherited from a base class
        return doc if isinstance(doc, str) else None
    return inspect.getdoc(obj)


def _is_value(obj: object) -> bool:
    """A constant or a type alias: it cannot carry a docstring of its own."""
    if typing.get_origin(obj) is not None:  # Handler = Callable[[Request], Awaitable[Response]]
        return True
    return not (isinstance(obj, (type, ModuleType)) or callable(obj))


def _public_names() -> list[tuple[ModuleType, str]]:
    return [(module, name) for module in MODULES for name in module.__all__]


@pytest.mark.parametrize(
    ("module", "name"), _public_names(), ids=[f"{m.__name__}.{n}" for m, n in _public_names()]
)
def test_every_public_name_is_documented(module: ModuleType, name: str) -> None:
    obj = getattr(module, name)
    if _is_value(obj):
        # Constants and aliases are documented in their module's docstring.
        assert f"``{name}``" in (module.__doc__ or ""), f"{module.__name__}.{name} is not documented"
        return
    doc = _own_doc(obj)
    assert doc and doc.strip(), f"{module.__name__}.{name} has no docstring"


def test_every_public_method_and_property_is_documented() -> None:
    missing = []
    for module, name in _public_names():
        cls = getattr(module, name)
        if not isinstance(cls, type):
            continue
        for attr, value in vars(cls).items():
            if attr.startswith("_"):
                continue
            func = value
            if isinstance(value, property):
                func = value.fget
            elif isinstance(value, (staticmethod, classmethod)):
                func = value.__func__
            elif not inspect.isroutine(value) and not hasattr(value, "func"):
                continue  # attrs fields and nested classes: described by the class docstring
            func = getattr(func, "func", func)  # functools.cached_property
            if not (getattr(func, "__doc__", None) or "").strip():
                missing.append(f"{module.__name__}.{name}.{attr}")
    assert missing == []
