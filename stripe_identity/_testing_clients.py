"""The async client the pytest fixtures open, and the names of its pytest-asyncio variants.

Shared by :mod:`stripe_identity.testing` (the plugin) and :mod:`stripe_identity._testing_asyncio`
(the variants it registers when pytest-asyncio is active), so that neither imports the other. Like
the plugin, it imports nothing heavy until a client is made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._client import AsyncStripeIdentity

__all__ = ["ASYNCIO_CLIENT", "LOOP_SCOPES", "new_async_client"]

# pytest-asyncio runs a test on the loop of its loop scope; the client must be opened on that loop.
LOOP_SCOPES = ("function", "class", "module", "package", "session")
ASYNCIO_CLIENT = "_stripe_identity_async_client_asyncio_{}"


def new_async_client(api_base: str, api_key: str) -> AsyncStripeIdentity:
    """The async client of the fixtures, to open with ``async with`` on the test's loop."""
    from ._client import AsyncStripeIdentity
    from ._retry import RetryPolicy

    return AsyncStripeIdentity(api_key, api_base=api_base, retry_policy=RetryPolicy.no_wait())
