"""One client per process: the harness sends it "run" commands and gets measurements back.

Hosting each client in its own spawned process keeps the comparison clean: it loads only its own
libraries (its RSS is its own), its connection pool stays warm across runs as in an application, and
its CPU time (``time.process_time``: every thread of the process, including the sync facade's portal
thread) belongs to nothing else. The process is pinned to the client core; the server has the other.
Sections that host their own clients (micro, downloads, soak) use :func:`run_isolated` for the same
reasons.
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any, TypeVar

from . import sysinfo
from .clients import AsyncClient, ClientSpec, SyncClient, make_async, make_sync
from .static_server import server_stats
from .stats import latency_summary
from .workloads import LoadOutcome, run_async, run_sync

__all__ = ["ClientWorker", "RunResult", "run_isolated"]

T = TypeVar("T")


@dataclass
class RunResult:
    client: str
    op: str
    concurrency: int
    n: int
    rep: int
    wall_s: float
    cpu_s: float
    rps: float
    cpu_us_per_req: float
    latency: dict[str, float]
    errors: int
    first_error: str | None
    peak_rss_mb: float
    rss_mb: float
    server: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def run_isolated(core: int | None, fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` in a fresh spawned process pinned to ``core``: a clean heap, its own imports."""
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=ctx, initializer=sysinfo.pin, initargs=(core,)) as pool:
        return pool.submit(fn, *args).result()


def _server_delta(before: dict[str, Any], after: dict[str, Any], n: int) -> dict[str, Any]:
    requests = after["requests"] - before["requests"]
    return {
        "requests": requests,
        # More server-side requests than calls would mean hidden retries or extra round trips.
        "requests_match": requests == n,
        # The stats query itself is one new connection.
        "new_connections": after["connections_total"] - before["connections_total"] - 1,
    }


class _Host:
    """The worker-side state: the client, its loop (async) or thread pools (sync)."""

    def __init__(
        self, spec: ClientSpec, api_base: str, port: int | None, options: dict[str, Any] | None = None
    ) -> None:
        self.spec = spec
        self.options = options
        self.port = port
        self.loop: asyncio.AbstractEventLoop | None = None
        self.async_client: AsyncClient | None = None
        self.sync_client: SyncClient | None = None
        self.executors: dict[int, ThreadPoolExecutor] = {}
        if spec.family == "async":
            self.loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self.loop)
            self.async_client = self.loop.run_until_complete(self._start_async(api_base))
        else:
            self.sync_client = make_sync(spec.name, api_base, options)

    async def _start_async(self, api_base: str) -> AsyncClient:
        client = make_async(self.spec.name, api_base, self.options)
        await client.start()
        return client

    def _load(self, op: str, n: int, concurrency: int, marks: list[tuple[float, float]]) -> LoadOutcome:
        def mark() -> None:
            marks.append((time.perf_counter(), time.process_time()))

        if self.async_client is not None:
            assert self.loop is not None
            fn = self.async_client.get if op == "GET" else self.async_client.post
            mark()
            return self.loop.run_until_complete(run_async(fn, n, concurrency))
        assert self.sync_client is not None
        sync_fn = self.sync_client.get if op == "GET" else self.sync_client.post
        executor = None
        if concurrency > 1:
            executor = self.executors.get(concurrency)
            if executor is None:
                executor = ThreadPoolExecutor(concurrency, thread_name_prefix=f"bench{concurrency}")
                self.executors[concurrency] = executor
        return run_sync(sync_fn, n, concurrency, executor, on_start=mark)

    def run(self, op: str, concurrency: int, n: int, warmup: int, rep: int) -> RunResult:
        if warmup:
            self._load(op, warmup, concurrency, [])
        gc.collect()
        sysinfo.reset_peak_rss()
        before = server_stats(self.port) if self.port is not None else None
        marks: list[tuple[float, float]] = []
        outcome = self._load(op, n, concurrency, marks)
        wall = time.perf_counter() - marks[0][0]
        cpu = time.process_time() - marks[0][1]
        after = server_stats(self.port) if self.port is not None else None
        done = len(outcome.latencies_ns)
        return RunResult(
            client=self.spec.name,
            op=op,
            concurrency=concurrency,
            n=n,
            rep=rep,
            wall_s=wall,
            cpu_s=cpu,
            rps=done / wall if wall else 0.0,
            cpu_us_per_req=cpu / n * 1e6,
            latency=latency_summary(outcome.latencies_ns),
            errors=outcome.errors,
            first_error=outcome.first_error,
            peak_rss_mb=sysinfo.peak_rss_mb(),
            rss_mb=sysinfo.rss_mb(),
            server=_server_delta(before, after, n) if before and after else {},
        )

    def close(self) -> None:
        for executor in self.executors.values():
            executor.shutdown(wait=True)
        if self.async_client is not None:
            assert self.loop is not None
            self.loop.run_until_complete(self.async_client.close())
            self.loop.close()
        if self.sync_client is not None:
            self.sync_client.close()


def _worker_main(
    conn: Connection,
    spec: ClientSpec,
    api_base: str,
    port: int | None,
    core: int | None,
    sdk_path: str | None = None,
    options: dict[str, Any] | None = None,
) -> None:
    sysinfo.pin(core)
    if sdk_path:
        sys.path.insert(0, sdk_path)  # before the client imports stripe_identity
    try:
        host = _Host(spec, api_base, port, options)
        if sdk_path and spec.name.startswith("si-"):
            import stripe_identity

            if not stripe_identity.__file__ or not stripe_identity.__file__.startswith(sdk_path):
                raise RuntimeError(
                    f"stripe_identity came from {stripe_identity.__file__}, not {sdk_path}"
                )
    except BaseException as exc:
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
        raise
    conn.send(("ready", None))
    while True:
        command = conn.recv()
        if command[0] == "run":
            _, op, concurrency, n, warmup, rep = command
            try:
                conn.send(("ok", host.run(op, concurrency, n, warmup, rep)))
            except BaseException as exc:
                conn.send(("error", f"{type(exc).__name__}: {exc}"))
        else:
            host.close()
            conn.send(("closed", None))
            return


class ClientWorker:
    """The harness side of a worker process."""

    def __init__(
        self,
        spec: ClientSpec,
        api_base: str,
        port: int | None,
        core: int | None,
        sdk_path: str | None = None,
        options: dict[str, Any] | None = None,
    ) -> None:
        """``port`` is the static server's, for its CPU counters; ``None`` for other servers.

        ``sdk_path`` imports ``stripe_identity`` from another tree; ``options`` go to the client.
        """
        ctx = multiprocessing.get_context("spawn")
        self.spec = spec
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(
            target=_worker_main,
            args=(child, spec, api_base, port, core, sdk_path, options),
            name=f"bench-{spec.name}",
            daemon=True,
        )
        self._proc.start()
        child.close()
        status, detail = self._recv(120)
        if status != "ready":
            raise RuntimeError(f"{spec.name} worker failed to start: {detail}")

    def _recv(self, timeout: float) -> tuple[str, Any]:
        if not self._conn.poll(timeout):
            raise TimeoutError(f"{self.spec.name} worker did not answer within {timeout:.0f} s")
        message: tuple[str, Any] = self._conn.recv()
        return message

    def run(self, op: str, concurrency: int, n: int, warmup: int, rep: int) -> RunResult:
        self._conn.send(("run", op, concurrency, n, warmup, rep))
        status, detail = self._recv(1800)
        if status != "ok":
            raise RuntimeError(f"{self.spec.name} {op} C={concurrency} failed: {detail}")
        assert isinstance(detail, RunResult)
        return detail

    def close(self) -> None:
        if self._proc.is_alive():
            try:
                self._conn.send(("close",))
                self._recv(60)
            except (OSError, EOFError, TimeoutError):
                pass
            self._proc.join(10)
            if self._proc.is_alive():
                self._proc.kill()
                self._proc.join()
        self._conn.close()

    def __enter__(self) -> ClientWorker:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
