"""The emulator's resources, one module each: its routes and the handlers that answer them.

Each module is named after the SDK's module for the same resource (``stripe_identity/_resources/``),
plus the emulator's own ``verify_page`` (what a session's ``url`` opens), ``stripe_js`` (a stand-in
for Stripe.js's ``verifyIdentity``, which opens that page in a modal) and ``control``
(``/_emulator/``). Each exports ``routes(...)``, which takes the stores its handlers answer from and
returns its ``Route``s; :func:`routes` collects them all from a :class:`Backend` (the app) for one
router. Handlers get the ``Call`` the middlewares prepared (route, ids, caller, checked params and
expansions) and return the JSON object to send, or a response of their own (file contents, HTML).
"""

from __future__ import annotations

from typing import Any, Protocol

from .._context import Route
from .._state import State
from .._thin_events import ThinEventStore
from . import (
    control,
    ephemeral_keys,
    events,
    file_links,
    files,
    stripe_js,
    thin_events,
    verification_reports,
    verification_sessions,
    verify_page,
)
from .ephemeral_keys import EphemeralKeyStore
from .file_links import FileLinkStore
from .files import FileStore

__all__ = ["Backend", "routes"]


class Backend(Protocol):
    """What the resources answer from: the emulator's stores, and its own reset, stats and
    request log."""

    state: State
    files: FileStore
    file_links: FileLinkStore
    ephemeral_keys: EphemeralKeyStore
    thin_events: ThinEventStore

    def reset(self) -> None: ...

    def stats(self) -> dict[str, Any]: ...

    def requests(self, operation: str | None = None) -> list[dict[str, Any]]: ...


def routes(backend: Backend) -> list[Route]:
    """Every route of the emulator, each handler bound to the stores it answers from."""
    return [
        *verification_sessions.routes(backend.state),
        *verification_reports.routes(backend.state),
        *ephemeral_keys.routes(backend.ephemeral_keys),
        *files.routes(backend.files, backend.file_links.of_file),
        *file_links.routes(backend.file_links),
        *events.routes(backend.state),
        *thin_events.routes(backend.thin_events),
        *verify_page.routes(backend.state),
        *stripe_js.routes(backend.state),
        *control.routes(backend.state, backend.files, backend.reset, backend.stats, backend.requests),
    ]
