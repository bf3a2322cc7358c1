"""A real Redis for the tests: ``redis-server`` (Debian's package) on a free port in a temporary
directory, started once per session and emptied before each test.

A test module gets the fixtures by importing them: ``from tests.redis_server import redis_url as
redis_url`` (the redundant alias marks the import as intended for linters). Without redis-server, or
without redis-py, they skip the test and say why, or fail it when STRIPE_IDENTITY_REQUIRE_REDIS=1,
as in CI (``.ci/run``), where a Redis test must never silently skip.

* ``redis_server``: the session's :class:`RedisServer` (``.url``, ``.port``, ``.stop()``,
  ``.restart()``); a test that stops it must restart it;
* ``redis_url``: its URL, after ``FLUSHALL``;
* ``own_redis``: a server of the test's own, for tests that stop, restart or kill it;
* ``redis_cluster``: three servers joined in a Redis Cluster, for the module's tests.
"""

from __future__ import annotations

import importlib.util
import os
import socket
from collections.abc import Iterator

import pytest

from benchmarks.redis_server import RedisServer, RedisUnavailable, start_cluster

REQUIRE_REDIS = "STRIPE_IDENTITY_REQUIRE_REDIS"

__all__ = [
    "REQUIRE_REDIS",
    "own_redis",
    "redis_cluster",
    "redis_or_skip",
    "redis_server",
    "redis_url",
]


def _skip(message: str) -> None:
    if os.environ.get(REQUIRE_REDIS) == "1":
        pytest.fail(f"{message}; {REQUIRE_REDIS}=1 forbids skipping")
    pytest.skip(message)


def redis_or_skip(appendonly: bool = False) -> RedisServer:
    """A started server; without one, skip the test (or fail it, under REQUIRE_REDIS=1)."""
    if importlib.util.find_spec("redis") is None:
        _skip("needs redis-py: pip install -e '.[dev]'")
    try:
        return RedisServer.start(appendonly=appendonly)
    except RedisUnavailable as exc:
        _skip(f"needs a Redis server: {exc}")
        raise  # not reached: _skip raises


def _flushall(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"FLUSHALL\r\n")
        assert sock.recv(16).startswith(b"+OK")


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    server = redis_or_skip()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    _flushall(redis_server.port)
    return redis_server.url


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    server = redis_or_skip()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="module")
def redis_cluster() -> Iterator[list[RedisServer]]:
    redis_or_skip().close()  # skips (or fails) as any Redis test without a server does
    try:
        servers = start_cluster()
    except RedisUnavailable as exc:
        _skip(f"needs a Redis Cluster: {exc}")
        raise
    try:
        yield servers
    finally:
        for server in servers:
            server.close()
