"""A throwaway ``redis-server`` on 127.0.0.1: a free port, a temporary directory, nothing kept.

    with RedisServer.start() as server:
        limiter = RedisRateLimiter(server.url, "acct", rate=100, on_unavailable="raise")

``RedisServer.start()`` raises :class:`RedisUnavailable` when there is no ``redis-server`` (Debian's
package: ``apt-get install redis-server``) or it does not answer ``PING`` in time. ``stop()`` ends the
server and ``restart()`` starts it again on the same port (an outage, for tests of what happens
then). Nothing is saved to disk unless ``appendonly=True``. :func:`start_cluster` starts three
servers in cluster mode and joins them (``redis-cli --cluster create``), each master of a third of
the slots. The tests (``tests/redis_server.py``) and the many-workers benchmark share this module.
"""

from __future__ import annotations

import contextlib
import random
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

__all__ = ["RedisServer", "RedisUnavailable", "free_port", "start_cluster"]

_READY_TIMEOUT = 15.0


class RedisUnavailable(Exception):
    """No redis-server here, or it did not start."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _free_cluster_port() -> int:
    """A free port whose cluster bus port (10,000 higher, at most 65535) is free too."""
    for _ in range(200):
        port = random.randint(20_000, 55_535)
        try:
            with socket.socket() as first, socket.socket() as bus:
                first.bind(("127.0.0.1", port))
                bus.bind(("127.0.0.1", port + 10_000))
        except OSError:
            continue
        return port
    raise RedisUnavailable("found no free pair of ports for a cluster node")


def _ask(port: int, command: bytes) -> bytes:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(command + b"\r\n")
            return sock.recv(4096)
    except OSError:
        return b""


def _answers_ping(port: int) -> bool:
    return _ask(port, b"PING").startswith(b"+PONG")


class RedisServer:
    """One redis-server process, in a directory of its own."""

    def __init__(self, executable: str, port: int, appendonly: bool, cluster: bool = False) -> None:
        self.executable = executable
        self.port = port
        self.appendonly = appendonly
        self.cluster = cluster
        self._dir = tempfile.TemporaryDirectory(prefix="stripe-identity-redis-")
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def directory(self) -> Path:
        return Path(self._dir.name)

    @classmethod
    def start(cls, appendonly: bool = False, cluster: bool = False) -> RedisServer:
        executable = shutil.which("redis-server")
        if executable is None:
            raise RedisUnavailable("no redis-server on PATH (Debian: apt-get install redis-server)")
        port = _free_cluster_port() if cluster else free_port()
        server = cls(executable, port, appendonly, cluster)
        try:
            server._launch()
        except BaseException:
            server.close()
            raise
        return server

    def _launch(self) -> None:
        command = [
            self.executable,
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--dir", str(self.directory),
            "--save", "",
            "--appendonly", "yes" if self.appendonly else "no",
            "--daemonize", "no",
            "--logfile", str(self.directory / "redis.log"),
        ]  # fmt: skip
        if self.cluster:
            command += ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"]
        self._process = subprocess.Popen(command, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + _READY_TIMEOUT
        while not _answers_ping(self.port):
            if self._process.poll() is not None or time.monotonic() > deadline:
                log = self.directory / "redis.log"
                tail = log.read_text(errors="replace")[-500:] if log.exists() else ""
                self.stop()
                raise RedisUnavailable(f"redis-server did not answer on port {self.port}: {tail}")
            time.sleep(0.02)

    def stop(self) -> None:
        """End the server (SIGTERM, then SIGKILL): clients see connections refused."""
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def restart(self) -> None:
        """Start it again on the same port (with what it persisted, if ``appendonly``)."""
        self.stop()
        self._launch()

    def close(self) -> None:
        self.stop()
        with contextlib.suppress(OSError):
            self._dir.cleanup()

    def __enter__(self) -> RedisServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def start_cluster(nodes: int = 3) -> list[RedisServer]:
    """``nodes`` servers joined in one Redis Cluster (no replicas), ready to serve every slot."""
    cli = shutil.which("redis-cli")
    if cli is None:
        raise RedisUnavailable("no redis-cli on PATH (Debian: apt-get install redis-server)")
    servers: list[RedisServer] = []
    try:
        for _ in range(nodes):
            servers.append(RedisServer.start(cluster=True))
        addresses = [f"127.0.0.1:{server.port}" for server in servers]
        create = [cli, "--cluster", "create", *addresses, "--cluster-replicas", "0", "--cluster-yes"]
        done = subprocess.run(create, capture_output=True, text=True, timeout=60, check=False)
        if done.returncode != 0:
            raise RedisUnavailable(f"redis-cli --cluster create failed: {done.stdout[-500:]}")
        deadline = time.monotonic() + _READY_TIMEOUT
        while not all(b"cluster_state:ok" in _ask(s.port, b"CLUSTER INFO") for s in servers):
            if time.monotonic() > deadline:
                raise RedisUnavailable("the cluster did not reach cluster_state:ok")
            time.sleep(0.05)
    except BaseException:
        for server in servers:
            server.close()
        raise
    return servers
