"""The request log: every request counted by operation and status, one log line each.

The outermost middleware, so it sees the final answer, whatever a later middleware decided. Lines go
to the ``stripe_identity.emulator`` logger at INFO (``stripe-identity emulator`` prints them on
stderr); they name the method, path, status, request id and time, never a key or a body.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from ._context import Call, start_call

__all__ = ["RequestLog", "logger"]

logger = logging.getLogger("stripe_identity.emulator")

Next = Callable[[web.Request], Awaitable[web.StreamResponse]]


class RequestLog:
    """Counters of what was asked and answered, and the middleware that keeps them."""

    def __init__(self) -> None:
        self.by_operation: Counter[str] = Counter()
        self.by_status: Counter[int] = Counter()

    def clear(self) -> None:
        self.by_operation.clear()
        self.by_status.clear()

    def stats(self) -> dict[str, Any]:
        return {
            "requests": sum(self.by_operation.values()),
            "by_operation": dict(sorted(self.by_operation.items())),
            "by_status": {str(k): v for k, v in sorted(self.by_status.items())},
        }

    def observe(self, call: Call, response: web.StreamResponse, seconds: float) -> None:
        """Count and log one API request's answer."""
        self.by_operation[call.operation] += 1
        status: int | str = "reset" if call.aborted else response.status
        if isinstance(status, int):
            self.by_status[status] += 1
        logger.info(
            "%s %s -> %s %s %.1fms",
            call.request.method,
            call.request.raw_path.partition("?")[0][:200],
            status,
            call.request_id,
            seconds * 1000,
        )

    def middleware(self, request_id: Callable[[], str]) -> Any:
        """The outermost middleware: it gives each request its ``Call`` (and a fresh
        ``request_id()``), then counts and logs the answer."""

        @web.middleware
        async def request_log(request: web.Request, handler: Next) -> web.StreamResponse:
            started = time.perf_counter()
            call = start_call(request, request_id())
            response = await handler(request)
            route = call.route
            if route is None or route.kind in ("api", "files"):
                self.observe(call, response, time.perf_counter() - started)
            return response

        return request_log
