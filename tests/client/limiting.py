"""What the limiter tests share: a clock that moves only when told, and waiting for a condition
with a bound that catches a hang, never a slow machine."""

from __future__ import annotations

from collections.abc import Callable

import anyio
import anyio.lowlevel

from stripe_identity._limiter import (
    RateLimiter,
)

__all__ = ["PATIENCE", "FakeClock", "line_of", "until"]

# Generous bounds for anything that waits on real time: they catch a hang, never a slow machine.
PATIENCE = 20.0


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


async def until(condition: Callable[[], bool]) -> None:
    """Let other tasks run until ``condition`` holds."""
    with anyio.fail_after(PATIENCE):
        while not condition():
            await anyio.lowlevel.checkpoint()


async def line_of(limiter: RateLimiter, length: int) -> None:
    await until(lambda: limiter.waiting == length)
