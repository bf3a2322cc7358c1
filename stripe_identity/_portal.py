"""``PortalRunner``: how the sync facade runs the async client's coroutines.

One portal, an event loop on a helper thread (:class:`~._loop_thread.LoopThread`), serves a sync
client for its whole life. The async client, and so its aiohttp session and connection pool, is
created inside that loop, and every sync call hands its coroutine to the loop and waits. Many
threads may call at once, and in a process patched by gevent or eventlet many greenlets (a waiting
greenlet lets the others run): the loop multiplexes their requests over the one pool.

The portal is started when the sync client is built, again in a forked child (the parent's loop
thread does not exist there; a fork that skipped Python's fork hooks, as uWSGI's does, is noticed
by its pid), and stopped by ``close()`` or at interpreter exit. The sync client, its services, pages
and iterators all hold the :class:`PortalRunner`; only once every one of them is gone (so nothing
could call it any more) is the portal stopped by garbage collection.

A sync call blocks its thread, so it is refused from a thread whose event loop is running async
code (an ``async def`` handler of an aiohttp or ASGI server: blocking there would stall every other
request), with an error that points to the async client. One exception: in a process where an
IPython shell is active (a Jupyter notebook's kernel keeps an event loop running in the thread that
runs each cell), the call blocks, as any synchronous library does there.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import sys
import threading
import weakref
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from ._loop_thread import LoopThread

if TYPE_CHECKING:
    from ._client import AsyncStripeIdentity

__all__ = ["PortalRunner"]

T = TypeVar("T")

#: Every portal not yet closed, closed at interpreter exit whoever still holds it.
_LIVE: set[_Portal] = set()
_ABANDONED_IN_CHILD: list[object] = []


def _close_all_at_exit() -> None:
    for runner in list(_LIVE):
        with contextlib.suppress(Exception):
            runner.close()


def _forget_all_after_fork() -> None:
    for runner in list(_LIVE):
        runner._forget_after_fork()


# threading's own exit hooks run before non-daemon threads are joined, so a portal that was never
# closed is shut down while its loop can still close sockets cleanly; plain atexit is the fallback.
_register_exit_hook = getattr(threading, "_register_atexit", atexit.register)
_register_exit_hook(_close_all_at_exit)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_all_after_fork)


class PortalRunner:
    """Runs coroutines of one :class:`AsyncStripeIdentity` from any number of threads.

    A handle on a :class:`_Portal`: when the last object holding the handle is collected, the
    portal is closed (from the exit hook instead, if that happens on the portal's own thread).
    """

    def __init__(self, factory: Callable[[], AsyncStripeIdentity]) -> None:
        self._portal = _Portal(factory)
        weakref.finalize(self, self._portal.collected)

    @property
    def closed(self) -> bool:
        return self._portal.closed

    @property
    def client(self) -> AsyncStripeIdentity:
        """The async client behind the facade (started on first use)."""
        return self._portal.client

    def start(self) -> None:
        """Start the portal and the async client now (idempotent)."""
        self._portal.start()

    def call(self, func: Callable[..., Awaitable[T]], *args: Any) -> T:
        """Run ``func(*args)`` on the portal's loop and wait for its result.

        Positional arguments only, as the loop thread takes them: bind keywords with
        ``functools.partial``. If the wait is interrupted (Ctrl-C, or any ``BaseException``), the
        coroutine is cancelled before the exception propagates.
        """
        return self._portal.call(func, *args)

    def close(self) -> None:
        """Close the async client on its loop, then stop the portal and join its thread."""
        self._portal.close()


class _Portal:
    """One loop thread and the async client that lives on its loop."""

    def __init__(self, factory: Callable[[], AsyncStripeIdentity]) -> None:
        self._factory = factory
        self._lock = threading.Lock()
        self._closed = False
        self._pid = os.getpid()
        self._thread: LoopThread | None = None
        self._client: AsyncStripeIdentity | None = None
        self._loop_thread: int | None = None

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def client(self) -> AsyncStripeIdentity:
        """The async client behind the facade (started on first use)."""
        self._start()
        assert self._client is not None
        return self._client

    def start(self) -> None:
        """Start the portal and the async client now (idempotent)."""
        self._start()

    def _start(self) -> LoopThread:
        if self._pid != os.getpid():
            self._forget_after_fork()
        thread = self._thread
        if thread is not None:
            return thread
        with self._lock:
            if self._closed:
                raise RuntimeError("this StripeIdentity client is closed: create a new one")
            if self._thread is None:
                thread = LoopThread("stripe-identity-portal")
                try:
                    self._client = thread.run(self._open_client)
                except BaseException:
                    thread.stop()
                    raise
                self._thread = thread
                _LIVE.add(self)
            return self._thread

    async def _open_client(self) -> AsyncStripeIdentity:
        self._loop_thread = threading.get_ident()
        client = self._factory()
        await client.__aenter__()
        return client

    def call(self, func: Callable[..., Awaitable[T]], *args: Any) -> T:
        _refuse_inside_event_loop()
        thread = self._thread
        if thread is None or self._pid != os.getpid():
            thread = self._start()
        return thread.run(func, *args)

    def collected(self) -> None:
        """The last handle is gone: close, but never by blocking a gevent or eventlet hub."""
        thread = self._thread
        if thread is not None and thread.green is not None:
            # Collection may run this anywhere, the hub included: close on a greenlet of its own.
            thread.green.spawn(self.close)
        else:
            self.close()

    def close(self) -> None:
        if threading.get_ident() == self._loop_thread:
            # Garbage collection can run a finaliser on the loop thread itself, which cannot wait
            # for itself: the portal stays in _LIVE and the exit hook closes it.
            return
        if self._pid != os.getpid():
            # Forked by a server that skips Python's fork hooks (uWSGI, unless told otherwise): the
            # parent's loop is not here to stop, and waiting for it would hang the exit.
            self._forget_after_fork()
        with self._lock:
            if self._closed:
                return
            self._closed = True
            _LIVE.discard(self)
            thread, client = self._thread, self._client
            self._thread = self._client = None
        if thread is None:
            return
        try:
            if client is not None:
                thread.run(client.aclose)
        finally:
            thread.stop()

    def _forget_after_fork(self) -> None:
        # In a forked child the loop thread is gone and the sockets are shared with the parent:
        # leave them alone and start afresh on the next call. The parent's loop and client are
        # kept alive, never finalised (closing them would touch the parent's connections).
        if self._thread is not None:
            _ABANDONED_IN_CHILD.append((self._thread, self._client))
        _LIVE.discard(self)
        self._lock = threading.Lock()
        self._thread = self._client = None
        self._pid = os.getpid()


def _refuse_inside_event_loop() -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    if _ipython_runs_this():
        return
    raise RuntimeError(
        "the sync StripeIdentity client was called from a thread that is running an event loop, "
        "which it would block. In async code use AsyncStripeIdentity and await its methods."
    )


def _ipython_runs_this() -> bool:
    # IPython (and so a Jupyter kernel) is never imported here: if it runs, it is loaded already.
    ipython = sys.modules.get("IPython")
    return ipython is not None and getattr(ipython, "get_ipython", lambda: None)() is not None
