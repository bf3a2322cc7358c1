"""Closed-loop load: ``concurrency`` callers each issue requests back to back until ``n`` are done.

A closed loop (each caller waits for its answer before sending the next request) is how an
application uses an SDK, and it makes throughput a function of per-request cost plus latency, which
is what the comparisons are about. Latencies are recorded per request with ``perf_counter_ns``.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor

__all__ = ["LoadOutcome", "run_async", "run_sync"]


class LoadOutcome:
    """Latencies of the requests that succeeded, and what went wrong with the others."""

    def __init__(self) -> None:
        self.latencies_ns: list[int] = []
        self.errors = 0
        self.first_error: str | None = None

    def fail(self, exc: BaseException) -> None:
        self.errors += 1
        if self.first_error is None:
            self.first_error = f"{type(exc).__name__}: {exc}"[:500]


async def run_async(op: Callable[[], Awaitable[None]], n: int, concurrency: int) -> LoadOutcome:
    outcome = LoadOutcome()
    latencies = outcome.latencies_ns
    counter = itertools.count()
    clock = time.perf_counter_ns

    async def caller() -> None:
        for i in counter:
            if i >= n:
                return
            started = clock()
            try:
                await op()
            except Exception as exc:  # recorded and reported: a run with errors is flagged
                outcome.fail(exc)
                continue
            latencies.append(clock() - started)

    await asyncio.gather(*(caller() for _ in range(concurrency)))
    return outcome


def run_sync(
    op: Callable[[], None],
    n: int,
    concurrency: int,
    executor: ThreadPoolExecutor | None,
    on_start: Callable[[], None] = lambda: None,
) -> LoadOutcome:
    """Sequential in the calling thread when ``concurrency`` is 1, else from the executor's threads.

    ``on_start`` runs once every thread is ready, right before the first request: the caller starts
    its clocks there, so thread start-up is not measured. The executor is kept by the caller across
    runs because some clients keep per-thread connections (stripe's ``RequestsClient``).
    """
    outcome = LoadOutcome()
    latencies = outcome.latencies_ns
    counter = itertools.count()
    clock = time.perf_counter_ns

    def caller() -> None:
        # list.append and next() on itertools.count are atomic under the GIL.
        for i in counter:
            if i >= n:
                return
            started = clock()
            try:
                op()
            except Exception as exc:
                outcome.fail(exc)
                continue
            latencies.append(clock() - started)

    if concurrency == 1 or executor is None:
        on_start()
        caller()
        return outcome

    barrier = threading.Barrier(concurrency + 1)

    def gated_caller() -> None:
        barrier.wait()
        caller()

    futures = [executor.submit(gated_caller) for _ in range(concurrency)]
    on_start()
    barrier.wait()
    for future in futures:
        future.result()
    return outcome
