"""``/v1/identity/verification_sessions``: the six session operations."""

from __future__ import annotations

from typing import Any

from .._context import Call, Route
from .._paging import field_filter, list_object, page
from .._sensitive import SESSION_EXPANSIONS, listed, refuse_secret_key, session_view

__all__ = ["ROUTES"]

_PATH = "/v1/identity/verification_sessions"


def _view(call: Call, session: dict[str, Any]) -> dict[str, Any]:
    return session_view(session, call.expand, call.app.state.reports)


# Each handler refuses a secret key's sensitive expansions first: before anything changes.


async def create(call: Call) -> dict[str, Any]:
    refuse_secret_key(call.expand, call.caller)
    return _view(call, call.app.state.create(call.params))


async def retrieve(call: Call) -> dict[str, Any]:
    refuse_secret_key(call.expand, call.caller)
    return _view(call, call.app.state.session(call.ids[0]))


async def update(call: Call) -> dict[str, Any]:
    refuse_secret_key(call.expand, call.caller)
    return _view(call, call.app.state.update(call.ids[0], call.params))


async def cancel(call: Call) -> dict[str, Any]:
    refuse_secret_key(call.expand, call.caller)
    return _view(call, call.app.state.cancel(call.ids[0]))


async def redact(call: Call) -> dict[str, Any]:
    refuse_secret_key(call.expand, call.caller)
    return _view(call, call.app.state.redact(call.ids[0]))


async def list_sessions(call: Call) -> dict[str, Any]:
    refuse_secret_key(call.expand, call.caller)
    state = call.app.state
    matches = field_filter(
        call.params, ("client_reference_id", "related_customer", "related_customer_account", "status")
    )
    data, has_more = page(
        state.session_order, state.sessions, "verification_session", call.params, matches
    )
    inside = tuple(path[5:] for path in call.expand)  # behind "data."
    views = [session_view(session, inside, state.reports) for session in data]
    return list_object(_PATH, views, has_more)


ROUTES = [
    Route(
        "POST",
        _PATH,
        "create",
        create,
        spec_id="PostIdentityVerificationSessions",
        expandable=SESSION_EXPANSIONS,
    ),
    Route(
        "GET",
        _PATH,
        "list",
        list_sessions,
        spec_id="GetIdentityVerificationSessions",
        expandable=listed(SESSION_EXPANSIONS),
    ),
    Route(
        "GET",
        _PATH + "/{}",
        "retrieve",
        retrieve,
        spec_id="GetIdentityVerificationSessionsSession",
        expandable=SESSION_EXPANSIONS,
    ),
    Route(
        "POST",
        _PATH + "/{}",
        "update",
        update,
        spec_id="PostIdentityVerificationSessionsSession",
        expandable=SESSION_EXPANSIONS,
    ),
    Route(
        "POST",
        _PATH + "/{}/cancel",
        "cancel",
        cancel,
        spec_id="PostIdentityVerificationSessionsSessionCancel",
        expandable=SESSION_EXPANSIONS,
    ),
    Route(
        "POST",
        _PATH + "/{}/redact",
        "redact",
        redact,
        spec_id="PostIdentityVerificationSessionsSessionRedact",
        expandable=SESSION_EXPANSIONS,
    ),
]
