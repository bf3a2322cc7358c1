"""Every answer in Stripe's shape: the error envelope, ``Request-Id`` and the API's headers.

Whatever happens below it, the client gets JSON in Stripe's error envelope for what it got wrong (4xx),
a dropped connection when a fault asked for one, and, for a bug of ours, a 500 ``api_error`` that is
logged: never a traceback or an HTML error page.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from aiohttp import web

from ._context import Call, call_of
from ._failures import APIFailure, ConnectionReset
from ._log import logger
from ._spec import API_VERSION

__all__ = ["envelope_middleware", "error_response", "json_response", "stripe_headers"]

Next = Callable[[web.Request], Awaitable[web.StreamResponse]]


def stripe_headers(call: Call) -> dict[str, str]:
    """The headers Stripe puts on every API response (and, for a request acting for a connected
    account, ``Stripe-Account`` naming it, as Stripe answers)."""
    headers = {
        "Request-Id": call.request_id,
        "Stripe-Version": API_VERSION,
        "Cache-Control": "no-cache, no-store",
    }
    if call.account is not None:
        headers["Stripe-Account"] = call.account
    return headers


def json_response(
    call: Call, status: int, body: bytes, extra: dict[str, str] | None = None
) -> web.Response:
    headers = stripe_headers(call)
    if extra:
        headers.update(extra)
    return web.Response(status=status, body=body, headers=headers, content_type="application/json")


def error_response(call: Call, failure: APIFailure) -> web.Response:
    body = orjson.dumps(failure.body(call.request_id))
    return json_response(call, failure.status, body, dict(failure.headers))


def envelope_middleware() -> Any:
    @web.middleware
    async def envelope(request: web.Request, handler: Next) -> web.StreamResponse:
        call = call_of(request)
        try:
            return await handler(request)
        except APIFailure as failure:
            return error_response(call, failure)
        except ConnectionReset:
            call.aborted = True
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=500)  # never written: the connection is gone
        except (asyncio.CancelledError, KeyboardInterrupt, SystemExit):
            raise
        except Exception:  # a bug of ours: still answer in Stripe's shape
            logger.exception("emulator error on %s %s", request.method, request.path)
            bug = APIFailure(500, "An unknown error occurred", type_="api_error")
            return error_response(call, bug)

    return envelope
