"""``ParamsClass``: a service's ``CreateParams`` (and friends), imported when first read.

``client.verification_sessions.CreateParams`` is the params class of that operation, as a class
attribute of the service. The params classes are many small attrs classes; a service names them
with this descriptor, so that a program that only retrieves, or passes plain dicts, does not build
them at start-up. The first read imports the class (from :mod:`stripe_identity._params`) and puts
it in place of the descriptor, so later reads are plain attribute reads.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar, cast

__all__ = ["ParamsClass"]

T = TypeVar("T")


class ParamsClass(Generic[T]):
    """A class attribute that is the params class named ``name``: declare it as
    ``CreateParams: ParamsClass[XCreateParams] = ParamsClass("XCreateParams")``."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._attribute = name

    def __set_name__(self, owner: type, attribute: str) -> None:
        self._attribute = attribute

    def __get__(self, obj: object, owner: type | None = None) -> type[T]:
        from .. import _params

        cls: Any = getattr(_params, self.name)
        if owner is not None:
            setattr(owner, self._attribute, cls)
        return cast("type[T]", cls)

    def __repr__(self) -> str:
        return f"ParamsClass({self.name!r})"
