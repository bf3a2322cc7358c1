"""``/v1/identity/verification_sessions``: the six session operations, each within the account the
request acts for; the changes they make carry the request as their events' cause."""

from __future__ import annotations

from functools import partial
from typing import Any

from .._context import Call, Route
from .._events import cause_of
from .._paging import field_filter, list_object, page
from .._sensitive import SESSION_EXPANSIONS, listed, refuse_secret_key, session_view
from .._state import State

__all__ = ["routes"]

_PATH = "/v1/identity/verification_sessions"


def _view(state: State, call: Call, session: dict[str, Any]) -> dict[str, Any]:
    return session_view(session, call.expand, state.reports)


# Each handler refuses a secret key's sensitive expansions first: before anything changes.


async def create(state: State, call: Call) -> dict[str, Any]:
    refuse_secret_key(call.expand, call.caller)
    return _view(state, call, state.create(call.params, call.account, cause_of(call)))


async def retrieve(state: State, call: Call) -> dict[str, Any]:
    refuse_secret_key(call.expand, call.caller)
    return _view(state, call, state.session(call.ids[0], call.account))


async def update(state: State, call: Call) -> dict[str, Any]:
    refuse_secret_key(call.expand, call.caller)
    return _view(state, call, state.update(call.ids[0], call.params, call.account))


async def cancel(state: State, call: Call) -> dict[str, Any]:
    refuse_secret_key(call.expand, call.caller)
    return _view(state, call, state.cancel(call.ids[0], call.account, cause_of(call)))


async def redact(state: State, call: Call) -> dict[str, Any]:
    refuse_secret_key(call.expand, call.caller)
    return _view(state, call, state.redact(call.ids[0], call.account, cause_of(call)))


async def list_sessions(state: State, call: Call) -> dict[str, Any]:
    refuse_secret_key(call.expand, call.caller)
    matches = field_filter(
        call.params, ("client_reference_id", "related_customer", "related_customer_account", "status")
    )
    order, table = state.owners.scoped(call.account, state.session_order, state.sessions)
    data, has_more = page(order, table, "verification_session", call.params, matches)
    inside = tuple(path[5:] for path in call.expand)  # behind "data."
    views = [session_view(session, inside, state.reports) for session in data]
    return list_object(_PATH, views, has_more)


def routes(state: State) -> list[Route]:
    """The session operations, answered from ``state``."""
    return [
        Route(
            "POST",
            _PATH,
            "create",
            partial(create, state),
            spec_id="PostIdentityVerificationSessions",
            expandable=SESSION_EXPANSIONS,
        ),
        Route(
            "GET",
            _PATH,
            "list",
            partial(list_sessions, state),
            spec_id="GetIdentityVerificationSessions",
            expandable=listed(SESSION_EXPANSIONS),
        ),
        Route(
            "GET",
            _PATH + "/{}",
            "retrieve",
            partial(retrieve, state),
            spec_id="GetIdentityVerificationSessionsSession",
            expandable=SESSION_EXPANSIONS,
        ),
        Route(
            "POST",
            _PATH + "/{}",
            "update",
            partial(update, state),
            spec_id="PostIdentityVerificationSessionsSession",
            expandable=SESSION_EXPANSIONS,
        ),
        Route(
            "POST",
            _PATH + "/{}/cancel",
            "cancel",
            partial(cancel, state),
            spec_id="PostIdentityVerificationSessionsSessionCancel",
            expandable=SESSION_EXPANSIONS,
        ),
        Route(
            "POST",
            _PATH + "/{}/redact",
            "redact",
            partial(redact, state),
            spec_id="PostIdentityVerificationSessionsSessionRedact",
            expandable=SESSION_EXPANSIONS,
        ),
    ]
