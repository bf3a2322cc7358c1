"""The two base classes of every model, and the error object of error responses.

Two rules keep the models forward compatible with what Stripe ships next:

* enum-valued fields are typed ``Literal[...] | str``: the literals document today's values and help the
  type checker, while an unknown value is kept as the plain string Stripe sent;
* the JSON object each model was built from is kept, so fields this version does not know are still
  reachable through :attr:`StripeObject.extra_fields`.

Every model is ``@attrs.frozen(kw_only=True, slots=False, eq=False, repr=False)``: attrs writes its
``__init__``, and :class:`StripeObject` gives them all one ``__eq__``, ``__hash__`` and ``__repr__``,
with attrs' meaning (fields compared and shown as their ``eq`` and ``repr`` say, equal only to an
instance of the same class). attrs would compile those three for each of the forty-odd classes, at
import; a script that retrieves one session paid about 6 ms for them before its first request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import attrs

from .._response import ResponseMeta

__all__ = ["APIResource", "ErrorObject", "StripeObject"]

ErrorType = Literal["api_error", "card_error", "idempotency_error", "invalid_request_error"] | str


@attrs.frozen(kw_only=True, slots=False, eq=False, repr=False)
class StripeObject:
    """Base of every model: keeps the JSON object it was built from, outside equality."""

    _json: Mapping[str, Any] | None = attrs.field(default=None, eq=False, repr=False, alias="_json")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return _values(self) == _values(other)

    def __hash__(self) -> int:
        return hash((type(self), _values(self)))

    def __repr__(self) -> str:
        shown = _shape(type(self))[1]
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
        return f"{type(self).__qualname__.rsplit('>.', 1)[-1]}({fields})"

    @property
    def extra_fields(self) -> Mapping[str, Any]:
        """Fields of the JSON object that this version of the SDK does not model."""
        if not self._json:
            return {}
        known = _field_names(type(self))
        return {key: value for key, value in self._json.items() if key not in known}

    def __getitem__(self, name: str) -> Any:
        """``obj["status"]``: a field by name, as stripe-python's dict-like objects allow.

        Unknown fields Stripe sent are found too; a name that is neither raises ``KeyError``.
        """
        if isinstance(name, str) and not name.startswith("_") and name in _field_names(type(self)):
            return getattr(self, name)
        extra = self.extra_fields
        if name in extra:
            return extra[name]
        raise KeyError(name)

    def __contains__(self, name: object) -> bool:
        """``"status" in session``: whether ``obj[name]`` would find a field (stripe-python's ``in``)."""
        if not isinstance(name, str) or name.startswith("_"):
            return False
        return name in _field_names(type(self)) or name in self.extra_fields

    # A model is a record, not a collection: without this, Python would fall back to __getitem__
    # and probe obj[0], obj[1]... so list(obj) and dict(obj) would fail with a baffling KeyError: 0.
    # Iterating now raises "TypeError: 'VerificationSession' object is not iterable"; to_dict()
    # gives the mapping.
    __iter__ = None

    def to_dict(self) -> dict[str, Any]:
        """The object as plain JSON-compatible data, unknown fields included; a field the API left
        out stays out."""
        data: dict[str, Any] = dict(self.extra_fields)
        source = self._json
        for field in attrs.fields(type(self)):
            name = field.name
            if name.startswith("_"):
                continue
            value = getattr(self, name)
            if value is None and source is not None and name not in source:
                continue
            data[name] = _plain(value)
        return data


def _plain(value: Any) -> Any:
    if isinstance(value, StripeObject):
        return value.to_dict()
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    return value


@attrs.frozen(kw_only=True, slots=False, eq=False, repr=False)
class APIResource(StripeObject):
    """An object a client call returned: it also remembers the HTTP response that produced it."""

    _last_response: ResponseMeta | None = attrs.field(
        default=None, eq=False, repr=False, alias="_last_response"
    )

    @property
    def last_response(self) -> ResponseMeta:
        """Status, headers, ``Request-Id`` and idempotency key of the response behind this object.

        Every object a client call returns has one. An object nested in another (an expanded report,
        an event's ``data.object``) or built from a webhook payload has none, and reading it raises
        ``AttributeError`` (so ``getattr(obj, "last_response", None)`` tells the two apart).
        """
        meta = self._last_response
        if meta is None:
            raise AttributeError(
                f"this {type(self).__name__} was not returned by a client call (it came from a "
                "webhook or was nested in another object), so it has no last_response"
            )
        return meta


#: Per model class: the fields equality compares, and those ``repr`` shows (as attrs says of each).
_SHAPES: dict[type, tuple[tuple[str, ...], tuple[str, ...]]] = {}


def _shape(cls: type) -> tuple[tuple[str, ...], tuple[str, ...]]:
    shape = _SHAPES.get(cls)
    if shape is None:
        fields = attrs.fields(cls)
        shape = tuple(f.name for f in fields if f.eq), tuple(f.name for f in fields if f.repr)
        _SHAPES[cls] = shape
    return shape


def _values(obj: object) -> tuple[Any, ...]:
    return tuple(getattr(obj, name) for name in _shape(type(obj))[0])


_FIELD_NAMES: dict[type, frozenset[str]] = {}


def _field_names(cls: type) -> frozenset[str]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = frozenset(f.name for f in attrs.fields(cls) if not f.name.startswith("_"))
        _FIELD_NAMES[cls] = names
    return names


@attrs.frozen(kw_only=True, slots=False, eq=False, repr=False)
class ErrorObject(StripeObject):
    """The ``error`` member of an error response body (the typed form of ``StripeError.json_body``).

    v1 and v2 (``/v2/...``) errors share it: v2 sends ``type``, ``code``, ``message`` and sometimes
    ``user_message``, and may leave ``type`` out."""

    type: ErrorType | None = None
    code: str | None = None
    message: str | None = None
    param: str | None = None
    doc_url: str | None = None
    request_log_url: str | None = None
    advice_code: str | None = None
    decline_code: str | None = None
    network_advice_code: str | None = None
    network_decline_code: str | None = None
    payment_method_type: str | None = None
    charge: str | None = None
    user_message: str | None = None
