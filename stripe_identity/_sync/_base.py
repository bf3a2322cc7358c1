"""``SyncClientBase``: what the sync client does beyond mirroring the async one.

The generated ``StripeIdentity`` (``_client.py``) adds the constructor, the services and the
coroutine methods, each a twin of ``AsyncStripeIdentity``'s; everything else lives here as real code:
holding the :class:`PortalRunner`, ``with_options`` views, closing. A view shares its client's runner
and derives its async view from the runner's client on first use (again after ``os.fork()``, when
the runner has a new client).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING

from .._client import AsyncStripeIdentity
from .._portal import PortalRunner
from .._settings import ViewOptions

if TYPE_CHECKING:
    if sys.version_info >= (3, 11):
        from typing import Self, Unpack
    else:
        from typing_extensions import Self, Unpack

__all__ = ["SyncClientBase"]

Derive = Callable[[AsyncStripeIdentity], AsyncStripeIdentity]


class SyncClientBase:
    """The part of the sync client that is not a mirror of the async one."""

    _runner: PortalRunner
    _derive: Derive | None
    _view: tuple[AsyncStripeIdentity, AsyncStripeIdentity] | None
    _bases: tuple[str, str]

    def _start(self, factory: Callable[[], AsyncStripeIdentity]) -> None:
        """Start the portal, and the async client in it (its settings are checked now)."""
        self._runner = PortalRunner(factory)
        self._derive = None
        self._view = None
        self._runner.start()
        self._bases = (self._runner.client.api_base, self._runner.client.files_base)

    def _async(self) -> AsyncStripeIdentity:
        """The async client (or view) the calls run on."""
        client = self._runner.client
        if self._derive is None:
            return client
        view = self._view
        if view is None or view[0] is not client:  # first use, or a new client after os.fork()
            view = self._view = (client, self._derive(client))
        return view[1]

    def with_options(self, **changes: Unpack[ViewOptions]) -> Self:
        """A view of this client with some settings changed, sharing its connection pool.

        Cheap to make (per tenant, per endpoint...). Closing a view closes nothing: the pool belongs
        to the client the views came from. Pool settings (``max_connections``, TLS, proxies, the
        response size cap) and pacing (``rate_limit``) are shared, not changed.
        """
        derive: Derive = functools.partial(AsyncStripeIdentity.with_options, **changes)
        parent = self._derive
        view = object.__new__(type(self))
        view._runner = self._runner
        view._derive = derive if parent is None else lambda client: derive(parent(client))
        view._view = None
        async_view = view._async()  # the new settings are checked now, not on the first call
        view._bases = (async_view.api_base, async_view.files_base)
        return view

    @property
    def api_base(self) -> str:
        """The API's address."""
        return self._bases[0]

    @property
    def files_base(self) -> str:
        """The files host's address (file contents)."""
        return self._bases[1]

    @property
    def closed(self) -> bool:
        """Whether the client has been closed (it then refuses new requests)."""
        return self._runner.closed

    def __repr__(self) -> str:
        view = "" if self._derive is None else ", view"
        return f"{type(self).__name__}(api_base={self.api_base!r}{view})"

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool and stop the helper thread. Safe to call twice.

        On a ``with_options`` view this does nothing: close the client it came from.
        """
        if self._derive is None:
            self._runner.close()
