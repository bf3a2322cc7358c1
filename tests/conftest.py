from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from anyio.from_thread import start_blocking_portal

import stripe_identity as si
from tests.fake_api import FakeStripe

TEST_KEY = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"


@pytest.fixture
def anyio_backend() -> str:
    # aiohttp runs on asyncio only.
    return "asyncio"


@pytest.fixture
async def fake_api(anyio_backend: str) -> AsyncIterator[FakeStripe]:
    server = FakeStripe()
    await server.start()
    try:
        yield server
    finally:
        await server.close()


@pytest.fixture
async def client(fake_api: FakeStripe) -> AsyncIterator[si.AsyncStripeIdentity]:
    async with si.AsyncStripeIdentity(
        TEST_KEY, api_base=fake_api.url, retry_policy=si.RetryPolicy.no_wait()
    ) as c:
        yield c


@pytest.fixture
def threaded_fake_api() -> Iterator[FakeStripe]:
    """A FakeStripe served from its own event loop thread, for tests of the sync client."""
    with start_blocking_portal("asyncio") as portal:
        server = FakeStripe()
        portal.call(server.start)
        try:
            yield server
        finally:
            portal.call(server.close)
