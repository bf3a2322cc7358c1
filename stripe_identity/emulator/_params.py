"""Params: decoded from the form body or the query string, then checked against the spec.

A GET reads the query string, a POST the body, a DELETE either (Stripe's SDKs send it in the query,
the spec describes a body). Whatever is wrong is refused with the spec's rules and Stripe's wording,
naming the ``param`` (see ``_validate``). ``expand`` is checked against what the route can expand.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from aiohttp import web

from .._encoding import FormDecodeError, decode_form
from ._context import call_of
from ._failures import APIFailure, invalid
from ._spec import SCHEMA
from ._validate import UNSET, validate

__all__ = ["check_expand", "form_text", "params_middleware"]

Next = Callable[[web.Request], Awaitable[web.StreamResponse]]


def form_text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise APIFailure(400, "The request body is not valid UTF-8.") from None


def _decoded(text: str) -> dict[str, Any]:
    try:
        return decode_form(text)
    except FormDecodeError as exc:
        raise invalid(exc.param or "body", str(exc)) from None


def _schema(spec_id: str, method: str) -> dict[str, Any]:
    operation = SCHEMA["operations"][spec_id]
    if method != "GET":
        body: dict[str, Any] = operation["body"]
        return body
    return {
        "type": "object",
        "properties": {
            name: spec["schema"]
            for name, spec in operation["parameters"].items()
            if spec["in"] == "query"
        },
    }


def check_expand(expand: Any, allowed: Iterable[str]) -> tuple[str, ...]:
    """The requested expansions, in order, each one checked against those the route offers."""
    if expand is None or expand is UNSET:
        return ()
    allowed = frozenset(allowed)
    for index, field in enumerate(expand):
        if field not in allowed:
            hint = ""
            if f"data.{field}" in allowed:
                hint = f" You may want to try expanding 'data.{field}' instead."
            raise invalid(f"expand[{index}]", f"This property cannot be expanded ({field}).{hint}")
    return tuple(expand)


def params_middleware() -> Any:
    @web.middleware
    async def params(request: web.Request, handler: Next) -> web.StreamResponse:
        call = call_of(request)
        route = call.route
        if route is not None and route.kind == "api" and route.spec_id is not None:
            query = request.raw_path.partition("?")[2]  # still escaped: decode_form unescapes
            if request.method == "POST":
                raw = _decoded(form_text(call.body))
            elif request.method == "DELETE":
                raw = {**_decoded(query), **_decoded(form_text(call.body))}
            else:
                raw = _decoded(query)
            call.raw_params = raw
            checked = validate(raw, _schema(route.spec_id, request.method))
            call.expand = check_expand(checked.pop("expand", None), route.expandable)
            call.params = checked
        return await handler(request)

    return params
