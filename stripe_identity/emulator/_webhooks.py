"""Signed webhook delivery from the emulator to an integration's endpoint.

Events are posted one at a time, oldest first, so every session's events arrive in the order they
happened. A delivery that fails (connection error, timeout, any non-2xx) is logged at WARNING and
retried with exponential backoff until it succeeds or the emulator stops; the API never waits for any
of it. An event's ``pending_webhooks`` is 1 until it is delivered, then 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from typing import Any

import aiohttp
import orjson

from ..webhooks import generate_test_header

__all__ = ["WebhookSender"]

logger = logging.getLogger("stripe_identity.emulator")

_USER_AGENT = "Stripe/1.0 (+https://stripe.com/docs/webhooks) stripe-identity-emulator"


class WebhookSender:
    def __init__(
        self,
        url: str,
        secret: str,
        *,
        initial_backoff: float = 0.05,
        max_backoff: float = 2.0,
        timeout: float = 5.0,
    ) -> None:
        self.url = url
        self._secret = secret
        self._initial_backoff = initial_backoff
        self._max_backoff = max_backoff
        self._timeout = timeout
        self._queue: deque[dict[str, Any]] = deque()
        self._wakeup: asyncio.Event | None = None
        self._idle: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        self.attempts = 0
        self.delivered: list[str] = []
        self.failures = 0  # failed attempts

    def enqueue(self, event: dict[str, Any]) -> None:
        event["pending_webhooks"] = 1
        self._queue.append(event)
        if self._wakeup is not None and self._idle is not None:
            self._idle.clear()
            self._wakeup.set()

    @property
    def pending(self) -> int:
        return len(self._queue)

    async def start(self) -> None:
        self._wakeup = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self._timeout),
            cookie_jar=aiohttp.DummyCookieJar(),
        )
        self._task = asyncio.create_task(self._run(), name="stripe-identity-webhooks")

    async def stop(self, flush_timeout: float = 1.0) -> None:
        """Give queued events ``flush_timeout`` seconds to go out, then stop."""
        task, self._task = self._task, None
        if task is not None:
            if self._queue:
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._drained(), flush_timeout)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _drained(self) -> None:
        assert self._idle is not None
        await self._idle.wait()

    async def _run(self) -> None:
        assert self._wakeup is not None
        assert self._idle is not None
        while True:
            while not self._queue:
                self._idle.set()
                self._wakeup.clear()
                await self._wakeup.wait()
            event = self._queue[0]
            backoff = self._initial_backoff
            while not await self._deliver(event):
                self.failures += 1
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self._max_backoff)
            self._queue.popleft()
            event["pending_webhooks"] = 0
            self.delivered.append(event["id"])

    async def _deliver(self, event: dict[str, Any]) -> bool:
        assert self._session is not None
        self.attempts += 1
        payload = orjson.dumps(event)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": _USER_AGENT,
            "Stripe-Signature": generate_test_header(payload, self._secret),
        }
        try:
            async with self._session.post(self.url, data=payload, headers=headers) as response:
                await response.read()
                ok = 200 <= response.status < 300
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
            logger.warning("webhook %s (%s) to %s failed: %s", event["id"], event["type"], self.url, exc)
            return False
        if not ok:
            logger.warning(
                "webhook %s (%s) to %s answered %s",
                event["id"],
                event["type"],
                self.url,
                response.status,
            )
        return ok

    def stats(self) -> dict[str, Any]:
        return {
            "attempted": self.attempts,
            "succeeded": len(self.delivered),
            "failed": self.failures,
            "pending": self.pending,
        }
