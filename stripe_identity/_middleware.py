"""The request pipeline: a chain of async middlewares ending in the transport, built in one place.

A middleware is any ``async (request, call_next) -> response`` callable. Every request a client sends
(typed calls, pages, ``raw_request``, downloads) goes through the one handler :func:`build_pipeline`
composes, outermost first::

    idempotency               a POST gets its Idempotency-Key, once, before any attempt
    operation middlewares     once per call, around all its attempts (a tracing span, say)
    retry                     up to 1 + max_retries attempts of what follows, with backoff
    pacing                    the client's rate limiter, once per attempt (when set)
    middlewares               once per attempt (logging, metrics, headers)
    transport                 one attempt on the wire

The chain is built once per client (and ``with_options`` view), so a call costs one plain function
call per link.
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
    "build_pipeline",
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


def build_pipeline(
    transport: Handler,
    *,
    retry: Middleware,
    pacing: Middleware | None = None,
    operation_middlewares: Sequence[Middleware] = (),
    middlewares: Sequence[Middleware] = (),
) -> Handler:
    """The client's one handler: the chain of the module's diagram around ``transport``."""
    chain: list[Middleware] = [idempotency_middleware, *operation_middlewares, retry]
    if pacing is not None:
        chain.append(pacing)
    chain.extend(middlewares)
    return build_chain(chain, transport)


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
