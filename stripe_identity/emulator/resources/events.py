"""``/v1/events``: every event the emulator emitted, to catch up on missed webhooks.

Newest first, filtered by ``type`` (a name, or a pattern with ``*``), ``types`` (up to 20 names, not
with ``type``), ``created`` and ``delivery_success`` (whether no webhook delivery is still pending).
A request sees the events of the account it acts for: the platform's own, or one connected
account's (those carry ``account``). Each event keeps the ``api_version`` it was created with.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from .._context import Call, Route
from .._failures import invalid, not_found
from .._paging import Matcher, field_filter, list_object, page
from .._state import State
from .._validate import UNSET

__all__ = ["routes"]

_PATH = "/v1/events"
_MAX_TYPES = 20


def _type_matcher(params: dict[str, Any]) -> Matcher:
    name, names = params.get("type"), params.get("types")
    if name is UNSET:  # "type=": an empty filter is no filter, as on the other lists
        name = None
    if name and names:
        raise invalid("types", "You may pass type or types, not both.")
    if names:
        if len(names) > _MAX_TYPES:
            raise invalid("types", f"You may pass up to {_MAX_TYPES} event types.")
        wanted = set(names)
        return lambda event: event["type"] in wanted
    if not name:
        return lambda event: True
    pattern = re.compile(".*".join(re.escape(part) for part in name.split("*")))
    return lambda event: pattern.fullmatch(event["type"]) is not None


def _delivery_matcher(params: dict[str, Any]) -> Matcher:
    wanted = params.get("delivery_success")
    if wanted is None:
        return lambda event: True
    return lambda event: (event["pending_webhooks"] == 0) == wanted


async def list_events(state: State, call: Call) -> dict[str, Any]:
    matches = field_filter(call.params, (), _type_matcher(call.params), _delivery_matcher(call.params))
    order, table = state.owners.scoped(call.account, state.event_order, state.events)
    data, has_more = page(order, table, "event", call.params, matches)
    return list_object(_PATH, data, has_more)


async def retrieve(state: State, call: Call) -> dict[str, Any]:
    event = state.events.get(call.ids[0])
    if event is None or not state.owners.sees(call.account, call.ids[0]):
        raise not_found("event", call.ids[0], "id")
    return event


def routes(state: State) -> list[Route]:
    """The event operations, answered from ``state``."""
    return [
        Route("GET", _PATH, "list_events", partial(list_events, state), spec_id="GetEvents"),
        Route("GET", _PATH + "/{}", "retrieve_event", partial(retrieve, state), spec_id="GetEventsId"),
    ]
