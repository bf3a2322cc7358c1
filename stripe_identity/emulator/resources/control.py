"""``/_emulator/...``: the emulator's own controls over HTTP (the same as ``Emulator``'s methods).

    POST /_emulator/verification_sessions/{id}/submit   outcome=verified|requires_input, error_code=
    POST /_emulator/files                               purpose=, size=, cut_after=
    POST /_emulator/reset
    GET  /_emulator/stats                               what emu.stats() answers
    GET  /_emulator/events?session=vs_...
    GET  /_emulator/requests?operation=redact           what emu.requests() answers

Bodies are form fields or a JSON object of strings; no key is needed, and the routes act on the
objects of every account. ``submit`` takes an ``error_code`` of a check the session runs, or a
session-level one; another is a 400 naming the code and the session's checks (see ``_checks``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from typing import Any

from ..._encoding import FormDecodeError, decode_form
from .._context import Call, Route
from .._failures import APIFailure, invalid
from .._params import form_text
from .._state import State
from .files import FileStore

__all__ = ["routes"]


def _fields(call: Call, allowed: set[str]) -> dict[str, str]:
    text = form_text(call.body)
    if call.request.content_type == "application/json":
        try:
            data = json.loads(text or "{}")
        except ValueError:
            raise APIFailure(400, "The request body is not valid JSON.") from None
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise APIFailure(400, "Expected a JSON object of strings.")
    else:
        try:
            data = decode_form(text)
        except FormDecodeError as exc:
            raise invalid(exc.param or "body", str(exc)) from None
        if not all(isinstance(v, str) for v in data.values()):
            raise APIFailure(400, "Expected flat form fields.")
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise invalid(unknown[0], f"Received unknown parameter: {unknown[0]}")
    return dict(data)


def _integer(fields: dict[str, str], name: str) -> int | None:
    value = fields.get(name)
    if value is None or value == "":
        return None
    if not value.isdigit():
        raise invalid(name, f"Invalid integer: {value[:40]}")
    return int(value)


async def submit(state: State, call: Call) -> dict[str, Any]:
    fields = _fields(call, {"outcome", "error_code"})
    outcome = fields.get("outcome", "verified")
    return state.submit(call.ids[0], outcome, fields.get("error_code") or None)


async def create_file(files: FileStore, call: Call) -> dict[str, Any]:
    fields = _fields(call, {"purpose", "size", "cut_after"})
    size = _integer(fields, "size")
    if size is None:
        raise invalid("size", "Missing required param: size.")
    cut_after = _integer(fields, "cut_after")
    if cut_after is not None and cut_after >= size:
        raise invalid("cut_after", "cut_after must be smaller than size")
    return files.create(fields.get("purpose", "identity_document_downloadable"), size, cut_after)


async def reset(do_reset: Callable[[], None], call: Call) -> dict[str, Any]:
    do_reset()
    return {"reset": True}


async def stats(get_stats: Callable[[], dict[str, Any]], call: Call) -> dict[str, Any]:
    return get_stats()


async def events(state: State, call: Call) -> dict[str, Any]:
    wanted = call.request.query.get("session")
    return {"object": "list", "data": state.events_for([wanted] if wanted else None)}


RequestsOf = Callable[[str | None], list[dict[str, Any]]]


async def requests(get_requests: RequestsOf, call: Call) -> dict[str, Any]:
    operation = call.request.query.get("operation") or None
    return {"object": "list", "data": get_requests(operation)}


def routes(
    state: State,
    files: FileStore,
    do_reset: Callable[[], None],
    get_stats: Callable[[], dict[str, Any]],
    get_requests: RequestsOf,
) -> list[Route]:
    """The control routes: over ``state`` and ``files``, and the emulator's own reset, stats and
    request log."""
    return [
        Route(
            "POST",
            "/_emulator/verification_sessions/{}/submit",
            "control",
            partial(submit, state),
            kind="control",
        ),
        Route("POST", "/_emulator/files", "control", partial(create_file, files), kind="control"),
        Route("POST", "/_emulator/reset", "control", partial(reset, do_reset), kind="control"),
        Route("GET", "/_emulator/stats", "control", partial(stats, get_stats), kind="control"),
        Route("GET", "/_emulator/events", "control", partial(events, state), kind="control"),
        Route("GET", "/_emulator/requests", "control", partial(requests, get_requests), kind="control"),
    ]
