"""Resource bounds: no growth over many requests, silent servers cut off, huge bodies refused."""

from __future__ import annotations

import asyncio
import gc
import os
import time
from collections.abc import AsyncIterator

import anyio
import pytest

import stripe_identity as si
from stripe_identity.emulator import Emulator
from tests.conftest import TEST_KEY
from tests.fake_api import FakeStripe, Reply
from tests.scale import scale

DOCUMENT: si.VerificationSessionCreateParamsDict = {"type": "document"}

pytestmark = pytest.mark.anyio


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


async def test_soak_has_no_fd_or_task_growth() -> None:
    total, concurrency = scale(2_000, 20_000), 16
    with Emulator() as emu:  # on its own thread: this loop's tasks are the client's alone
        async with si.AsyncStripeIdentity(
            TEST_KEY, api_base=emu.api_base, max_connections=concurrency
        ) as client:
            session = await client.verification_sessions.create({"type": "document"})

            async def batch(n: int) -> None:
                async with anyio.create_task_group() as tg:
                    for i in range(n):
                        if i % 4 == 0:
                            tg.start_soon(client.verification_sessions.create, DOCUMENT)
                        else:
                            tg.start_soon(client.verification_sessions.retrieve, session.id)

            await batch(concurrency * 4)  # warm up: the pool is full from here on
            fds, tasks = [open_fds()], [len(asyncio.all_tasks())]
            done = 0
            while done < total:
                await batch(200)
                done += 200
                fds.append(open_fds())
                tasks.append(len(asyncio.all_tasks()))
            emu.reset()  # the emulator's own memory is not what is measured here
    assert max(fds) - fds[0] <= 2, fds
    assert max(tasks) == tasks[0], tasks
    print(f"\n{total} requests: fds {min(fds)}..{max(fds)}, tasks {min(tasks)}..{max(tasks)}")


@pytest.fixture
async def silent_server(anyio_backend: str) -> AsyncIterator[str]:
    """Accepts connections and reads, but never answers."""
    connections: list[asyncio.StreamWriter] = []

    async def swallow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer)
        while await reader.read(65536):
            pass

    server = await asyncio.start_server(swallow, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        for writer in connections:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_a_server_that_never_answers_is_cut_off_by_the_timeout(silent_server: str) -> None:
    async with si.AsyncStripeIdentity(
        TEST_KEY, api_base=silent_server, timeout=0.3, retry_policy=si.RetryPolicy.no_wait()
    ) as client:
        started = time.monotonic()
        with pytest.raises(si.APITimeoutError) as info:
            await client.verification_sessions.create({"type": "document"})
        elapsed = time.monotonic() - started
    assert 0.9 <= elapsed < 3  # three attempts of 0.3 s, then a typed error
    assert info.value.idempotency_key is not None


async def test_a_10_mb_body_is_refused_cleanly(fake_api: FakeStripe) -> None:
    fake_api.queue(Reply(200, body=b"{" + b" " * 10_000_000 + b"}"))
    async with si.AsyncStripeIdentity(TEST_KEY, api_base=fake_api.url) as client:
        with pytest.raises(si.APIError, match="exceeds"):
            await client.verification_sessions.retrieve("vs_1")
        assert (await client.verification_sessions.retrieve("vs_2")).id == "vs_2"
    gc.collect()
