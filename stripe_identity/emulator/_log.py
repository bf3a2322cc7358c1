"""The request log: every request counted by operation and status, one log line each, and the
latest requests kept for tests to read.

The outermost middleware, so it sees the final answer, whatever a later middleware decided. Lines go
to the ``stripe_identity.emulator`` logger at INFO (``stripe-identity emulator`` prints them on
stderr); they name the method, path, status, request id and time, never a key or a body.

The last :data:`KEPT` requests are also kept as entries (:meth:`RequestLog.entries`, what
``emu.requests()`` and ``GET /_emulator/requests`` answer): method, path, operation, status (``None``
when the connection was reset instead), request id, the ``Idempotency-Key`` sent, and whether the
answer was a replay from the idempotency store (the ``Idempotent-Replayed: true`` header it carried).
So a test can tell a POST that ran from one answered by replaying an earlier run of it.
"""

from __future__ import annotations

import logging
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from ._context import Call, start_call

__all__ = ["KEPT", "RequestLog", "logger"]

logger = logging.getLogger("stripe_identity.emulator")

Next = Callable[[web.Request], Awaitable[web.StreamResponse]]

#: How many of the latest requests the log keeps as entries (older ones are dropped, oldest first):
#: enough for a test or a benchmark of tens of thousands of requests, bounded for a long-lived server.
KEPT = 100_000

#: One kept request: method, path, operation, status, request id, idempotency key, replayed.
_Entry = tuple[str, str, str, int | None, str, str | None, bool]
_FIELDS = ("method", "path", "operation", "status", "request_id", "idempotency_key", "replayed")


class RequestLog:
    """Counters of what was asked and answered, and the middleware that keeps them."""

    def __init__(self) -> None:
        self.by_operation: Counter[str] = Counter()
        self.by_status: Counter[int] = Counter()
        self._entries: deque[_Entry] = deque(maxlen=KEPT)

    def clear(self) -> None:
        self.by_operation.clear()
        self.by_status.clear()
        self._entries.clear()

    def entries(self, operation: str | None = None) -> list[dict[str, Any]]:
        """The kept requests, oldest first, as JSON objects; only one operation's when named."""
        return [
            dict(zip(_FIELDS, entry, strict=True))
            for entry in self._entries
            if operation is None or entry[2] == operation
        ]

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
        request = call.request
        path = request.raw_path.partition("?")[0]
        self._entries.append(
            (
                request.method,
                path,
                call.operation,
                status if isinstance(status, int) else None,
                call.request_id,
                request.headers.get("Idempotency-Key"),
                response.headers.get("Idempotent-Replayed") == "true",
            )
        )
        logger.info(
            "%s %s -> %s %s %.1fms",
            request.method,
            path[:200],
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
