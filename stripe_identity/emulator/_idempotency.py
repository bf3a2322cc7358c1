"""Idempotency as Stripe documents it.

A POST with an ``Idempotency-Key`` is executed once. Its response, whatever the status, is stored once
the endpoint has started executing, and replayed byte for byte to a retry with the same key and the
same params (with ``Idempotent-Replayed: true``). The same key with other params, or on another
endpoint, is an ``idempotency_error``. A key whose first request is still running answers 409. Requests
refused before execution (validation, auth, rate limits) are not stored and may be retried freely.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import attrs
from aiohttp import web

from ._context import call_of
from ._envelope import error_response, json_response
from ._failures import APIFailure

__all__ = ["IdempotencyStore", "Stored", "idempotency_middleware"]

Next = Callable[[web.Request], Awaitable[web.StreamResponse]]


@attrs.frozen
class Stored:
    endpoint: str
    fingerprint: Any
    status: int
    body: bytes
    request_id: str


class IdempotencyStore:
    """The stored responses by (scope: the API key and the account it acts for, idempotency key),
    the keys in use, and the replay count."""

    def __init__(self) -> None:
        self._done: dict[tuple[str, str], Stored] = {}
        self._running: set[tuple[str, str]] = set()
        self.replays = 0

    def clear(self) -> None:
        self._done.clear()
        self._running.clear()
        self.replays = 0

    def __len__(self) -> int:
        return len(self._done)

    def lookup(self, scope: str, key: str, endpoint: str, fingerprint: Any) -> Stored | None:
        """The stored response to replay, ``None`` to execute, or a failure to send."""
        slot = (scope, key)
        if slot in self._running:
            raise APIFailure(
                409,
                "There is currently another in-progress request using this Idempotent Key (that "
                "probably means you submitted twice, and the other request is still going "
                f"through): {key}. Please try again later.",
                code="idempotency_key_in_use",
            )
        stored = self._done.get(slot)
        if stored is None:
            return None
        if stored.endpoint != endpoint:
            raise APIFailure(
                400,
                "Keys for idempotent requests can only be used for the same endpoint they were "
                f"first used for ('{stored.endpoint}' vs '{endpoint}'). Try using a key other "
                f"than '{key}' if you meant to execute a different request.",
                type_="idempotency_error",
            )
        if stored.fingerprint != fingerprint:
            raise APIFailure(
                400,
                "Keys for idempotent requests can only be used with the same parameters they "
                f"were first used with. Try using a key other than '{key}' if you meant to "
                "execute a different request.",
                type_="idempotency_error",
            )
        return stored

    def begin(self, scope: str, key: str) -> None:
        self._running.add((scope, key))

    def abandon(self, scope: str, key: str) -> None:
        self._running.discard((scope, key))

    def finish(self, scope: str, key: str, stored: Stored) -> None:
        self._running.discard((scope, key))
        self._done[(scope, key)] = stored


def idempotency_middleware(store: IdempotencyStore) -> Any:
    """Replay, refuse or run-and-store each POST that carries an ``Idempotency-Key``."""

    @web.middleware
    async def idempotency(request: web.Request, handler: Next) -> web.StreamResponse:
        call = call_of(request)
        key = request.headers.get("Idempotency-Key")
        if request.method != "POST" or not key or call.route is None or call.route.kind != "api":
            return await handler(request)
        assert call.caller is not None
        # Per key and account: a platform's key acting for two connected accounts keeps two
        # sets of keys, so one account can never be answered with another's object.
        scope = f"{call.caller.key}|{call.account or ''}"
        endpoint = request.raw_path.partition("?")[0]
        extra = {"Idempotency-Key": key}
        stored = store.lookup(scope, key, endpoint, call.raw_params)
        if stored is not None:
            store.replays += 1
            extra.update({"Idempotent-Replayed": "true", "Original-Request": stored.request_id})
            return json_response(call, stored.status, stored.body, extra)
        store.begin(scope, key)
        try:
            response = await handler(request)
        except APIFailure as failure:
            if failure.status >= 500 or failure.param is not None:
                store.abandon(scope, key)  # refused before it ran: safe to retry as new
                raise
            response = error_response(call, failure)  # it ran, and this was its answer
        except BaseException:
            store.abandon(scope, key)
            raise
        assert isinstance(response, web.Response)
        assert isinstance(response.body, bytes)
        store.finish(
            scope,
            key,
            Stored(endpoint, call.raw_params, response.status, response.body, call.request_id),
        )
        response.headers.update(extra)
        response.headers["Original-Request"] = call.request_id
        return response

    return idempotency
