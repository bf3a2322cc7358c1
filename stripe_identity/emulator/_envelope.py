"""Every answer in Stripe's shape: the error envelope, ``Request-Id`` and the API's headers.

Whatever happens below it, the client gets JSON in Stripe's error envelope for what it got wrong (4xx),
a dropped connection when a fault asked for one, and, for a bug of ours, a 500 ``api_error`` that is
logged: never a traceback or an HTML error page. Under ``/v2/`` the envelope is v2's: ``type``,
``code`` and ``message`` only (v2 names a missing object ``not_found`` where v1 says
``resource_missing``). ``Stripe-Version`` names the version the request asked for, else the
emulator's own.
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

__all__ = [
    "envelope_middleware",
    "error_response",
    "json_response",
    "stripe_headers",
    "v2_error_body",
]

Next = Callable[[web.Request], Awaitable[web.StreamResponse]]


def stripe_headers(call: Call) -> dict[str, str]:
    """The headers Stripe puts on every API response (and, for a request acting for a connected
    account, ``Stripe-Account`` naming it, as Stripe answers)."""
    headers = {
        "Request-Id": call.request_id,
        "Stripe-Version": call.stripe_version or API_VERSION,
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


def v2_error_body(failure: APIFailure) -> dict[str, Any]:
    """An error in the v2 shape (a ``code`` only where the emulator knows Stripe's)."""
    error: dict[str, Any] = {"type": failure.type, "message": failure.message}
    if failure.code is not None:
        error["code"] = "not_found" if failure.code == "resource_missing" else failure.code
    return {"error": error}


def error_response(call: Call, failure: APIFailure) -> web.Response:
    shaped = v2_error_body(failure) if call.is_v2 else failure.body(call.request_id)
    return json_response(call, failure.status, orjson.dumps(shaped), dict(failure.headers))


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
