"""``PortalRunner``: how the sync facade runs the async client's coroutines.

One anyio blocking portal (an event loop in a helper thread) serves a sync client for its whole life.
The async client, and so its aiohttp session and connection pool, is created inside that loop, and
every sync call hands its coroutine to the portal and waits. Many threads may call at once: the
portal is thread-safe and the loop multiplexes their requests over the one pool.

The portal is started when the sync client is built, again in a child after ``os.fork()`` (the
parent's loop thread does not exist there), and stopped by ``close()`` or at interpreter exit. The
sync client, its services, pages and iterators all hold the :class:`PortalRunner`; only once every one
of them is gone (so nothing could call it any more) is the portal stopped by garbage collection.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import threading
import weakref
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from anyio.from_thread import BlockingPortal, start_blocking_portal

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
        weakref.finalize(self, self._portal.close)

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

        Positional arguments only (anyio's portal takes no keywords): bind keywords with
        ``functools.partial``. If the wait is interrupted (Ctrl-C, or any ``BaseException``), the
        coroutine is cancelled before the exception propagates.
        """
        return self._portal.call(func, *args)

    def close(self) -> None:
        """Close the async client on its loop, then stop the portal and join its thread."""
        self._portal.close()


class _Portal:
    """One blocking portal and the async client that lives on its loop."""

    def __init__(self, factory: Callable[[], AsyncStripeIdentity]) -> None:
        self._factory = factory
        self._lock = threading.Lock()
        self._closed = False
        self._pid = os.getpid()
        self._portal_cm: contextlib.AbstractContextManager[BlockingPortal] | None = None
        self._portal: BlockingPortal | None = None
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

    def _start(self) -> BlockingPortal:
        if self._pid != os.getpid():
            self._forget_after_fork()
        portal = self._portal
        if portal is not None:
            return portal
        with self._lock:
            if self._closed:
                raise RuntimeError("this StripeIdentity client is closed: create a new one")
            if self._portal is None:
                cm = start_blocking_portal("asyncio", name="stripe-identity-portal")
                portal = cm.__enter__()
                try:
                    self._client = portal.call(self._open_client)
                except BaseException:
                    cm.__exit__(None, None, None)
                    raise
                self._portal_cm = cm
                self._portal = portal
                _LIVE.add(self)
            return self._portal

    async def _open_client(self) -> AsyncStripeIdentity:
        self._loop_thread = threading.get_ident()
        client = self._factory()
        await client.__aenter__()
        return client

    def call(self, func: Callable[..., Awaitable[T]], *args: Any) -> T:
        _refuse_inside_event_loop()
        portal = self._portal
        if portal is None or self._pid != os.getpid():
            portal = self._start()
        future = portal.start_task_soon(func, *args)
        try:
            return future.result()
        except BaseException:
            future.cancel()
            raise

    def close(self) -> None:
        if threading.get_ident() == self._loop_thread:
            # Garbage collection can run a finaliser on the loop thread itself, which cannot wait
            # for itself: the portal stays in _LIVE and the exit hook closes it.
            return
        with self._lock:
            if self._closed:
                return
            self._closed = True
            _LIVE.discard(self)
            portal, cm, client = self._portal, self._portal_cm, self._client
            self._portal = self._portal_cm = self._client = None
        if portal is None or cm is None:
            return
        try:
            if client is not None:
                portal.call(client.aclose)
        finally:
            cm.__exit__(None, None, None)

    def _forget_after_fork(self) -> None:
        # In a forked child the loop thread is gone and the sockets are shared with the parent:
        # leave them alone and start afresh on the next call. The parent's portal must not be
        # finalised normally (stopping it would wait forever for the missing thread), so it is
        # kept alive and marked as not running: if it is ever finalised, anyio's own shutdown
        # sees a stopped portal and returns at once.
        if self._portal is not None:
            with contextlib.suppress(AttributeError):
                self._portal._event_loop_thread_id = None
            _ABANDONED_IN_CHILD.append((self._portal_cm, self._portal, self._client))
        _LIVE.discard(self)
        self._lock = threading.Lock()
        self._portal = self._portal_cm = self._client = None
        self._pid = os.getpid()


def _refuse_inside_event_loop() -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise RuntimeError(
        "the sync StripeIdentity client was called from a thread that is running an event loop, "
        "which it would block. In async code use AsyncStripeIdentity and await its methods."
    )
