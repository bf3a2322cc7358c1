"""The HTTP face of the emulator: routing, auth, faults, idempotency, and Stripe-shaped answers.

One catch-all handler routes on the raw path, so an id holding an escaped ``/`` stays one segment
(``vs_1%2F..%2Fx`` is looked up, and not found, rather than walking the path). Any request, however
broken, gets a JSON answer in Stripe's envelope: a 4xx for what the client got wrong, never a 5xx
unless a fault was asked for.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import unquote

import orjson
from aiohttp import web

from .._encoding import FormDecodeError, decode_form
from ._failures import APIFailure, invalid
from ._faults import FaultPlan, Faults
from ._idempotency import IdempotencyStore, Stored
from ._objects import IdFactory
from ._spec import SCHEMA
from ._state import State
from ._validate import UNSET, validate

__all__ = ["EmulatorApp"]

logger = logging.getLogger("stripe_identity.emulator")


_SESSIONS = "/v1/identity/verification_sessions"
_REPORTS = "/v1/identity/verification_reports"

# (method, path pattern) -> (operation name, operationId in the spec)
_ROUTES: dict[tuple[str, str], tuple[str, str]] = {
    ("POST", _SESSIONS): ("create", "PostIdentityVerificationSessions"),
    ("GET", _SESSIONS): ("list", "GetIdentityVerificationSessions"),
    ("GET", _SESSIONS + "/{}"): ("retrieve", "GetIdentityVerificationSessionsSession"),
    ("POST", _SESSIONS + "/{}"): ("update", "PostIdentityVerificationSessionsSession"),
    ("POST", _SESSIONS + "/{}/cancel"): ("cancel", "PostIdentityVerificationSessionsSessionCancel"),
    ("POST", _SESSIONS + "/{}/redact"): ("redact", "PostIdentityVerificationSessionsSessionRedact"),
    ("GET", _REPORTS): ("list_reports", "GetIdentityVerificationReports"),
    ("GET", _REPORTS + "/{}"): ("retrieve_report", "GetIdentityVerificationReportsReport"),
}
_PATTERNS = {pattern for _, pattern in _ROUTES}

_EXPANDABLE = {
    "list": {"data.last_verification_report"},
    "list_reports": set(),
    "retrieve_report": set(),
}
_SESSION_EXPANDABLE = {"last_verification_report"}

_NO_KEY = (
    "You did not provide an API key. You need to provide your API key in the Authorization "
    "header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See "
    "https://stripe.com/docs/api#authentication for details, or we can help at "
    "https://support.stripe.com/."
)


class _Reset(Exception):
    """Drop the connection instead of answering."""


def _masked(key: str) -> str:
    return key[:8] + "*" * max(len(key) - 12, 4) + key[-4:] if len(key) > 12 else "*" * len(key)


def _api_key(header: str) -> str | None:
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() == "bearer":
        return credentials.strip() or None
    if scheme.lower() == "basic":
        import base64
        import binascii

        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.partition(":")[0] or None
    return None


def _is_test_key(key: str) -> bool:
    # Like stripe-mock: three parts, secret or restricted, test mode.
    parts = key.split("_", 2)
    return len(parts) == 3 and parts[0] in ("sk", "rk") and parts[1] == "test" and bool(parts[2])


class EmulatorApp:
    """State plus the aiohttp application that serves it."""

    def __init__(
        self,
        *,
        faults: Faults | dict[str, Faults] | None,
        latency: float,
        seed: object,
        processing_delay: float,
        redaction_delay: float,
        on_event: Callable[[dict[str, Any]], None],
    ) -> None:
        import random

        self.ids = IdFactory(random.Random(f"{seed}:ids"))
        self.api_version: str = SCHEMA["api_version"]
        self.latency = latency
        self.faults = FaultPlan(faults, seed)
        self.idempotency = IdempotencyStore()
        self.state = State(
            self.ids,
            api_version=self.api_version,
            schedule=self._schedule,
            on_event=on_event,
            processing_delay=processing_delay,
            redaction_delay=redaction_delay,
        )
        self.requests: Counter[str] = Counter()
        self.statuses: Counter[int] = Counter()
        self.replays = 0
        self._timers: set[asyncio.TimerHandle] = set()
        # A middleware rather than a route: it sees every request, even a path the router's
        # patterns cannot match (an escaped newline, say), and routes on the raw path itself.
        self.app = web.Application(client_max_size=1024 * 1024, middlewares=[self._everything])

    # --- plumbing --------------------------------------------------------------------------------

    def _schedule(self, delay: float, callback: Callable[[], None]) -> None:
        loop = asyncio.get_running_loop()

        def run() -> None:
            self._timers.discard(handle)
            callback()

        handle = loop.call_later(delay, run)
        self._timers.add(handle)

    def reset(self) -> None:
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()
        self.state.reset()
        self.idempotency.clear()
        self.requests.clear()
        self.statuses.clear()
        self.replays = 0

    def stats(self) -> dict[str, Any]:
        return {
            "requests": sum(self.requests.values()),
            "by_operation": dict(sorted(self.requests.items())),
            "by_status": {str(k): v for k, v in sorted(self.statuses.items())},
            "faults": dict(self.faults.counts),
            "idempotent_replays": self.replays,
            "idempotency_keys": len(self.idempotency),
            "sessions": len(self.state.sessions),
            "reports": len(self.state.reports),
            "events": len(self.state.events),
        }

    def _json(
        self, status: int, body: Any, request_id: str, extra: dict[str, str] | None = None
    ) -> web.Response:
        return self._raw(status, orjson.dumps(body), request_id, extra)

    def _raw(
        self, status: int, body: bytes, request_id: str, extra: dict[str, str] | None = None
    ) -> web.Response:
        headers = {
            "Request-Id": request_id,
            "Stripe-Version": self.api_version,
            "Cache-Control": "no-cache, no-store",
        }
        if extra:
            headers.update(extra)
        self.statuses[status] += 1
        return web.Response(status=status, body=body, headers=headers, content_type="application/json")

    # --- the handler -----------------------------------------------------------------------------

    @web.middleware
    async def _everything(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        return await self.handle(request)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        request_id = self.ids.request_id()
        try:
            return await self._dispatch(request, request_id)
        except APIFailure as failure:
            extra = dict(failure.headers)
            return self._json(failure.status, failure.body(request_id), request_id, extra)
        except _Reset:
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=500)  # never written: the connection is gone
        except (asyncio.CancelledError, KeyboardInterrupt, SystemExit):
            raise
        except Exception:  # a bug of ours: still answer in Stripe's shape
            logger.exception("emulator error on %s %s", request.method, request.path)
            bug = APIFailure(500, "An unknown error occurred", type_="api_error")
            return self._json(500, bug.body(request_id), request_id)

    async def _dispatch(self, request: web.Request, request_id: str) -> web.StreamResponse:
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            raise APIFailure(413, "The request body is too large.") from None
        raw_path = request.raw_path.partition("?")[0]
        if raw_path.startswith("/_emulator/"):
            return await self._control(request, raw_path, body, request_id)
        operation, op_id, path_ids = self._route(request.method, raw_path)
        self.requests[operation] += 1
        key = self._authenticate(request)
        faults = self.faults.faults_for(operation)
        fault = self.faults.draw(faults) if faults is not None else None
        if faults is not None:
            self._refuse_early(fault, faults)
        is_post = request.method == "POST"
        text = self._text(body if is_post else request.query_string.encode("utf-8"))
        try:
            raw_params = decode_form(text)
        except FormDecodeError as exc:
            raise invalid(exc.param or "body", str(exc)) from None
        params = self._validated(op_id, raw_params)
        expand = self._expand(operation, params.pop("expand", None))
        idem_key = request.headers.get("Idempotency-Key") if is_post else None
        extra = {"Idempotency-Key": idem_key} if idem_key else {}
        if idem_key:
            endpoint = raw_path
            stored = self.idempotency.lookup(key, idem_key, endpoint, raw_params)
            if stored is not None:
                self.replays += 1
                extra.update({"Idempotent-Replayed": "true", "Original-Request": stored.request_id})
                return self._raw(stored.status, stored.body, request_id, extra)
            self.idempotency.begin(key, idem_key)
            try:
                await self._delay(faults)
                status, payload = self._execute(operation, path_ids, params, expand)
            except APIFailure as failure:
                if failure.status >= 500 or failure.param is not None:
                    self.idempotency.abandon(key, idem_key)  # not executed: safe to retry
                    raise
                status, payload = failure.status, failure.body(request_id)
            except BaseException:
                self.idempotency.abandon(key, idem_key)
                raise
            encoded = orjson.dumps(payload)
            self.idempotency.finish(
                key, idem_key, Stored(endpoint, raw_params, status, encoded, request_id)
            )
            if fault == "reset_after_commit":
                raise _Reset
            extra["Original-Request"] = request_id
            return self._raw(status, encoded, request_id, extra)
        await self._delay(faults)
        status, payload = self._execute(operation, path_ids, params, expand)
        if fault == "reset_after_commit":
            raise _Reset
        return self._json(status, payload, request_id, extra)

    def _route(self, method: str, raw_path: str) -> tuple[str, str, list[str]]:
        segments = raw_path.rstrip("/").split("/") if raw_path != "/" else [""]
        ids: list[str] = []
        pattern_parts = []
        for index, segment in enumerate(segments):
            # /v1/identity/<collection>/<id>[/<action>]: the 4th segment is the id.
            if index == 4:
                ids.append(unquote(segment))
                pattern_parts.append("{}")
            else:
                pattern_parts.append(segment)
        pattern = "/".join(pattern_parts)
        route = _ROUTES.get((method, pattern))
        if route is not None and not raw_path.endswith("/"):
            return route[0], route[1], ids
        if pattern in _PATTERNS and not raw_path.endswith("/"):
            allowed = sorted(m for m, p in _ROUTES if p == pattern)
            raise APIFailure(
                405,
                f"Unrecognized request URL ({method}: {raw_path}). This endpoint accepts "
                f"{' and '.join(allowed)} requests.",
                headers={"Allow": ", ".join(allowed)},
            )
        raise APIFailure(
            404,
            f"Unrecognized request URL ({method}: {raw_path}). If you are trying to list objects, "
            "remove the trailing slash. If you are trying to retrieve an object, make sure you "
            "passed a valid (non-empty) identifier in your code. Please see "
            "https://stripe.com/docs or we can help at https://support.stripe.com/.",
        )

    @staticmethod
    def _authenticate(request: web.Request) -> str:
        header = request.headers.get("Authorization", "")
        key = _api_key(header)
        if key is None:
            raise APIFailure(401, _NO_KEY)
        if not _is_test_key(key):
            raise APIFailure(
                401,
                f"Invalid API Key provided: {_masked(key)}. The emulator accepts test mode keys "
                "only (sk_test_... or rk_test_...).",
            )
        return key

    def _refuse_early(self, fault: str | None, faults: Faults) -> None:
        """Faults that strike before the request runs (and so are never stored)."""
        if fault == "server_error":
            status = self.faults.status(faults)
            raise APIFailure(
                status,
                "There was an unexpected error processing this request (injected by the "
                "emulator's fault settings).",
                type_="api_error",
            )
        if fault == "rate_limit":
            headers = {}
            if faults.retry_after is not None:
                headers["Retry-After"] = f"{faults.retry_after:g}"
            raise APIFailure(
                429,
                "This object cannot be accessed right now because another API request or Stripe "
                "process is currently accessing it. If you see this error intermittently, retry "
                "the request.",
                code="lock_timeout",
                headers=headers,
            )
        if fault == "reset_before_commit":
            raise _Reset

    async def _delay(self, faults: Faults | None) -> None:
        seconds = self.latency + (faults.latency if faults is not None else 0.0)
        if seconds > 0:
            await asyncio.sleep(seconds)

    @staticmethod
    def _text(body: bytes) -> str:
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            raise APIFailure(400, "The request body is not valid UTF-8.") from None

    @staticmethod
    def _validated(op_id: str, raw: dict[str, Any]) -> dict[str, Any]:
        operation = SCHEMA["operations"][op_id]
        if operation["method"] == "POST":
            return validate(raw, operation["body"])
        schema = {
            "type": "object",
            "properties": {
                name: spec["schema"]
                for name, spec in operation["parameters"].items()
                if spec["in"] == "query"
            },
        }
        return validate(raw, schema)

    @staticmethod
    def _expand(operation: str, expand: Any) -> frozenset[str]:
        if expand is None or expand is UNSET:
            return frozenset()
        allowed = _EXPANDABLE.get(operation, _SESSION_EXPANDABLE)
        for index, field in enumerate(expand):
            if field not in allowed:
                hint = ""
                if f"data.{field}" in allowed:
                    hint = f" You may want to try expanding 'data.{field}' instead."
                raise invalid(f"expand[{index}]", f"This property cannot be expanded ({field}).{hint}")
        return frozenset(expand)

    # --- operations ------------------------------------------------------------------------------

    def _execute(
        self, operation: str, ids: list[str], params: dict[str, Any], expand: frozenset[str]
    ) -> tuple[int, Any]:
        state = self.state
        if operation == "create":
            return 200, self._session_view(state.create(params), expand)
        if operation == "retrieve":
            return 200, self._session_view(state.session(ids[0]), expand)
        if operation == "update":
            return 200, self._session_view(state.update(ids[0], params), expand)
        if operation == "cancel":
            return 200, self._session_view(state.cancel(ids[0]), expand)
        if operation == "redact":
            return 200, self._session_view(state.redact(ids[0]), expand)
        if operation == "list":
            data, has_more = state.page(
                state.session_order,
                state.sessions,
                "verification_session",
                params,
                _session_filter(params),
            )
            nested = frozenset(f[5:] for f in expand)
            return 200, self._list(_SESSIONS, [self._session_view(s, nested) for s in data], has_more)
        if operation == "list_reports":
            data, has_more = state.page(
                state.report_order,
                state.reports,
                "verification_report",
                params,
                _report_filter(params),
            )
            return 200, self._list(_REPORTS, data, has_more)
        if operation == "retrieve_report":
            return 200, state.report(ids[0])
        raise AssertionError(operation)

    def _session_view(self, session: dict[str, Any], expand: frozenset[str]) -> dict[str, Any]:
        report_id = session["last_verification_report"]
        if "last_verification_report" in expand and report_id is not None:
            return {**session, "last_verification_report": self.state.reports[report_id]}
        return session

    @staticmethod
    def _list(url: str, data: list[dict[str, Any]], has_more: bool) -> dict[str, Any]:
        return {"object": "list", "data": data, "has_more": has_more, "url": url}

    # --- /_emulator/ control routes --------------------------------------------------------------

    async def _control(
        self, request: web.Request, raw_path: str, body: bytes, request_id: str
    ) -> web.StreamResponse:
        parts = raw_path.strip("/").split("/")[1:]
        method = request.method
        if (
            method == "POST"
            and len(parts) == 3
            and parts[0] == "verification_sessions"
            and parts[2] == "submit"
        ):
            fields = self._control_fields(request, body)
            unknown = sorted(set(fields) - {"outcome", "error_code"})
            if unknown:
                raise invalid(unknown[0], f"Received unknown parameter: {unknown[0]}")
            error_code = fields.get("error_code") or None
            session = self.state.submit(unquote(parts[1]), fields.get("outcome", "verified"), error_code)
            return self._json(200, session, request_id)
        if method == "POST" and parts == ["reset"]:
            self.reset()
            return self._json(200, {"reset": True}, request_id)
        if method == "GET" and parts == ["stats"]:
            return self._json(200, self.stats(), request_id)
        if method == "GET" and parts == ["events"]:
            wanted = request.query.get("session")
            events = self.state.events_for([wanted] if wanted else None)
            return self._json(200, {"object": "list", "data": events}, request_id)
        raise APIFailure(404, f"Unrecognized emulator URL ({method}: {raw_path}).")

    @staticmethod
    def _control_fields(request: web.Request, body: bytes) -> dict[str, str]:
        text = EmulatorApp._text(body)
        if request.content_type == "application/json":
            try:
                data = json.loads(text or "{}")
            except ValueError:
                raise APIFailure(400, "The request body is not valid JSON.") from None
            if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
                raise APIFailure(400, "Expected a JSON object of strings.")
            return data
        try:
            decoded = decode_form(text)
        except FormDecodeError as exc:
            raise invalid(exc.param or "body", str(exc)) from None
        if not all(isinstance(v, str) for v in decoded.values()):
            raise APIFailure(400, "Expected flat form fields.")
        return decoded


def _created_matches(created: Any) -> Callable[[dict[str, Any]], bool]:
    if created is None or created is UNSET:
        return lambda item: True
    if isinstance(created, int):
        return lambda item: bool(item["created"] == created)
    bounds = {k: v for k, v in created.items() if v is not UNSET}

    def check(item: dict[str, Any]) -> bool:
        value = item["created"]
        return (
            ("gt" not in bounds or value > bounds["gt"])
            and ("gte" not in bounds or value >= bounds["gte"])
            and ("lt" not in bounds or value < bounds["lt"])
            and ("lte" not in bounds or value <= bounds["lte"])
        )

    return check


def _field_filter(params: dict[str, Any], names: tuple[str, ...]) -> Callable[[dict[str, Any]], bool]:
    wanted = {name: params[name] for name in names if params.get(name) not in (None, UNSET)}
    created = _created_matches(params.get("created"))

    def matches(item: dict[str, Any]) -> bool:
        return created(item) and all(item.get(k) == v for k, v in wanted.items())

    return matches


def _session_filter(params: dict[str, Any]) -> Callable[[dict[str, Any]], bool]:
    return _field_filter(
        params, ("client_reference_id", "related_customer", "related_customer_account", "status")
    )


def _report_filter(params: dict[str, Any]) -> Callable[[dict[str, Any]], bool]:
    return _field_filter(params, ("client_reference_id", "type", "verification_session"))
