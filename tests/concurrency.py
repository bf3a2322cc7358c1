"""Running many calls at once in a test, results kept in order."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import anyio

__all__ = ["gather"]


async def gather(calls: Sequence[Callable[[], Any]], concurrency: int | None = None) -> list[Any]:
    """Run ``calls`` on at most ``concurrency`` tasks; results in order, the first error raised."""
    results: list[Any] = [None] * len(calls)
    slots = anyio.Semaphore(concurrency or len(calls))

    async def one(index: int) -> None:
        async with slots:
            results[index] = await calls[index]()

    async with anyio.create_task_group() as tg:
        for index in range(len(calls)):
            tg.start_soon(one, index)
    return results
