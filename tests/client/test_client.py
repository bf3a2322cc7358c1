"""Client construction, configuration checks and lifecycle."""

from __future__ import annotations

import pytest

import stripe_identity as si
from tests.conftest import TEST_KEY
from tests.fake_api import FakeStripe

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    "api_base",
    ["http://api.example.com", "http://10.0.0.1:8080", "http://[2001:db8::1]"],
)
def test_plain_http_is_refused_for_non_loopback_hosts(api_base: str) -> None:
    with pytest.raises(ValueError, match="refusing plain http"):
        si.AsyncStripeIdentity(TEST_KEY, api_base=api_base)
    si.AsyncStripeIdentity(TEST_KEY, api_base=api_base, allow_insecure_http=True)


@pytest.mark.parametrize(
    "api_base", ["http://127.0.0.1:1234", "http://localhost:9", "http://[::1]:80", "https://x.io"]
)
def test_loopback_http_and_https_are_accepted(api_base: str) -> None:
    assert si.AsyncStripeIdentity(TEST_KEY, api_base=api_base).api_base == api_base


@pytest.mark.parametrize(
    "api_base", ["ftp://x.io", "api.stripe.com", "https://", "https://u:p@x.io", "https://x.io?a=1"]
)
def test_malformed_api_base_is_refused(api_base: str) -> None:
    with pytest.raises(ValueError, match="api_base"):
        si.AsyncStripeIdentity(TEST_KEY, api_base=api_base)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"max_retries": -1}, "max_retries"),
        ({"timeout": 0}, "timeout"),
        ({"max_connections": 0}, "max_connections"),
    ],
)
def test_bad_settings_are_refused(kwargs: dict[str, int], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        si.AsyncStripeIdentity(TEST_KEY, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("opts", "error"),
    [
        ({"max_retires": 1}, TypeError),
        ({"timeout": -1}, ValueError),
        ({"max_retries": -2}, ValueError),
        ({"idempotency_key": "x" * 256}, ValueError),
        ("fast", TypeError),
    ],
)
async def test_bad_request_options_are_refused(
    client: si.AsyncStripeIdentity, fake_api: FakeStripe, opts: object, error: type[Exception]
) -> None:
    with pytest.raises(error):
        await client.verification_sessions.retrieve("vs_1", opts=opts)  # type: ignore[arg-type]
    assert fake_api.seen == []


async def test_header_injection_through_options_is_refused(
    client: si.AsyncStripeIdentity, fake_api: FakeStripe
) -> None:
    with pytest.raises(ValueError, match="stripe_account"):
        await client.verification_sessions.retrieve(
            "vs_1", opts={"stripe_account": "acct_1\r\nX-Evil: 1"}
        )
    assert fake_api.seen == []


async def test_calls_after_close_raise_a_clear_error(fake_api: FakeStripe) -> None:
    client = si.AsyncStripeIdentity(TEST_KEY, api_base=fake_api.url)
    await client.verification_sessions.retrieve("vs_1")  # the session is made lazily
    await client.aclose()
    await client.aclose()  # idempotent
    with pytest.raises(RuntimeError, match="closed"):
        await client.verification_sessions.retrieve("vs_1")


def test_repr_shows_no_secret() -> None:
    client = si.AsyncStripeIdentity(TEST_KEY, api_base="http://127.0.0.1:1")
    assert TEST_KEY not in repr(client)
    assert "127.0.0.1" in repr(client)


def test_public_names_are_sorted_and_importable() -> None:
    assert si.__all__ == sorted(si.__all__)
    for name in si.__all__:
        assert getattr(si, name) is not None
    service = si.AsyncVerificationSessionService
    assert service.CreateParams is si.VerificationSessionCreateParams
    assert service.ListParams is si.VerificationSessionListParams
    assert service.RetrieveParams is si.VerificationSessionRetrieveParams
    assert service.UpdateParams is si.VerificationSessionUpdateParams
    assert service.CancelParams is si.VerificationSessionCancelParams
    assert service.RedactParams is si.VerificationSessionRedactParams
    assert si.AsyncVerificationReportService.ListParams is si.VerificationReportListParams


async def test_user_middlewares_run_once_per_attempt_inside_retries(
    fake_api: FakeStripe,
) -> None:
    from tests.fake_api import Reply, error_json

    calls: list[str | None] = []

    async def tag(request: si.Request, call_next: si.Handler) -> si.Response:
        calls.append(request.idempotency_key)
        request.headers["X-Trace"] = "t1"
        return await call_next(request)

    fake_api.queue(Reply(500, error_json("api_error", "boom")))
    async with si.AsyncStripeIdentity(
        TEST_KEY,
        api_base=fake_api.url,
        middlewares=[tag],
        retry_policy=si.RetryPolicy.no_wait(),
    ) as client:
        await client.verification_sessions.create({"type": "document"})
    assert len(calls) == 2
    assert calls[0] == calls[1] is not None
    assert all(seen.headers["X-Trace"] == "t1" for seen in fake_api.seen)
