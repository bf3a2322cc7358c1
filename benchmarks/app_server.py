"""The application ``--app`` measures: Starlette on uvicorn, two routes, one Stripe client.

* ``POST /sessions`` creates a VerificationSession (``type=document``, the caller's reference as
  ``client_reference_id`` and in ``metadata``) and answers its id and client secret, as a sign-up
  page's back end does;
* ``POST /webhook`` verifies a webhook's ``Stripe-Signature`` and parses the event, answering its type.

The client is one of :data:`BACKENDS`: this SDK's ``AsyncStripeIdentity``, or stripe-python's
``StripeClient`` on its aiohttp or its httpx transport, opened when the app starts (lifespan) and
closed when it stops. Each app is its own spawned process pinned to one core, serving on a socket it
binds itself, so that its CPU time (read from ``/proc``) is the server's alone.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import signal
import socket
from collections.abc import AsyncIterator
from multiprocessing.connection import Connection
from typing import Any

from . import fixtures, sysinfo

__all__ = ["BACKENDS", "WEBHOOK_SECRET", "AppProcess", "event_payload"]

#: name -> what it is, in the order the reports list them.
BACKENDS: dict[str, str] = {
    "si": "stripe_identity (AsyncStripeIdentity)",
    "stripe-aiohttp": "stripe-python, AIOHTTPClient",
    "stripe-httpx": "stripe-python, HTTPXClient (its default async client)",
}

#: A fake signing secret, as the load generator and the app share it.
WEBHOOK_SECRET = "whsec_" + "bench" * 6


def event_payload() -> bytes:
    """An ``identity.verification_session.verified`` event, as Stripe would post it."""
    event = {
        "id": "evt_1PgcBENCH0000000000000000",
        "object": "event",
        "api_version": fixtures.STRIPE_VERSION,
        "created": 1_722_000_000,
        "data": {"object": {**fixtures.SESSION, "status": "verified"}},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": "identity.verification_session.verified",
    }
    return json.dumps(event).encode()


def _create_params(reference: str) -> dict[str, Any]:
    return {"type": "document", "client_reference_id": reference, "metadata": {"order": reference}}


def _app(backend: str, api_base: str) -> Any:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    state: dict[str, Any] = {}

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if backend == "si":
            import stripe_identity as si

            client = si.AsyncStripeIdentity(fixtures.API_KEY, api_base=api_base)
            async with client:
                state["create"] = client.verification_sessions.create
                state["verify"] = lambda payload, header: (
                    si.webhooks.construct_event(payload, header, WEBHOOK_SECRET).type
                )
                yield
            return
        import stripe

        http = stripe.AIOHTTPClient() if backend == "stripe-aiohttp" else stripe.HTTPXClient()
        official = stripe.StripeClient(
            fixtures.API_KEY,
            base_addresses={"api": api_base},
            stripe_version=fixtures.STRIPE_VERSION,
            http_client=http,
        )
        sessions = official.v1.identity.verification_sessions
        state["create"] = lambda params: sessions.create_async(params)
        state["verify"] = lambda payload, header: (
            official.construct_event(payload, header, WEBHOOK_SECRET).type
        )
        try:
            yield
        finally:
            await http.close_async()  # type: ignore[no-untyped-call]

    async def create_session(request: Request) -> JSONResponse:
        session = await state["create"](_create_params(request.query_params["ref"]))
        return JSONResponse({"id": session.id, "client_secret": session.client_secret})

    async def webhook(request: Request) -> JSONResponse:
        payload = await request.body()
        kind = state["verify"](payload, request.headers["stripe-signature"])
        return JSONResponse({"received": kind})

    routes = [
        Route("/sessions", create_session, methods=["POST"]),
        Route("/webhook", webhook, methods=["POST"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


def _serve(conn: Connection, backend: str, api_base: str, core: int | None) -> None:
    import uvicorn

    sysinfo.pin(core)
    # IPPROTO_TCP named, not left 0: asyncio sets TCP_NODELAY only on sockets that say they are
    # TCP, and without it every response waited ~40 ms for a delayed ACK (Nagle).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(
        _app(backend, api_base),
        log_level="warning",
        access_log=False,
        lifespan="on",
        loop="asyncio",
        backlog=4096,
    )
    server = uvicorn.Server(config)
    # Listening already: a request sent before uvicorn is up waits in the backlog, not refused.
    sock.listen(4096)
    conn.send(sock.getsockname()[1])
    server.run(sockets=[sock])


class AppProcess:
    """One app, serving in its own process until :meth:`close` (a SIGTERM: uvicorn's own stop)."""

    def __init__(self, backend: str, api_base: str, core: int | None) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(
            target=_serve, args=(child, backend, api_base, core), name=f"app-{backend}", daemon=True
        )
        self._proc.start()
        child.close()
        if not self._conn.poll(60):
            self._proc.kill()
            raise RuntimeError(f"the {backend} app did not start within 60 s")
        self.url = f"http://127.0.0.1:{self._conn.recv()}"
        self.backend = backend

    @property
    def pid(self) -> int:
        assert self._proc.pid is not None
        return self._proc.pid

    def cpu_s(self) -> float:
        cpu = sysinfo.process_cpu_s(self.pid)
        if cpu is None:
            raise RuntimeError("no /proc: --app needs Linux to read the app's CPU time")
        return cpu

    def close(self) -> None:
        if self._proc.is_alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGTERM)
            self._proc.join(15)
            if self._proc.is_alive():
                self._proc.kill()
                self._proc.join()
        self._conn.close()
