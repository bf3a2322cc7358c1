"""The async client fixture as pytest-asyncio runs it, one per loop scope.

Registered by :mod:`stripe_identity.testing` only when pytest-asyncio is active (this module imports
it). ``stripe_identity_async_client`` picks the variant whose loop scope is the requesting test's,
so the client's connection pool lives on the loop the test runs on.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest_asyncio

from ._client import AsyncStripeIdentity
from ._testing_clients import ASYNCIO_CLIENT, LOOP_SCOPES, new_async_client


def _variant(loop_scope: Any) -> Callable[..., Any]:
    async def client(
        stripe_identity_api_base: str, stripe_identity_api_key: str
    ) -> AsyncIterator[AsyncStripeIdentity]:
        async with new_async_client(stripe_identity_api_base, stripe_identity_api_key) as client:
            yield client

    fixture: Callable[..., Any] = pytest_asyncio.fixture(
        client, loop_scope=loop_scope, name=ASYNCIO_CLIENT.format(loop_scope)
    )
    return fixture


for _scope in LOOP_SCOPES:
    globals()[ASYNCIO_CLIENT.format(_scope)] = _variant(_scope)
