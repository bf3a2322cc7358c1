"""How the Redis-backed pieces reach Redis: a client per event loop, scripts, time limits, failures.

A :class:`Store` is built from a URL or from a redis-py asyncio client (``redis.asyncio.Redis`` or
``RedisCluster``). From a URL it makes one client per event loop on first use there, and closes it
when that loop ends (asyncio closes a loop's async generators on the way out: one of them holds the
client), so one limiter or ledger may serve several loops, the sync client's included. A client
given to it is the caller's: used on its own loop, never closed here.

:meth:`Store.run` runs one Lua script within ``timeout`` seconds and turns every way Redis can fail
(refused, reset, timed out, a cluster without a majority, a replica that became read-only...) into
:class:`~stripe_identity.SharedStoreError`, whose message names the server without its password.
Keys are made by :func:`key`: ``prefix:{name}:part``, the braces being a Redis Cluster hash tag, so
that every key of one limiter lands in the same slot, as a script touching several keys needs.
"""

from __future__ import annotations

import asyncio
import math
import weakref
from collections.abc import AsyncGenerator, Sequence
from typing import Any

import anyio
from redis import exceptions as redis_errors
from redis.asyncio import Redis, RedisCluster
from redis.commands.core import AsyncScript

from .._errors import SharedStoreError

__all__ = ["Client", "Store", "key", "checked_name", "positive"]

Client = Redis | RedisCluster

_FAILURES = (redis_errors.RedisError, OSError, TimeoutError)


def positive(name: str, value: object) -> float:
    """``value`` as a positive, finite float, or a ``ValueError`` naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} is a number, not {type(value).__name__}")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be positive and finite, not {value!r}")
    return float(value)


def checked_name(what: str, name: object) -> str:
    """A name that can sit inside a hash tag: 1 to 200 characters, no braces, no blanks."""
    if not isinstance(name, str):
        raise TypeError(f"{what} is a str, not {type(name).__name__}")
    if not 0 < len(name) <= 200 or any(c in name for c in "{} \t\r\n"):
        raise ValueError(f"{what} is 1 to 200 characters without braces or blanks, not {name!r}")
    return name


def key(prefix: str, name: str, part: str) -> str:
    """``prefix:{name}:part``: the braces make ``name`` the Redis Cluster hash tag."""
    return f"{prefix}:{{{name}}}:{part}"


def describe(client: object) -> str:
    """Where a client connects, for messages: ``redis://host:port/db``, and never a password."""
    kwargs: dict[str, Any] = getattr(getattr(client, "connection_pool", None), "connection_kwargs", {})
    if "path" in kwargs:
        return f"unix://{kwargs['path']}"
    if "host" in kwargs:
        return f"redis://{kwargs['host']}:{kwargs.get('port', 6379)}/{kwargs.get('db', 0)}"
    nodes = getattr(getattr(client, "nodes_manager", None), "startup_nodes", None)
    if isinstance(nodes, dict) and nodes:
        return "the Redis Cluster at " + ", ".join(sorted(nodes))
    return f"a {type(client).__name__}"


def _safe_url(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    _, at, host = rest.rpartition("@")
    return f"{scheme}{sep}{host}" if at else url


async def _close_with_loop(client: Redis) -> AsyncGenerator[None, None]:
    # Suspended at its yield for the loop's lifetime; asyncio closes it at the loop's shutdown
    # (shutdown_asyncgens), or when it is collected, and the client goes with it.
    try:
        yield
    finally:
        await client.aclose()


class _PerLoop:
    """One loop's client, its scripts, and the generator that closes them with the loop."""

    def __init__(self, client: Client, closer: AsyncGenerator[None, None] | None) -> None:
        self.client = client
        self.closer = closer
        self.scripts: dict[str, AsyncScript] = {}


class Store:
    """Lua scripts on one Redis (or Redis Cluster), each within ``timeout`` seconds."""

    def __init__(self, redis: str | Client, timeout: float) -> None:
        self.timeout = positive("timeout", timeout)
        if isinstance(redis, str):
            if not redis.startswith(("redis://", "rediss://", "unix://")):
                raise ValueError(
                    f"a Redis URL starts with redis://, rediss:// or unix://, not {_safe_url(redis)!r}"
                )
            self._url: str | None = redis
            self._given: Client | None = None
            self.where = _safe_url(redis)
        elif isinstance(redis, (Redis, RedisCluster)):
            self._url = None
            self._given = redis
            self.where = describe(redis)
        else:
            raise TypeError(
                "redis is a URL or a redis.asyncio client (Redis or RedisCluster), "
                f"not {type(redis).__name__}"
            )
        self._loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _PerLoop] = (
            weakref.WeakKeyDictionary()
        )

    async def _here(self) -> _PerLoop:
        loop = asyncio.get_running_loop()
        state = self._loops.get(loop)
        if state is None:
            if self._given is not None:
                state = _PerLoop(self._given, None)
            else:
                assert self._url is not None
                client = Redis.from_url(
                    self._url, socket_connect_timeout=self.timeout, socket_timeout=self.timeout
                )
                closer = _close_with_loop(client)
                await closer.__anext__()
                state = _PerLoop(client, closer)
            self._loops[loop] = state
        return state

    async def run(
        self, script: str, keys: Sequence[str], args: Sequence[str | int], shield: bool = False
    ) -> Any:
        """The script's reply, or :class:`SharedStoreError` after ``timeout`` or any failure.

        With ``shield``, a cancellation waits for the reply (``timeout`` at most): for scripts
        whose effect the caller must know of, to undo it if it was cancelled meanwhile.
        """
        if shield:
            reply: Any = None  # for type checkers, which cannot tell the scope never swallows
            with anyio.CancelScope(shield=True):
                reply = await self.run(script, keys, args)
            return reply  # noqa: RET504
        try:
            with anyio.fail_after(self.timeout):
                state = await self._here()
                runner = state.scripts.get(script)
                if runner is None:
                    runner = state.scripts[script] = state.client.register_script(script)
                return await runner(keys=list(keys), args=list(args))
        except _FAILURES as exc:
            raise self.error(exc) from None

    def error(self, exc: BaseException) -> SharedStoreError:
        """The SharedStoreError that says ``exc`` happened talking to this store."""
        if isinstance(exc, TimeoutError) and not isinstance(exc, redis_errors.RedisError):
            what = f"no answer within {self.timeout:g} s"
        else:
            what = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return SharedStoreError(f"Redis at {self.where} failed ({what})")

    async def aclose(self) -> None:
        """Close the client this store made for the running loop (a client given to it stays open)."""
        state = self._loops.pop(asyncio.get_running_loop(), None)
        if state is not None and state.closer is not None:
            await state.closer.aclose()
