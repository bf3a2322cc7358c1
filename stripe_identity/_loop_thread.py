"""``LoopThread``: an asyncio event loop on an OS thread of its own, and waiting on it from outside.

:meth:`LoopThread.run` hands a coroutine function to the loop with one ``call_soon_threadsafe`` and
waits for its result; if the wait is interrupted (Ctrl-C), the task is cancelled. (Not anyio's
blocking portal: its ``start_task_soon`` first waits, blocking, for the loop to spawn the task, a
second crossing per call that no greenlet could wait through.)

A call costs less than the floor of asyncio's own hand-over, a bare
``run_coroutine_threadsafe(coroutine, loop).result()`` (about 0.55 of it, ``python -m benchmarks
--sync-hop``), because it carries only what it needs: the caller waits on a native lock that the
task releases when its result (or exception) is in, where asyncio makes a
:class:`concurrent.futures.Future` (a condition variable, its own lock, a list of callbacks), a task
callback to copy the result over and a future callback to carry a cancellation back.

Under gevent's or eventlet's monkey-patching (gunicorn's gevent and eventlet workers), and only
then, three things change (:class:`Green` holds them):

* ``threading.Thread`` would start a greenlet, not a thread: the loop would run on the caller's own
  thread, and the caller's first wait would block the loop it waits for. The loop is started on a
  real OS thread, with the original ``_thread.start_new_thread``.
* A future's lock would be a patched, greenlet-only lock that the loop thread must also take.
  Calls go through a :class:`concurrent.futures.Future` made with a native lock instead: the only
  things the two threads share are native locks, held for microseconds, and the wake-up below.
* ``Future.result()`` would block the caller's whole OS thread, so every other greenlet with it.
  The waiting greenlet parks instead, and the future's done callback (which runs on the loop thread)
  wakes it. gevent: with an *async watcher*, the one gevent object another thread may signal; it is
  closed by its own callback, so never while the loop thread may still send to it (a greenlet killed
  or timed out while waiting cancels the future, which fires the callback at once). eventlet has no
  such object: a thread of its ``tpool`` waits on a native lock that the callback releases (beyond
  the pool's size, 20 by default, waits queue for a thread; the calls themselves all run at once).

"Patched" is read from ``sys.modules`` when a loop thread starts: neither library is imported here
unless the process has it already. Patch before creating a client, as both libraries ask of all code.
The loop thread runs asyncio unchanged; with the patched ``selectors`` its selector is the library's,
which gives that thread its own hub, so the patched sockets and DNS resolution the loop uses work
there as they do anywhere in the process.
"""

from __future__ import annotations

import _thread
import asyncio
import contextlib
import functools
import sys
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from types import ModuleType
from typing import Any, NamedTuple, TypeVar

__all__ = ["Green", "LoopThread", "green"]

T = TypeVar("T")


class Green(NamedTuple):
    """What a patched process's greenlets need to run a loop thread and wait for it."""

    start_new_thread: Callable[[Callable[..., object], tuple[Any, ...]], object]
    native_lock: Callable[[], Any]
    #: Returns once the future is done, having let other greenlets run meanwhile.
    wait: Callable[[Future[Any]], None]
    #: Runs a function soon on a new greenlet (from anywhere, the hub included).
    spawn: Callable[[Callable[[], object]], object]


def green() -> Green | None:
    """How to cooperate with gevent or eventlet if either has patched ``threading``, else None."""
    monkey = sys.modules.get("gevent.monkey")
    if monkey is not None and monkey.is_module_patched("threading"):
        return _gevent(monkey)
    patcher = sys.modules.get("eventlet.patcher")
    if patcher is not None and patcher.is_monkey_patched("thread"):
        return _eventlet(patcher)
    return None


class LoopThread:
    """An asyncio event loop running on a dedicated OS thread until :meth:`stop`."""

    def __init__(self, name: str) -> None:
        #: Not None when waits must let other greenlets run (see the module docstring).
        self.green = green()
        self._finished: Future[None] = self.future()
        self._thread: threading.Thread | None = None
        ready: Future[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = self.future()
        if self.green is None:
            self._thread = threading.Thread(target=self._run, args=(ready,), name=name, daemon=True)
            self._thread.start()
        else:
            self.green.start_new_thread(self._run, (ready,))
        self.loop, self._stopping = self.wait(ready)

    def future(self) -> Future[Any]:
        """A future both this thread and the loop thread may complete or wait for."""
        future: Future[Any] = Future()
        if self.green is not None:
            future._condition = threading.Condition(self.green.native_lock())
        return future

    def submit(self, func: Callable[..., Awaitable[T]], *args: Any) -> Future[T]:
        """Schedule ``func(*args)`` on the loop; cancelling the future cancels the task."""
        future: Future[T] = self.future()
        self.loop.call_soon_threadsafe(self._start_task, future, func, args)
        return future

    def wait(self, future: Future[T]) -> T:
        """The future's result, waited for as this thread (or greenlet) should wait."""
        if self.green is not None:
            self.green.wait(future)
        return future.result()

    def run(self, func: Callable[..., Awaitable[T]], *args: Any) -> T:
        """``await func(*args)`` on the loop, waited for here; the task is cancelled if the wait is
        interrupted (Ctrl-C, a greenlet killed or timed out)."""
        if self.green is not None:
            future = self.submit(func, *args)
            try:
                return self.wait(future)
            except BaseException:
                future.cancel()
                raise
        call = _Call()
        self.loop.call_soon_threadsafe(self._start_call, call, func, args)
        try:
            call.done.acquire()
        except BaseException:
            with contextlib.suppress(RuntimeError):  # the loop is closed: so is the task
                self.loop.call_soon_threadsafe(call.cancel)
            raise
        error = call.error
        if error is not None:
            try:
                raise error
            finally:
                # The exception's traceback holds this frame: let go of it, as Future.result does.
                del error, call
        return call.result  # type: ignore[no-any-return]

    def stop(self) -> None:
        """Stop the loop (its remaining tasks are cancelled) and wait until its thread is done."""
        with contextlib.suppress(RuntimeError):  # the loop is closed already
            self.loop.call_soon_threadsafe(self._stopping.set)
        if self._thread is not None:
            self._thread.join()
        else:
            self.wait(self._finished)

    def _run(self, ready: Future[tuple[asyncio.AbstractEventLoop, asyncio.Event]]) -> None:
        async def serve() -> None:
            stopping = asyncio.Event()
            ready.set_result((asyncio.get_running_loop(), stopping))
            await stopping.wait()

        try:
            asyncio.run(serve())
        except BaseException as exc:
            if not ready.done():
                ready.set_exception(exc)
            raise
        finally:
            self._finished.set_result(None)

    def _start_call(
        self, call: _Call, func: Callable[..., Awaitable[Any]], args: tuple[Any, ...]
    ) -> None:
        if not call.cancelled:
            call.task = self.loop.create_task(_answer(call, func, args))

    def _start_task(
        self, future: Future[T], func: Callable[..., Awaitable[T]], args: tuple[Any, ...]
    ) -> None:
        if future.cancelled():
            return
        task = self.loop.create_task(_awaited(func, args))
        task.add_done_callback(functools.partial(_settle, future))
        future.add_done_callback(functools.partial(_cancel_task, self.loop, task))


async def _awaited(func: Callable[..., Awaitable[T]], args: tuple[Any, ...]) -> T:
    return await func(*args)


class _Call:
    """One call of :meth:`LoopThread.run` outside gevent and eventlet: the caller waits on ``done``,
    a native lock held from the start, which the task releases once ``result`` or ``error`` is in.
    Everything but ``done`` is read and written on the loop thread until then."""

    __slots__ = ("cancelled", "done", "error", "result", "task")

    def __init__(self) -> None:
        self.done = _thread.allocate_lock()
        self.done.acquire()
        self.error: BaseException | None = None
        self.result: Any = None
        self.task: asyncio.Task[None] | None = None
        self.cancelled = False

    def cancel(self) -> None:
        """On the loop thread: the caller has stopped waiting."""
        self.cancelled = True
        if self.task is not None:
            self.task.cancel()


async def _answer(call: _Call, func: Callable[..., Awaitable[Any]], args: tuple[Any, ...]) -> None:
    try:
        call.result = await func(*args)
    except BaseException as exc:  # the caller's to handle (a cancellation too: it asked for it)
        call.error = exc
    finally:
        call.done.release()


def _settle(future: Future[T], task: asyncio.Task[T]) -> None:
    if task.cancelled():
        future.cancel()
    elif future.set_running_or_notify_cancel():
        error = task.exception()
        if error is None:
            future.set_result(task.result())
        else:
            future.set_exception(error)


def _cancel_task(loop: asyncio.AbstractEventLoop, task: asyncio.Task[Any], future: Future[Any]) -> None:
    if future.cancelled():
        with contextlib.suppress(RuntimeError):  # the loop is closed: so is the task
            loop.call_soon_threadsafe(task.cancel)


def _gevent(monkey: ModuleType) -> Green:
    import gevent
    from gevent.hub import Waiter, get_hub

    def wait(future: Future[Any]) -> None:
        hub = get_hub()
        waiter: Any = Waiter(hub)
        watcher = hub.loop.async_()

        def woken() -> None:
            watcher.close()
            waiter.switch(None)

        watcher.start(woken)
        future.add_done_callback(lambda _: watcher.send())
        waiter.get()

    # This thread's hub must exist before the loop thread makes its own: two threads creating their
    # first hubs at once can deadlock on the import locks gevent has patched.
    get_hub()
    return Green(
        start_new_thread=monkey.get_original("_thread", "start_new_thread"),
        native_lock=monkey.get_original("_thread", "RLock"),
        wait=wait,
        spawn=gevent.spawn_raw,
    )


def _eventlet(patcher: ModuleType) -> Green:
    import eventlet
    from eventlet import hubs, tpool

    native = patcher.original("_thread")

    def wait(future: Future[Any]) -> None:
        done = native.allocate_lock()
        done.acquire()
        future.add_done_callback(lambda _: done.release())
        tpool.execute(done.acquire)

    hubs.get_hub()  # as for gevent: this thread's hub first
    return Green(
        start_new_thread=native.start_new_thread,
        native_lock=native.RLock,
        wait=wait,
        spawn=eventlet.spawn_n,
    )
