"""The emulator's resources, one module each: its routes and the handlers that answer them.

Every module exports ``ROUTES``; the app registers them all on one router. Handlers get the
``Call`` the middlewares prepared (route, ids, caller, checked params and expansions) and return
the JSON object to send, or a response of their own (file contents, HTML pages).
"""

from __future__ import annotations

from . import (
    control,
    ephemeral_keys,
    events,
    file_links,
    files,
    verification_reports,
    verification_sessions,
    verify_page,
)

__all__ = ["ROUTES"]

ROUTES = [
    *verification_sessions.ROUTES,
    *verification_reports.ROUTES,
    *ephemeral_keys.ROUTES,
    *files.ROUTES,
    *file_links.ROUTES,
    *events.ROUTES,
    *verify_page.ROUTES,
    *control.ROUTES,
]
