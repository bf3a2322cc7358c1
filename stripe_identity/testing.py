"""pytest fixtures for testing your own integration against the emulator.

Installed with the package as a pytest plugin, so in your tests::

    def test_new_user_gets_verified(stripe_identity_client, stripe_identity_emulator):
        session = start_verification(stripe_identity_client, user_id=42)   # your code
        stripe_identity_emulator.submit(session.id)                        # the user passes
        assert my_app_marks_user_verified(42)

Fixtures:

* ``stripe_identity_emulator``: a running :class:`~stripe_identity.emulator.Emulator` (one per test
  session, in a background thread, emptied after each test).
* ``stripe_identity_client``: a :class:`~stripe_identity.StripeIdentity` pointed at it.
* ``stripe_identity_async_client``: an :class:`~stripe_identity.AsyncStripeIdentity` pointed at it,
  for async tests (anyio's pytest plugin, or pytest-asyncio in auto mode).
* ``stripe_identity_api_base`` / ``stripe_identity_api_key``: to configure a client of your own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from ._client import AsyncStripeIdentity
from ._retry import RetryPolicy
from ._sync import StripeIdentity
from .emulator import Emulator

__all__ = [
    "stripe_identity_api_base",
    "stripe_identity_api_key",
    "stripe_identity_async_client",
    "stripe_identity_client",
    "stripe_identity_emulator",
]

_TEST_KEY = "sk_test_emulator"


@pytest.fixture(scope="session")
def _stripe_identity_emulator_server() -> Iterator[Emulator]:
    with Emulator() as emulator:
        yield emulator


@pytest.fixture
def stripe_identity_emulator(_stripe_identity_emulator_server: Emulator) -> Iterator[Emulator]:
    """A running emulator, empty at the start of every test."""
    _stripe_identity_emulator_server.reset()
    yield _stripe_identity_emulator_server
    _stripe_identity_emulator_server.reset()


@pytest.fixture
def stripe_identity_api_base(stripe_identity_emulator: Emulator) -> str:
    """The running emulator's URL, for ``api_base=`` of a client you configure yourself."""
    return stripe_identity_emulator.api_base


@pytest.fixture
def stripe_identity_api_key() -> str:
    """A test-mode key the emulator accepts (override this fixture to use another)."""
    return _TEST_KEY


@pytest.fixture
def stripe_identity_client(
    stripe_identity_api_base: str, stripe_identity_api_key: str
) -> Iterator[StripeIdentity]:
    """A sync client on the emulator (retries without waiting, to keep tests fast)."""
    with StripeIdentity(
        stripe_identity_api_key,
        api_base=stripe_identity_api_base,
        retry_policy=RetryPolicy.no_wait(),
    ) as client:
        yield client


@pytest.fixture
async def stripe_identity_async_client(
    stripe_identity_api_base: str, stripe_identity_api_key: str
) -> AsyncIterator[AsyncStripeIdentity]:
    """An async client on the emulator, opened and closed on the test's event loop."""
    async with AsyncStripeIdentity(
        stripe_identity_api_key,
        api_base=stripe_identity_api_base,
        retry_policy=RetryPolicy.no_wait(),
    ) as client:
        yield client
