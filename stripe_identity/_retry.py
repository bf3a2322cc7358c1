"""When to try a request again, and how long to wait first.

The API's ``Stripe-Should-Retry`` header wins when present, as in Stripe's own SDKs; otherwise
connection failures, timeouts, 409 (a conflicting concurrent request), 429 and 5xx are retried, and
other 4xx never are. One difference from stripe-python, on purpose: a 429 without the header is
retried too (stripe-python gives up at once). Stripe answers 429 both for rate limits and for lock
timeouts; after the backoff either may well pass, and a caller who would rather fail fast sets
``max_retries=0`` (or paces its calls: ``rate_limit=``). Retrying a POST is safe because the
idempotency middleware gave it a key before the first attempt.
"""

from __future__ import annotations

import email.utils
import logging
import math
import random
import time
from collections.abc import Awaitable, Callable, Mapping

import attrs

from ._errors import APIConnectionError
from ._middleware import Handler
from ._response import Request, Response

__all__ = ["RetryMiddleware", "RetryPolicy", "should_retry_response"]

logger = logging.getLogger("stripe_identity")


async def _sleep(seconds: float) -> None:
    """``anyio.sleep``, imported when a retry first waits rather than when every program starts."""
    import anyio

    await anyio.sleep(seconds)


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """Backoff settings: ``min(initial_delay * 2**n, max_delay)`` with jitter in ``[x/2, x]``.

    A ``Retry-After`` header (Stripe sends none, proxies and the emulator may) is honoured up to
    ``max_retry_after`` seconds. ``RetryPolicy.no_wait()`` keeps the retries and drops the waiting,
    which is what tests usually want; ``sleep`` lets a test record the delays instead.
    """

    initial_delay: float = 0.5
    max_delay: float = 5.0
    max_retry_after: float = 60.0
    jitter: bool = True
    sleep: Callable[[float], Awaitable[None]] = attrs.field(default=_sleep, repr=False)

    @classmethod
    def no_wait(cls) -> RetryPolicy:
        """Retry as usual but without waiting between attempts (for tests)."""
        return cls(initial_delay=0.0, max_delay=0.0, max_retry_after=0.0)

    def delay(self, retry_number: int, headers: Mapping[str, str] | None = None) -> float:
        """Seconds to wait before retry ``retry_number`` (0 for the first retry)."""
        if headers is not None:
            retry_after = _parse_retry_after(headers.get("Retry-After"))
            if retry_after is not None:
                return min(retry_after, self.max_retry_after)
        base = min(self.initial_delay * 2.0**retry_number, self.max_delay)
        if self.jitter:
            return base * (0.5 + random.random() / 2)
        return base


def _parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        seconds = when.timestamp() - time.time()
    if not math.isfinite(seconds):
        return None
    return max(seconds, 0.0)


def should_retry_response(response: Response) -> bool:
    """Whether a non-2xx response is worth another attempt."""
    explicit = response.headers.get("Stripe-Should-Retry")
    if explicit == "true":
        return True
    if explicit == "false":
        return False
    status = response.status
    return status == 409 or status == 429 or status >= 500


class RetryMiddleware:
    """Runs the rest of the chain up to ``1 + request.max_retries`` times."""

    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy

    async def __call__(self, request: Request, call_next: Handler) -> Response:
        retry_number = 0
        debug = logger.isEnabledFor(logging.DEBUG)
        while True:
            started = time.perf_counter() if debug else 0.0
            try:
                response = await call_next(request)
            except APIConnectionError as exc:
                if debug:
                    _log_attempt(request, None, retry_number, started, exc)
                if retry_number >= request.max_retries or not exc.should_retry:
                    raise
                wait = self.policy.delay(retry_number)
                reason = f"{type(exc).__name__}: {exc.message}"
            else:
                if debug:
                    _log_attempt(request, response, retry_number, started, None)
                if (
                    response.status < 400
                    or retry_number >= request.max_retries
                    or not should_retry_response(response)
                ):
                    return response
                wait = self.policy.delay(retry_number, response.headers)
                reason = f"HTTP {response.status}"
            retry_number += 1
            request = attrs.evolve(request, resend_count=retry_number)
            logger.info(
                "retrying %s %s in %.3fs (retry %d of %d) after %s",
                request.method,
                request.path,
                wait,
                retry_number,
                request.max_retries,
                reason,
            )
            await self.policy.sleep(wait)


def _log_attempt(
    request: Request,
    response: Response | None,
    retry_number: int,
    started: float,
    error: APIConnectionError | None,
) -> None:
    logger.debug(
        "%s %s -> %s request_id=%s attempt=%d elapsed_ms=%.1f",
        request.method,
        request.path,
        response.status if response is not None else type(error).__name__,
        response.headers.get("Request-Id") if response is not None else None,
        retry_number + 1,
        (time.perf_counter() - started) * 1000,
    )
