"""The request pipeline: a chain of async middlewares ending in the transport.

A middleware is any ``async (request, call_next) -> response`` callable. The client composes, outermost
first::

    idempotency -> retry -> user middlewares (once per attempt) -> transport (one attempt)

The chain is built once per client, so a call costs one plain function call per link.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from ._response import Request, Response

__all__ = [
    "Handler",
    "Middleware",
    "build_chain",
    "give_idempotency_key",
    "idempotency_middleware",
]

Handler = Callable[[Request], Awaitable[Response]]


class Middleware(Protocol):
    """``async def middleware(request, call_next) -> Response``; call ``call_next`` at most once."""

    def __call__(self, request: Request, call_next: Handler, /) -> Awaitable[Response]: ...


def _link(middleware: Middleware, call_next: Handler) -> Handler:
    def handler(request: Request) -> Awaitable[Response]:
        return middleware(request, call_next)

    return handler


def build_chain(middlewares: Sequence[Middleware], terminal: Handler) -> Handler:
    """Compose ``middlewares`` (outermost first) around ``terminal``."""
    handler = terminal
    for middleware in reversed(middlewares):
        handler = _link(middleware, handler)
    return handler


def give_idempotency_key(request: Request) -> None:
    """A POST without an ``Idempotency-Key`` gets one (a UUID4); a key the caller chose stays."""
    if request.method == "POST" and "Idempotency-Key" not in request.headers:
        request.headers["Idempotency-Key"] = str(uuid.uuid4())


def idempotency_middleware(request: Request, call_next: Handler) -> Awaitable[Response]:
    """Give every POST one ``Idempotency-Key`` before its first attempt.

    It sits outside the retry middleware, so every retry of the call carries the same key and the API
    executes the POST at most once.
    """
    give_idempotency_key(request)
    return call_next(request)
