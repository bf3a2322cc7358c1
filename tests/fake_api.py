"""A scripted stand-in for api.stripe.com on 127.0.0.1, for tests of the SDK's own behaviour.

Each test queues the replies it needs (status, body, headers, or a handler of its own) and reads back
what arrived on the wire. Without a queued reply the server answers like Stripe would for a healthy
request: the spec's example session (with the id from the path), or a one-page list.
"""

from __future__ import annotations

import copy
import json
import pathlib
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import attrs
from aiohttp import web

# Stripe's spec extract, copied into the repository (see tests/data/spec/README.md).
SPEC_DIR = pathlib.Path(__file__).resolve().parent / "data" / "spec"
FIXTURES = json.loads((SPEC_DIR / "verification_session.fixture.json").read_text())
SESSION = FIXTURES["identity.verification_session"]
REPORT = FIXTURES["identity.verification_report"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@attrs.frozen
class Seen:
    """One request as it arrived."""

    method: str
    raw_path: str
    path: str
    query_string: str
    headers: Mapping[str, str]
    body: bytes


@attrs.frozen
class Reply:
    status: int = 200
    json: Any = None
    headers: Mapping[str, str] = attrs.field(factory=dict)
    body: bytes | None = attrs.field(default=None, kw_only=True)


def session_json(session_id: str = "vs_test_1", **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = copy.deepcopy(SESSION)
    data.update(id=session_id, **changes)
    return data


def error_json(type_: str, message: str, **more: Any) -> dict[str, Any]:
    return {"error": {"type": type_, "message": message, **more}}


class FakeStripe:
    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self.script: deque[Reply | Handler] = deque()
        self._runner: web.AppRunner | None = None
        self.url = ""
        self.request_counter = 0

    def queue(self, *replies: Reply | Handler) -> None:
        self.script.extend(replies)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        self.seen.append(
            Seen(
                request.method,
                request.raw_path,
                request.path,
                request.query_string,
                dict(request.headers),
                body,
            )
        )
        self.request_counter += 1
        request_id = f"req_fake{self.request_counter:010d}"
        reply = self.script.popleft() if self.script else None
        if reply is None:
            reply = Reply(json=self._default(request))
        if not isinstance(reply, Reply):
            return await reply(request)
        headers = {"Request-Id": request_id, **reply.headers}
        if reply.body is not None:
            return web.Response(status=reply.status, body=reply.body, headers=headers)
        return web.json_response(reply.json, status=reply.status, headers=headers)

    @staticmethod
    def _default(request: web.Request) -> Any:
        parts = request.path.strip("/").split("/")
        if request.method == "GET" and parts[-1] in (
            "verification_sessions",
            "verification_reports",
        ):
            item = SESSION if parts[-1] == "verification_sessions" else REPORT
            return {"object": "list", "url": request.path, "has_more": False, "data": [item]}
        if "verification_reports" in parts:
            return {**REPORT, "id": parts[-1]}
        session_id = parts[3] if len(parts) > 3 else "vs_new"
        return session_json(session_id)
