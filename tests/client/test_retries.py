"""Retry policy, idempotency keys across attempts, and the logging around them."""

from __future__ import annotations

import asyncio
import json
import logging

import anyio
import pytest
from aiohttp import web

import stripe_identity as si
from stripe_identity._retry import RetryPolicy, should_retry_response
from tests.conftest import TEST_KEY
from tests.fake_api import FakeStripe, Reply, error_json, session_json

pytestmark = pytest.mark.anyio

API_ERROR = error_json("api_error", "An unknown error occurred")


def recording_policy(delays: list[float]) -> RetryPolicy:
    async def record(seconds: float) -> None:
        delays.append(seconds)

    return RetryPolicy(sleep=record)


async def test_post_retries_reuse_idempotency_key(
    client: si.AsyncStripeIdentity, fake_api: FakeStripe
) -> None:
    fake_api.queue(Reply(500, API_ERROR), Reply(503, API_ERROR))
    session = await client.verification_sessions.create({"type": "document"})
    assert len(fake_api.seen) == 3
    keys = {seen.headers["Idempotency-Key"] for seen in fake_api.seen}
    assert len(keys) == 1
    assert {seen.body for seen in fake_api.seen} == {b"type=document"}
    assert session.last_response is not None
    assert session.last_response.idempotency_key == keys.pop()


async def test_retries_stop_after_max_retries_with_the_last_error(
    client: si.AsyncStripeIdentity, fake_api: FakeStripe
) -> None:
    fake_api.queue(*[Reply(500, API_ERROR)] * 5)
    with pytest.raises(si.APIError) as info:
        await client.verification_sessions.create({"type": "document"})
    assert len(fake_api.seen) == 3  # the first attempt and max_retries=2
    assert info.value.http_status == 500
    assert info.value.request_id == "req_fake0000000003"
    assert info.value.idempotency_key == fake_api.seen[0].headers["Idempotency-Key"]


async def test_per_request_max_retries_overrides_the_client(
    client: si.AsyncStripeIdentity, fake_api: FakeStripe
) -> None:
    fake_api.queue(*[Reply(500, API_ERROR)] * 10)
    with pytest.raises(si.APIError):
        await client.verification_sessions.retrieve("vs_1", opts={"max_retries": 4})
    assert len(fake_api.seen) == 5
    fake_api.seen.clear()
    with pytest.raises(si.APIError):
        await client.verification_sessions.retrieve("vs_1", opts={"max_retries": 0})
    assert len(fake_api.seen) == 1


async def test_stripe_should_retry_false_wins_over_the_status(
    client: si.AsyncStripeIdentity, fake_api: FakeStripe
) -> None:
    fake_api.queue(Reply(500, API_ERROR, headers={"Stripe-Should-Retry": "false"}))
    with pytest.raises(si.APIError):
        await client.verification_sessions.create({"type": "document"})
    assert len(fake_api.seen) == 1


async def test_stripe_should_retry_true_retries_even_a_400(
    client: si.AsyncStripeIdentity, fake_api: FakeStripe
) -> None:
    fake_api.queue(
        Reply(400, error_json("invalid_request_error", "lock"), {"Stripe-Should-Retry": "true"})
    )
    await client.verification_sessions.create({"type": "document"})
    assert len(fake_api.seen) == 2


async def test_409_is_retried(client: si.AsyncStripeIdentity, fake_api: FakeStripe) -> None:
    conflict = error_json(
        "invalid_request_error",
        "There is currently another in-progress request",
        code="idempotency_key_in_use",
    )
    fake_api.queue(Reply(409, conflict))
    session = await client.verification_sessions.create({"type": "document"})
    assert session.id == "vs_new"
    assert len(fake_api.seen) == 2


async def test_429_honours_retry_after(fake_api: FakeStripe) -> None:
    delays: list[float] = []
    fake_api.queue(
        Reply(429, error_json("invalid_request_error", "Too many"), {"Retry-After": "3"}),
        Reply(429, error_json("invalid_request_error", "Too many"), {"Retry-After": "600"}),
    )
    async with si.AsyncStripeIdentity(
        TEST_KEY, api_base=fake_api.url, retry_policy=recording_policy(delays)
    ) as client:
        await client.verification_sessions.retrieve("vs_1")
    assert delays == [3.0, 60.0]  # honoured, and capped at 60 s


async def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    policy = RetryPolicy()
    for n, full in enumerate([0.5, 1.0, 2.0, 4.0, 5.0, 5.0]):
        for _ in range(50):
            assert full / 2 <= policy.delay(n) <= full
    assert RetryPolicy(jitter=False).delay(2) == 2.0
    assert RetryPolicy.no_wait().delay(3, {"Retry-After": "10"}) == 0.0


async def test_a_400_is_never_retried(client: si.AsyncStripeIdentity, fake_api: FakeStripe) -> None:
    fake_api.queue(
        Reply(
            400,
            error_json(
                "invalid_request_error",
                "Received unknown parameter: foo",
                code="parameter_unknown",
                param="foo",
            ),
        )
    )
    with pytest.raises(si.InvalidRequestError) as info:
        await client.verification_sessions.create({"foo": "bar"})  # type: ignore[arg-type]
    assert len(fake_api.seen) == 1
    assert info.value.param == "foo"
    assert info.value.code == "parameter_unknown"


async def test_connection_dropped_mid_post_is_retried_with_the_same_key(
    client: si.AsyncStripeIdentity, fake_api: FakeStripe
) -> None:
    async def drop(request: web.Request) -> web.StreamResponse:
        assert request.transport is not None
        request.transport.abort()  # the body arrived; the answer never leaves
        return web.Response()

    fake_api.queue(drop)
    session = await client.verification_sessions.create({"type": "document"})
    assert session.id == "vs_new"
    first, second = fake_api.seen
    assert first.body == second.body == b"type=document"
    assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"]


async def test_connection_refused_ends_in_api_connection_error() -> None:
    with anyio.fail_after(10):
        async with si.AsyncStripeIdentity(
            TEST_KEY, api_base="http://127.0.0.1:1", retry_policy=RetryPolicy.no_wait()
        ) as client:
            with pytest.raises(si.APIConnectionError) as info:
                await client.verification_sessions.create({"type": "document"})
    assert info.value.idempotency_key is not None
    assert info.value.http_status is None


async def stall(request: web.Request) -> web.StreamResponse:
    """An answer that comes far too late."""
    await anyio.sleep(5)
    return web.json_response(session_json())


async def test_a_slow_answer_times_out_then_succeeds_on_retry(fake_api: FakeStripe) -> None:
    fake_api.queue(stall)
    async with si.AsyncStripeIdentity(
        TEST_KEY, api_base=fake_api.url, timeout=0.2, retry_policy=RetryPolicy.no_wait()
    ) as client:
        with anyio.fail_after(5):
            session = await client.verification_sessions.retrieve("vs_1")
    assert session.id == "vs_1"
    assert len(fake_api.seen) == 2


async def test_timeout_without_retries_raises_api_timeout_error(fake_api: FakeStripe) -> None:
    fake_api.queue(stall)
    async with si.AsyncStripeIdentity(
        TEST_KEY, api_base=fake_api.url, timeout=0.2, max_retries=0
    ) as client:
        with anyio.fail_after(5), pytest.raises(si.APITimeoutError):
            await client.verification_sessions.create({"type": "document"})


async def test_logging_has_one_debug_line_per_attempt_and_one_info_line_per_retry(
    client: si.AsyncStripeIdentity, fake_api: FakeStripe, caplog: pytest.LogCaptureFixture
) -> None:
    fake_api.queue(Reply(500, API_ERROR))
    with caplog.at_level(logging.DEBUG, logger="stripe_identity"):
        await client.verification_sessions.create({"type": "document"})
    debug = [r for r in caplog.records if r.levelno == logging.DEBUG]
    info = [r for r in caplog.records if r.levelno == logging.INFO]
    assert len(debug) == 2
    assert len(info) == 1
    assert "POST /v1/identity/verification_sessions -> 500" in debug[0].getMessage()
    assert "request_id=req_fake0000000001 attempt=1 elapsed_ms=" in debug[0].getMessage()
    assert "attempt=2" in debug[1].getMessage()
    assert "retrying POST /v1/identity/verification_sessions in 0.000s" in info[0].getMessage()
    assert all(TEST_KEY not in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("status", "header", "expected"),
    [
        (500, None, True),
        (502, None, True),
        (409, None, True),
        (429, None, True),
        (400, None, False),
        (404, None, False),
        (401, None, False),
        (500, "false", False),
        (400, "true", True),
    ],
)
def test_should_retry_decision(status: int, header: str | None, expected: bool) -> None:
    from stripe_identity._response import Request, Response

    headers = {"Stripe-Should-Retry": header} if header else {}
    response = Response(status, headers, b"", Request("GET", "u", "/p", {}))
    assert should_retry_response(response) is expected


class DroppingServer:
    """A loopback HTTP/1.1 server that answers the first request on each connection with a session,
    keeping the connection open, and drops the connection at the second request without answering:
    a pooled connection that went stale between two calls."""

    def __init__(self) -> None:
        self.requests = 0
        self.url = ""
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> DroppingServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        body = json.dumps(session_json("vs_1")).encode()
        try:
            for answered in (True, False):
                await reader.readuntil(b"\r\n\r\n")
                self.requests += 1
                if not answered:
                    break
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    + f"Content-Length: {len(body)}\r\n\r\n".encode()
                    + body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


async def test_max_retries_zero_is_one_attempt_even_on_a_stale_connection() -> None:
    # aiohttp would resend a GET on its own here; the SDK turns that off and retries itself.
    async with (
        DroppingServer() as server,
        si.AsyncStripeIdentity(TEST_KEY, api_base=server.url, max_retries=0) as client,
    ):
        await client.verification_sessions.retrieve("vs_1")
        with pytest.raises(si.APIConnectionError):
            await client.verification_sessions.retrieve("vs_1")
    assert server.requests == 2


async def test_a_stale_connection_is_retried_by_the_sdk_and_counted() -> None:
    delays: list[float] = []
    async with (
        DroppingServer() as server,
        si.AsyncStripeIdentity(
            TEST_KEY, api_base=server.url, max_retries=1, retry_policy=recording_policy(delays)
        ) as client,
    ):
        await client.verification_sessions.retrieve("vs_1")
        session = await client.verification_sessions.retrieve("vs_1")
    assert session.id == "vs_1"
    assert server.requests == 3  # the dropped one, then the SDK's retry on a new connection
    assert len(delays) == 1
