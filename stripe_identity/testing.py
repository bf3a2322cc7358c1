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
  opened on the event loop of the async test that asks for it, whichever plugin runs that test:
  anyio's (``@pytest.mark.anyio``), or pytest-asyncio 0.24 or later (``@pytest.mark.asyncio`` in
  strict mode, any ``async def`` test in auto mode).
* ``stripe_identity_api_base`` / ``stripe_identity_api_key``: to configure a client of your own.

The plugin is loaded by every pytest run in an environment that has this package, so it imports
nothing heavy until a fixture is used.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from ._testing_clients import ASYNCIO_CLIENT, LOOP_SCOPES, new_async_client

if TYPE_CHECKING:
    from ._client import AsyncStripeIdentity
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

_NO_ASYNC_PLUGIN = (
    "stripe_identity_async_client needs an async test run by an event loop plugin: mark the test "
    "@pytest.mark.anyio (anyio's plugin, installed with stripe_identity), or @pytest.mark.asyncio "
    "with pytest-asyncio (or set asyncio_mode = auto). A sync test wants stripe_identity_client."
)

_BOTH_PLUGINS = (
    "stripe_identity_async_client: this test is claimed by both anyio's plugin and pytest-asyncio "
    "(whose auto mode marks every async test): drop @pytest.mark.anyio, or use pytest-asyncio's "
    "strict mode"
)


def _pytest_asyncio_active(config: pytest.Config) -> bool:
    # By module, not by name: "asyncio" from its entry point, "pytest_asyncio.plugin" from -p.
    module = sys.modules.get("pytest_asyncio.plugin")
    return module is not None and config.pluginmanager.is_registered(module)


# Why the pytest-asyncio variants could not be registered, if they could not.
_ASYNCIO_PROBLEM = pytest.StashKey[str]()


def pytest_configure(config: pytest.Config) -> None:
    """With pytest-asyncio active, add the async client fixtures it runs (see the module doc)."""
    if _pytest_asyncio_active(config):
        try:
            from . import _testing_asyncio
        except Exception as exc:  # an old pytest-asyncio (loop_scope is 0.24's): fail only our fixture
            config.stash[_ASYNCIO_PROBLEM] = f"{type(exc).__name__}: {exc}"
        else:
            config.pluginmanager.register(_testing_asyncio, "stripe_identity._testing_asyncio")


@pytest.fixture(scope="session")
def _stripe_identity_emulator_server() -> Iterator[Emulator]:
    from .emulator import Emulator

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
    from ._retry import RetryPolicy
    from ._sync import StripeIdentity

    with StripeIdentity(
        stripe_identity_api_key,
        api_base=stripe_identity_api_base,
        retry_policy=RetryPolicy.no_wait(),
    ) as client:
        yield client


@pytest.fixture
def stripe_identity_async_client(request: pytest.FixtureRequest) -> AsyncStripeIdentity:
    """An async client on the emulator, opened and closed on the event loop of the test.

    Works in tests run by anyio's pytest plugin and in tests run by pytest-asyncio (strict or auto
    mode, any loop scope): it hands over to the variant of the fixture that plugin runs.
    """
    client: AsyncStripeIdentity = request.getfixturevalue(_async_client_fixture(request))
    return client


def _async_client_fixture(request: pytest.FixtureRequest) -> str:
    """The name of the async client fixture for the plugin that runs the requesting test."""
    marker = request.node.get_closest_marker("asyncio")
    if marker is not None and _pytest_asyncio_active(request.config):
        # pytest-asyncio runs this test (in auto mode it marks every async test).
        if "anyio_backend" in request.fixturenames:
            # Both plugins claim it; which one opens the client depends on plugin order.
            pytest.fail(_BOTH_PLUGINS, pytrace=False)
        problem = request.config.stash.get(_ASYNCIO_PROBLEM, None)
        if problem is not None:
            pytest.fail(
                f"stripe_identity_async_client needs pytest-asyncio 0.24 or later ({problem})",
                pytrace=False,
            )
        scope = marker.kwargs.get("loop_scope") or marker.kwargs.get("scope")
        if scope is None:
            try:
                scope = request.config.getini("asyncio_default_test_loop_scope")
            except ValueError:  # a pytest-asyncio without the option: function-scoped loops
                scope = None
        if scope not in LOOP_SCOPES:
            scope = "function"
        return ASYNCIO_CLIENT.format(scope)
    if "anyio_backend" in request.fixturenames:
        backend: Any = request.getfixturevalue("anyio_backend")
        name = backend if isinstance(backend, str) else backend[0]
        if name != "asyncio":
            pytest.fail(
                f"stripe_identity_async_client runs on asyncio only (aiohttp does), not {name}: "
                "define an anyio_backend fixture that returns 'asyncio'",
                pytrace=False,
            )
        return "_stripe_identity_async_client_anyio"
    pytest.fail(_NO_ASYNC_PLUGIN, pytrace=False)


@pytest.fixture
async def _stripe_identity_async_client_anyio(
    stripe_identity_api_base: str, stripe_identity_api_key: str
) -> AsyncIterator[AsyncStripeIdentity]:
    # A plain async fixture: anyio's plugin runs it on the test's runner (it is only requested when
    # the test uses anyio_backend); pytest-asyncio in strict mode leaves it alone.
    async with new_async_client(stripe_identity_api_base, stripe_identity_api_key) as client:
        yield client
