"""``/v2/core/events``: the thin events the emulator emitted, as the v2 API lists and retrieves them.

``GET /v2/core/events/{id}`` answers a ``v2.core.event``; ``GET /v2/core/events`` answers a v2 list
(``data``, ``next_page_url``, ``previous_page_url``), newest first, filtered by ``object_id`` (the
related object's id), ``types`` (up to 20) and ``created`` (``gt``, ``gte``, ``lt``, ``lte``: RFC 3339
times), ``limit`` (1 to 100, default 10) events a page. A page URL carries one opaque ``page`` token
holding the filters and the position, the v2 way. Errors come in the v2 shape (see ``_envelope``):
an unknown id is a 404 ``not_found``.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import operator
from functools import partial
from typing import Any

import orjson

from ..._encoding import FormDecodeError, decode_form
from .._context import Call, Route
from .._failures import APIFailure
from .._thin_events import ThinEventStore

__all__ = ["routes"]

_PATH = "/v2/core/events"
_MAX_TYPES = 20
_DEFAULT_LIMIT = 10
_BOUNDS = {"gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le}
_PARAMS = frozenset({"created", "limit", "object_id", "page", "types"})


def _bad(message: str) -> APIFailure:
    return APIFailure(400, message)


def _strings(value: Any, name: str) -> list[str]:
    """A query list however it was encoded: ``types[0]=``, ``types[]=`` or one ``types=``."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict) and all(key.isdigit() for key in value):
        value = [value[key] for key in sorted(value, key=int)]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    raise _bad(f"Invalid {name}: expected a list of strings.")


def _time(value: Any, name: str) -> float:
    if not isinstance(value, str):
        raise _bad(f"Invalid {name}: expected an RFC 3339 timestamp.")
    text = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise _bad(f"Invalid {name}: {value!r} is not an RFC 3339 timestamp.") from None
    if moment.tzinfo is None:
        raise _bad(f"Invalid {name}: {value!r} has no time zone.")
    return moment.timestamp()


def _filters(raw: dict[str, Any]) -> dict[str, Any]:
    """The list's filters from the query, checked."""
    unknown = sorted(set(raw) - _PARAMS)
    if unknown:
        raise _bad(f"Received unknown parameter: {unknown[0]}")
    filters: dict[str, Any] = {"limit": _DEFAULT_LIMIT}
    if "limit" in raw:
        text = raw["limit"]
        if not (isinstance(text, str) and text.isdigit() and 1 <= int(text) <= 100):
            raise _bad("Invalid limit: must be a whole number between 1 and 100.")
        filters["limit"] = int(text)
    if "object_id" in raw:
        if not isinstance(raw["object_id"], str):
            raise _bad("Invalid object_id: expected a string.")
        filters["object_id"] = raw["object_id"]
    if "types" in raw:
        types = _strings(raw["types"], "types")
        if len(types) > _MAX_TYPES:
            raise _bad(f"Invalid types: up to {_MAX_TYPES} event types may be given.")
        filters["types"] = types
    if "created" in raw:
        created = raw["created"]
        if not isinstance(created, dict) or not set(created) <= set(_BOUNDS):
            raise _bad("Invalid created: expected created[gt], [gte], [lt] or [lte].")
        filters["created"] = {bound: created[bound] for bound in _BOUNDS if bound in created}
        for bound, value in filters["created"].items():
            _time(value, f"created[{bound}]")
    return filters


def _token(state: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(state)).decode("ascii").rstrip("=")


def _from_token(token: Any) -> dict[str, Any]:
    try:
        state = orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (TypeError, ValueError, binascii.Error):
        state = None
    if not isinstance(state, dict) or "limit" not in state:
        raise _bad("Invalid page: not a page token from a previous list of events.")
    return state


def _matches(store: ThinEventStore, filters: dict[str, Any], event: dict[str, Any]) -> bool:
    if "object_id" in filters and event["related_object"]["id"] != filters["object_id"]:
        return False
    if "types" in filters and event["type"] not in filters["types"]:
        return False
    created = store.created_at(event["id"])
    return all(
        _BOUNDS[bound](created, _time(value, f"created[{bound}]"))
        for bound, value in filters.get("created", {}).items()
    )


def _query(call: Call) -> dict[str, Any]:
    """The query string's params (v2 routes are not checked against the v1 spec's params)."""
    try:
        return decode_form(call.request.raw_path.partition("?")[2])
    except FormDecodeError as exc:
        raise _bad(str(exc)) from None


async def list_events(store: ThinEventStore, call: Call) -> dict[str, Any]:
    raw = _query(call)
    if "page" in raw:
        state = _from_token(raw["page"])
        filters = _filters({k: v for k, v in state.items() if k in _PARAMS - {"page", "limit"}})
        filters["limit"] = state["limit"]
    else:
        state, filters = {}, _filters(raw)
    newest_first = [store.events[i] for i in reversed(store.order)]
    matching = [event for event in newest_first if _matches(store, filters, event)]
    ids = [event["id"] for event in matching]
    start = 0
    if state.get("after") in ids:
        start = ids.index(state["after"]) + 1
    elif state.get("before") in ids:
        start = max(ids.index(state["before"]) - filters["limit"], 0)
    data = matching[start : start + filters["limit"]]
    shared = {k: v for k, v in filters.items() if k != "limit"} | {"limit": filters["limit"]}
    next_url = previous_url = None
    if data and start + len(data) < len(matching):
        next_url = f"{_PATH}?page={_token({**shared, 'after': data[-1]['id']})}"
    if data and start > 0:
        previous_url = f"{_PATH}?page={_token({**shared, 'before': data[0]['id']})}"
    return {"data": data, "next_page_url": next_url, "previous_page_url": previous_url}


async def retrieve(store: ThinEventStore, call: Call) -> dict[str, Any]:
    try:
        return store.events[call.ids[0]]
    except KeyError:
        raise APIFailure(404, f"No such event: '{call.ids[0][:100]}'", code="not_found") from None


def routes(store: ThinEventStore) -> list[Route]:
    """The v2 event operations, answered from ``store``."""
    return [
        Route("GET", _PATH, "list_thin_events", partial(list_events, store)),
        Route("GET", _PATH + "/{}", "retrieve_thin_event", partial(retrieve, store)),
    ]
