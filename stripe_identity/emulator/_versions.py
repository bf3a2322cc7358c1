"""``Stripe-Version``: which API version a request asks for, refused when it cannot be one.

Stripe answers a ``Stripe-Version`` it does not know with a 400 ``invalid_request_error`` whose
message is ``Invalid Stripe API version: <the value>``, with no ``code`` or ``param``. Stripe's
reference does not document that answer; it is quoted as received in public reports
(stripe/stripe-java#682 for ``2019-2-19``, beam-community/stripity-stripe#613 for a doubled header,
with the 400, and IgorGanapolsky/ThumbGate#2053 for a made-up future version).

The emulator cannot list every version Stripe has released, so it refuses only what cannot be one:
a value that is not ``YYYY-MM-DD`` (a real date) optionally followed by ``.name`` (the major release,
as in ``2026-09-30.endive``), and a version dated after today. Anything else is accepted, and the
response's ``Stripe-Version`` header names it, as Stripe's does for the version a request used; a
request without the header gets the emulator's own. What follows a ``;`` (beta flags) is not checked.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from ._context import call_of
from ._failures import APIFailure

__all__ = ["check_version", "version_middleware"]

Next = Callable[[web.Request], Awaitable[web.StreamResponse]]

_FORM = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:\.[a-z]+)?")


def _is_version(value: str, today: datetime.date) -> bool:
    match = _FORM.fullmatch(value.partition(";")[0].strip())
    if match is None:
        return False
    try:
        released = datetime.date(*(int(part) for part in match.groups()))
    except ValueError:  # 2026-02-30
        return False
    return released <= today


def check_version(value: str, today: datetime.date | None = None) -> str:
    """``value`` if it can be a Stripe API version; Stripe's 400 otherwise."""
    today = today or datetime.datetime.now(datetime.timezone.utc).date()
    if not _is_version(value, today):
        shown = value if len(value) <= 100 else value[:97] + "..."
        raise APIFailure(400, f"Invalid Stripe API version: {shown}")
    return value


def version_middleware() -> Any:
    @web.middleware
    async def version(request: web.Request, handler: Next) -> web.StreamResponse:
        call = call_of(request)
        value = request.headers.get("Stripe-Version")
        if value is not None and call.route is not None and call.route.kind in ("api", "files"):
            call.stripe_version = check_version(value)
        return await handler(request)

    return version
