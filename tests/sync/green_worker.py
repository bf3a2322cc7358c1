"""A process monkey-patched by gevent or eventlet, as their gunicorn workers are, using the sync client.

Run by tests/sync/test_servers.py as ``python -m tests.sync.green_worker gevent|eventlet API_BASE``;
prints one line per check and exits 0 when all pass. Each check would hang or fail if the sync client
ran its loop in a greenlet, or waited for it by blocking the OS thread.
"""

from __future__ import annotations

import sys

LIBRARY = sys.argv[1]
if LIBRARY == "gevent":
    from gevent import monkey

    monkey.patch_all()
else:
    import eventlet

    eventlet.monkey_patch()

import asyncio  # noqa: E402
import gc  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import stripe_identity as si  # noqa: E402
from stripe_identity import _portal  # noqa: E402

API_BASE = sys.argv[2]
KEY = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"
GREENLETS = 10

if LIBRARY == "gevent":
    import gevent
    from gevent.hub import get_hub

    native_get_ident: Callable[[], int] = monkey.get_original("_thread", "get_ident")
    Timeout: Any = gevent.Timeout

    def spawn_all(func: Callable[[int], Any], count: int) -> list[Any]:
        greenlets = [gevent.spawn(func, n) for n in range(count)]
        gevent.joinall(greenlets, raise_error=True)
        return [g.value for g in greenlets]

    def from_the_hub(func: Callable[[], object]) -> None:
        get_hub().loop.run_callback(func)

    sleep: Callable[[float], None] = gevent.sleep
else:
    from eventlet import patcher

    native_get_ident = patcher.original("_thread").get_ident
    Timeout = eventlet.Timeout

    def spawn_all(func: Callable[[int], Any], count: int) -> list[Any]:
        threads = [eventlet.spawn(func, n) for n in range(count)]
        return [t.wait() for t in threads]

    def from_the_hub(func: Callable[[], object]) -> None:
        from eventlet.hubs import get_hub as eventlet_hub

        eventlet_hub().schedule_call_global(0, func)

    sleep = eventlet.sleep


def check(name: str, ok: bool) -> None:
    print(f"{name}: {'ok' if ok else 'FAILED'}", flush=True)
    if not ok:
        sys.exit(1)


def main() -> None:
    together_ids: set[str] = set()
    stall_ids: set[str] = set()
    arrived: set[str] = set()
    everyone = asyncio.Event()
    loop_threads: set[int] = set()
    cancelled: list[str] = []

    async def rendezvous(request: si.Request, call_next: si.Handler) -> si.Response:
        # Hold every call until all the greenlets' calls have reached the loop: they only can if
        # each waiting greenlet let the others run.
        loop_threads.add(native_get_ident())
        session_id = request.path.rsplit("/", 1)[-1]
        if session_id in together_ids:
            arrived.add(session_id)
            if len(arrived) == GREENLETS:
                everyone.set()
            await everyone.wait()
        if session_id in stall_ids:
            try:
                await asyncio.sleep(60)
            except asyncio.CancelledError:
                cancelled.append(session_id)
                raise
        return await call_next(request)

    client = si.StripeIdentity(KEY, api_base=API_BASE, middlewares=[rendezvous])
    sessions = [client.verification_sessions.create({"type": "document"}) for _ in range(GREENLETS + 1)]
    session, stall = sessions[0], sessions[-1]
    together_ids.update(s.id for s in sessions[:GREENLETS])
    stall_ids.add(stall.id)

    def together(n: int) -> str:
        return client.verification_sessions.retrieve(sessions[n].id).id

    with Timeout(30):
        ids = spawn_all(together, GREENLETS)
    check("greenlets wait together", ids == [s.id for s in sessions[:GREENLETS]])
    check("loop on another OS thread", bool(loop_threads) and native_get_ident() not in loop_threads)

    started = time.monotonic()
    try:
        with Timeout(0.2):
            client.verification_sessions.retrieve(stall.id)
    except Timeout:
        pass
    deadline = time.monotonic() + 10
    while not cancelled and time.monotonic() < deadline:
        sleep(0.01)
    check("a timed-out call is cancelled", cancelled == [stall.id] and time.monotonic() - started < 10)
    check("still usable", client.verification_sessions.retrieve(session.id).id == session.id)

    # The last reference dropped from the hub itself, where nothing may block: closed all the same.
    def drop() -> None:
        nonlocal client
        client = None  # type: ignore[assignment]
        gc.collect()

    from_the_hub(drop)
    deadline = time.monotonic() + 10
    while _portal._LIVE and time.monotonic() < deadline:
        sleep(0.01)
    check("collected from the hub, closed", not _portal._LIVE)

    # Left open on purpose: the exit hook closes it.
    unclosed = si.StripeIdentity(KEY, api_base=API_BASE)
    check("unclosed client works", unclosed.verification_sessions.retrieve(session.id).id == session.id)


if __name__ == "__main__":
    main()
