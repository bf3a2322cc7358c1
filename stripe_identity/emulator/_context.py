"""``Call``: what the emulator's middlewares learn about one request, for the ones after them.

Each middleware reads what the outer ones found (the route, the caller, the params) from the
request's ``Call`` and adds what it finds itself; the resource handlers at the end get the whole of it.
A ``Call`` knows the request, not the emulator: whoever needs the emulator's state is handed it when
the app is built (see ``_app``), so this module imports nothing of the emulator's.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Literal

import attrs
from aiohttp import web

__all__ = ["Call", "Caller", "Handler", "Kind", "Route", "call_of", "start_call"]

#: ``api``: a JSON API operation. ``files``: file contents (authenticated, not JSON). ``public``: what
#: a browser opens without a key (the verification page, file links). ``control``: ``/_emulator/``.
Kind = Literal["api", "files", "public", "control"]

Handler = Callable[["Call"], Awaitable[web.StreamResponse | dict[str, Any]]]


@attrs.frozen
class Route:
    """One operation: where it lives, what the spec calls it, and who answers it."""

    method: str
    pattern: str  # "/v1/files/{}" : each {} is one path segment, an id
    operation: str  # the name faults and stats use: "create", "retrieve_file"...
    handler: Handler
    kind: Kind = "api"
    spec_id: str | None = None  # the spec's operationId, whose params are validated
    expandable: frozenset[str] = frozenset()


@attrs.frozen
class Caller:
    """Who is calling: the key's kind, the key, and the connected account it acts for (from
    ``Stripe-Account`` or ``Stripe-Context``; for an ephemeral key, its session's account)."""

    kind: Literal["secret", "restricted", "ephemeral"]
    key: str = attrs.field(repr=False)
    account: str | None = None

    @property
    def is_restricted(self) -> bool:
        return self.kind == "restricted"


@attrs.define
class Call:
    """One request as the middlewares saw it."""

    request: web.Request
    request_id: str
    route: Route | None = None
    ids: list[str] = attrs.field(factory=list)
    caller: Caller | None = None
    raw_params: dict[str, Any] = attrs.field(factory=dict)
    params: dict[str, Any] = attrs.field(factory=dict)
    expand: tuple[str, ...] = ()
    body: bytes = b""
    fault: str | None = None
    aborted: bool = False
    stripe_version: str | None = None  # the Stripe-Version asked for, once checked

    @property
    def is_v2(self) -> bool:
        """Whether the request is for the v2 namespace (JSON errors of v2's shape)."""
        return self.request.path.startswith("/v2/")

    @property
    def operation(self) -> str:
        return self.route.operation if self.route is not None else "unrouted"

    @property
    def account(self) -> str | None:
        """The connected account the request acts for (``None``: the platform itself)."""
        return self.caller.account if self.caller is not None else None


# aiohttp 3.14 warns about plain string keys in a request's storage and offers typed keys instead.
_KEY: Any = (
    web.RequestKey("stripe_identity_call", Call)
    if hasattr(web, "RequestKey")
    else "stripe_identity_call"
)


def start_call(request: web.Request, request_id: str) -> Call:
    """Give the request its ``Call`` (the outermost middleware does this)."""
    call = request[_KEY] = Call(request, request_id)
    return call


def call_of(request: web.Request) -> Call:
    """The request's ``Call``."""
    call = request[_KEY]
    assert isinstance(call, Call)
    return call
