"""Any status and any body becomes a typed error carrying the status and Request-Id."""

from __future__ import annotations

import logging

import pytest
from aiohttp import web

import stripe_identity as si
from tests.conftest import TEST_KEY
from tests.fake_api import FakeStripe, Reply, error_json

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (
            400,
            error_json(
                "invalid_request_error",
                "Missing required param: type.",
                code="parameter_missing",
                param="type",
            ),
            si.InvalidRequestError,
        ),
        (
            404,
            error_json(
                "invalid_request_error",
                "No such verification_session: 'vs_x'",
                code="resource_missing",
                param="session",
            ),
            si.InvalidRequestError,
        ),
        (
            400,
            error_json(
                "idempotency_error",
                "Keys for idempotent requests can only be used with the same parameters",
            ),
            si.IdempotencyError,
        ),
        (
            401,
            error_json("invalid_request_error", "Invalid API Key provided: sk_test_****"),
            si.AuthenticationError,
        ),
        (
            403,
            error_json("invalid_request_error", "The provided key does not have permission"),
            si.PermissionDeniedError,
        ),
        (
            429,
            error_json("invalid_request_error", "Too many requests", code="lock_timeout"),
            si.RateLimitError,
        ),
        (500, error_json("api_error", "An unknown error occurred"), si.APIError),
        (
            409,
            error_json("invalid_request_error", "in use", code="idempotency_key_in_use"),
            si.APIError,
        ),
        (402, error_json("card_error", "declined"), si.APIError),
    ],
)
async def test_status_and_body_map_to_the_error_tree(
    client: si.AsyncStripeIdentity,
    fake_api: FakeStripe,
    status: int,
    body: dict[str, object],
    expected: type[si.StripeError],
) -> None:
    fake_api.queue(*[Reply(status, body, {"Request-Id": "req_err1"})] * 3)
    with pytest.raises(si.StripeError) as info:
        await client.verification_sessions.create({"type": "document"}, {"max_retries": 0})
    err = info.value
    assert type(err) is expected
    error_body = body["error"]
    assert isinstance(error_body, dict)
    assert err.http_status == status
    assert err.request_id == "req_err1"
    assert err.message == error_body["message"]
    assert err.code == error_body.get("code")
    assert err.param == error_body.get("param")
    assert err.json_body == body
    assert err.headers is not None
    assert err.headers["Request-Id"] == "req_err1"
    assert err.idempotency_key == fake_api.seen[0].headers["Idempotency-Key"]
    assert err.error is not None
    assert err.error.type == error_body["type"]
    assert str(err) == f"Request req_err1: {error_body['message']}"


@pytest.mark.parametrize(
    ("status", "body", "content_type", "expected", "fragment"),
    [
        (502, b"<html><body>Bad gateway</body></html>", "text/html", si.APIError, "not JSON"),
        (500, b"", "application/json", si.APIError, "no error message"),
        (
            400,
            b'{"error": {"type": "invalid_req',
            "application/json",
            si.InvalidRequestError,
            "not JSON",
        ),
        (
            404,
            b'{"unexpected": true}',
            "application/json",
            si.InvalidRequestError,
            "no error message",
        ),
        (
            400,
            b'{"error": "a string"}',
            "application/json",
            si.InvalidRequestError,
            "no error message",
        ),
        (200, b"<html>maintenance</html>", "text/html", si.APIError, "not JSON"),
        (200, b'{"id": 5}', "application/json", si.APIError, "unexpected shape"),
        (
            200,
            b'{"object": "identity.verification_session", "id": "vs_1", "created": 1',
            "application/json",
            si.APIError,
            "not JSON",
        ),
        (200, b"[1, 2]", "application/json", si.APIError, "unexpected shape"),
        (200, b"\xff\xfe\x00", "application/json", si.APIError, "not JSON"),
        (418, b"I'm a teapot", "text/plain", si.APIError, "teapot"),
    ],
)
async def test_unusable_bodies_become_typed_errors(
    client: si.AsyncStripeIdentity,
    fake_api: FakeStripe,
    status: int,
    body: bytes,
    content_type: str,
    expected: type[si.StripeError],
    fragment: str,
) -> None:
    fake_api.queue(
        Reply(status, headers={"Request-Id": "req_odd", "Content-Type": content_type}, body=body)
    )
    with pytest.raises(si.StripeError) as info:
        await client.verification_sessions.retrieve("vs_1", opts={"max_retries": 0})
    assert type(info.value) is expected
    assert info.value.http_status == status
    assert info.value.request_id == "req_odd"
    assert fragment in info.value.message


async def test_truncated_body_is_a_connection_error(
    client: si.AsyncStripeIdentity, fake_api: FakeStripe
) -> None:
    async def truncated(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Length": "1000"})
        await response.prepare(request)
        await response.write(b'{"id": "vs_')
        assert request.transport is not None
        request.transport.close()
        return response

    fake_api.queue(truncated)
    with pytest.raises(si.APIConnectionError):
        await client.verification_sessions.retrieve("vs_1", opts={"max_retries": 0})


async def test_oversized_body_is_refused(fake_api: FakeStripe) -> None:
    fake_api.queue(Reply(200, body=b"x" * 2_000_000))
    async with si.AsyncStripeIdentity(
        TEST_KEY, api_base=fake_api.url, max_response_bytes=1_000_000
    ) as client:
        with pytest.raises(si.APIError, match="exceeds 1000000 bytes"):
            await client.verification_sessions.retrieve("vs_1")
        # The client is still usable afterwards.
        assert (await client.verification_sessions.retrieve("vs_2")).id == "vs_2"


async def test_oversized_chunked_body_is_refused(fake_api: FakeStripe) -> None:
    async def chunked(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        for _ in range(40):
            await response.write(b"y" * 65536)
        await response.write_eof()
        return response

    fake_api.queue(chunked)
    async with si.AsyncStripeIdentity(
        TEST_KEY, api_base=fake_api.url, max_response_bytes=1_000_000
    ) as client:
        with pytest.raises(si.APIError, match="exceeds"):
            await client.verification_sessions.retrieve("vs_1")


async def test_the_api_key_never_shows_in_errors_reprs_or_logs(
    fake_api: FakeStripe, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "sk_test_51SuperSecretValue0123456789"
    # A misbehaving proxy that echoes the Authorization header back.
    fake_api.queue(
        Reply(401, error_json("invalid_request_error", f"Bad key: Bearer {secret}")),
        Reply(502, body=f"<html>upstream said {secret}</html>".encode()),
    )
    with caplog.at_level(logging.DEBUG):
        async with si.AsyncStripeIdentity(secret, api_base=fake_api.url, max_retries=0) as client:
            errors = []
            for _ in range(2):
                with pytest.raises(si.StripeError) as info:
                    await client.verification_sessions.retrieve("vs_1")
                errors.append(info.value)
            shown = [repr(client), str(client)]
    for err in errors:
        shown += [str(err), repr(err), repr(err.json_body), err.message]
    shown += [r.getMessage() for r in caplog.records]
    shown += [repr(si.RequestOptions(api_key=secret))]
    assert all(secret not in text for text in shown), [t for t in shown if secret in t]
    assert "sk_test_****" in errors[0].message


async def test_missing_api_key_raises_before_sending(
    fake_api: FakeStripe, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)
    async with si.AsyncStripeIdentity(api_base=fake_api.url) as client:
        with pytest.raises(si.AuthenticationError, match="No API key provided"):
            await client.verification_sessions.list()
        # A per-request key is enough.
        await client.verification_sessions.list(opts={"api_key": TEST_KEY})
    assert len(fake_api.seen) == 1


async def test_api_key_comes_from_the_environment(
    fake_api: FakeStripe, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STRIPE_API_KEY", "sk_test_from_env")
    async with si.AsyncStripeIdentity(api_base=fake_api.url) as client:
        await client.verification_sessions.list()
    assert fake_api.seen[0].headers["Authorization"] == "Bearer sk_test_from_env"


@pytest.mark.parametrize("key", ["sk_test_ 123", "sk_test_123\n", "sk_test_\x00"])
def test_api_key_with_whitespace_is_refused_without_echoing_it(key: str) -> None:
    with pytest.raises(si.AuthenticationError) as info:
        si.AsyncStripeIdentity(key)
    assert key not in str(info.value)


def test_the_secret_scanner_sees_keys_but_not_masked_ones() -> None:
    from tests.leaks import SECRET_PATTERN

    assert SECRET_PATTERN.search(f"Authorization: Bearer {TEST_KEY}")
    assert SECRET_PATTERN.search("rk_live_abcdef123456")
    assert SECRET_PATTERN.search("secret whsec_abcdef123")
    assert not SECRET_PATTERN.search("Invalid API Key provided: sk_test_****7dc")


def test_error_tree() -> None:
    assert issubclass(si.APITimeoutError, si.APIConnectionError)
    for cls in (
        si.APIError,
        si.APIConnectionError,
        si.AuthenticationError,
        si.PermissionDeniedError,
        si.InvalidRequestError,
        si.IdempotencyError,
        si.RateLimitError,
        si.SignatureVerificationError,
    ):
        assert issubclass(cls, si.StripeError)
