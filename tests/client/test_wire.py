"""What the client puts on the wire, checked at a real loopback server."""

from __future__ import annotations

import json
import re
import warnings
from urllib.parse import unquote

import anyio
import pytest
from aiohttp import web

import stripe_identity as si
from tests.conftest import TEST_KEY
from tests.fake_api import FakeStripe, Reply, session_json

pytestmark = pytest.mark.anyio

UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


async def test_nested_create_sends_stripe_form_bytes(
    client: si.AsyncStripeIdentity, fake_api: FakeStripe
) -> None:
    await client.verification_sessions.create(
        {
            "type": "document",
            "metadata": {"user": "42"},
            "options": {
                "document": {
                    "allowed_types": ["passport", "id_card"],
                    "require_matching_selfie": True,
                }
            },
            "provided_details": {"email": "jenny+1@example.com"},
            "expand": ["last_verification_report"],
        }
    )
    (seen,) = fake_api.seen
    assert seen.method == "POST"
    assert seen.path == "/v1/identity/verification_sessions"
    assert seen.body == (
        b"expand[0]=last_verification_report&metadata[user]=42"
        b"&options[document][allowed_types][0]=passport"
        b"&options[document][allowed_types][1]=id_card"
        b"&options[document][require_matching_selfie]=true"
        b"&provided_details[email]=jenny%2B1%40example.com&type=document"
    )
    assert seen.headers["Content-Type"] == "application/x-www-form-urlencoded"


async def test_typed_params_and_mappings_send_identical_bytes(
    client: si.AsyncStripeIdentity, fake_api: FakeStripe
) -> None:
    service = client.verification_sessions
    await service.create(
        service.CreateParams(
            type="document",
            metadata={"user": "42"},
            options=service.CreateParams.Options(
                document=service.CreateParams.DocumentOptions(allowed_types=["passport"])
            ),
        )
    )
    await service.create(
        {
            "options": {"document": {"allowed_types": ["passport"]}},
            "metadata": {"user": "42"},
            "type": "document",
        }
    )
    assert fake_api.seen[0].body == fake_api.seen[1].body


async def test_get_params_go_in_the_query_string(
    client: si.AsyncStripeIdentity, fake_api: FakeStripe
) -> None:
    await client.verification_sessions.list(
        si.VerificationSessionListParams(
            limit=3, status="verified", created=si.CreatedFilter(gte=10, lt=20)
        )
    )
    (seen,) = fake_api.seen
    assert seen.method == "GET"
    assert seen.body == b""
    assert unquote(seen.query_string) == "created[gte]=10&created[lt]=20&limit=3&status=verified"


async def test_headers_on_get_and_post(client: si.AsyncStripeIdentity, fake_api: FakeStripe) -> None:
    await client.verification_sessions.retrieve("vs_1")
    await client.verification_sessions.cancel("vs_1")
    get, post = fake_api.seen
    for seen in (get, post):
        assert seen.headers["Authorization"] == f"Bearer {TEST_KEY}"
        assert seen.headers["Stripe-Version"] == si.DEFAULT_STRIPE_VERSION
        assert re.fullmatch(
            r"stripe-identity-python/\S+ aiohttp/\S+ \w+/3\.\d+\.\d+", seen.headers["User-Agent"]
        )
        assert "Stripe-Account" not in seen.headers
    assert "Idempotency-Key" not in get.headers
    assert "Content-Type" not in get.headers
    assert UUID4.match(post.headers["Idempotency-Key"])
    assert post.headers["Content-Type"] == "application/x-www-form-urlencoded"


async def test_each_post_gets_its_own_key_and_a_callers_key_is_used_as_given(
    client: si.AsyncStripeIdentity, fake_api: FakeStripe
) -> None:
    first = await client.verification_sessions.create({"type": "document"})
    await client.verification_sessions.create({"type": "document"})
    mine = await client.verification_sessions.create(
        {"type": "document"}, si.RequestOptions(idempotency_key="order-42-verify")
    )
    keys = [s.headers["Idempotency-Key"] for s in fake_api.seen]
    assert keys[0] != keys[1]
    assert keys[2] == "order-42-verify"
    assert first.last_response is not None
    assert first.last_response.idempotency_key == keys[0]
    assert mine.last_response is not None
    assert mine.last_response.idempotency_key == "order-42-verify"


async def test_client_and_request_options_set_account_version_and_key(
    fake_api: FakeStripe,
) -> None:
    async with si.AsyncStripeIdentity(
        TEST_KEY, api_base=fake_api.url, stripe_account="acct_1", stripe_version="2025-01-01"
    ) as client:
        await client.verification_sessions.retrieve("vs_1")
        await client.verification_sessions.retrieve(
            "vs_1",
            opts={
                "api_key": "sk_test_other",
                "stripe_account": "acct_2",
                "stripe_version": "2026-01-01",
            },
        )
    first, second = fake_api.seen
    assert first.headers["Stripe-Account"] == "acct_1"
    assert first.headers["Stripe-Version"] == "2025-01-01"
    assert second.headers["Authorization"] == "Bearer sk_test_other"
    assert second.headers["Stripe-Account"] == "acct_2"
    assert second.headers["Stripe-Version"] == "2026-01-01"


@pytest.mark.parametrize(
    ("session_id", "escaped"),
    [
        ("vs_1/../x", "vs_1%2F..%2Fx"),
        ("vs?x=1", "vs%3Fx%3D1"),
        ("vs#frag", "vs%23frag"),
        ("vs 1", "vs%201"),
    ],
)
async def test_path_ids_are_escaped_as_one_segment(
    client: si.AsyncStripeIdentity, fake_api: FakeStripe, session_id: str, escaped: str
) -> None:
    await client.verification_sessions.update(session_id, {"metadata": {"a": "b"}})
    (seen,) = fake_api.seen
    assert seen.raw_path == f"/v1/identity/verification_sessions/{escaped}"
    assert seen.query_string == ""


@pytest.mark.parametrize("bad", ["", "   ", None, 42, ".", ".."])
async def test_blank_ids_are_refused_before_any_request(
    client: si.AsyncStripeIdentity, fake_api: FakeStripe, bad: object
) -> None:
    with pytest.raises(si.InvalidRequestError) as info:
        await client.verification_sessions.retrieve(bad)  # type: ignore[arg-type]
    assert info.value.param == "session"
    assert fake_api.seen == []


async def test_every_result_exposes_its_response(
    client: si.AsyncStripeIdentity, fake_api: FakeStripe
) -> None:
    fake_api.queue(
        Reply(json=session_json("vs_meta"), headers={"Request-Id": "req_abc", "Stripe-Version": "x"})
    )
    session = await client.verification_sessions.retrieve("vs_meta")
    meta = session.last_response
    assert meta is not None
    assert meta.http_status == 200
    assert meta.request_id == "req_abc"
    assert meta.headers["stripe-version"] == "x"
    # Response metadata does not take part in equality.
    again = await client.verification_sessions.retrieve("vs_meta")
    assert again == session
    assert again.last_response != meta
    # Built on first read, then kept: the same object every time.
    assert session.last_response is meta
    assert isinstance(meta, si.ResponseMeta)


async def test_redirects_are_not_followed(client: si.AsyncStripeIdentity, fake_api: FakeStripe) -> None:
    fake_api.queue(Reply(status=302, body=b"", headers={"Location": "http://127.0.0.1:1/steal"}))
    with pytest.raises(si.APIError) as info:
        await client.verification_sessions.retrieve("vs_1")
    assert info.value.http_status == 302
    assert len(fake_api.seen) == 1


async def test_no_unclosed_session_warning_after_async_with(fake_api: FakeStripe) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with si.AsyncStripeIdentity(TEST_KEY, api_base=fake_api.url) as client:
            await client.verification_sessions.retrieve("vs_1")
        import gc

        gc.collect()
    assert [str(w.message) for w in caught] == []
    assert client.closed


async def test_concurrency_is_capped_by_max_connections(fake_api: FakeStripe) -> None:
    peers: set[tuple[str, int]] = set()
    in_flight = 0
    peak = 0

    async def slow(request: web.Request) -> web.StreamResponse:
        nonlocal in_flight, peak
        peers.add(request.transport.get_extra_info("peername"))  # type: ignore[union-attr]
        in_flight += 1
        peak = max(peak, in_flight)
        await anyio.sleep(0.01)
        in_flight -= 1
        return web.json_response(session_json("vs_c"))

    fake_api.queue(*([slow] * 300))
    async with si.AsyncStripeIdentity(TEST_KEY, api_base=fake_api.url, max_connections=20) as client:
        results: list[si.VerificationSession] = []

        async def one() -> None:
            results.append(await client.verification_sessions.retrieve("vs_c"))

        async with anyio.create_task_group() as tg:
            for _ in range(300):
                tg.start_soon(one)
    assert len(results) == 300
    assert peak == 20  # the pool ran at its full width, and never beyond
    assert len(peers) <= 20


async def test_json_body_round_trip_of_a_list(
    client: si.AsyncStripeIdentity, fake_api: FakeStripe
) -> None:
    page = await client.verification_reports.list({"verification_session": "vs_1"})
    assert page.url == "/v1/identity/verification_reports"
    assert isinstance(page.data[0], si.VerificationReport)
    assert json.loads(json.dumps(page.to_dict()))["object"] == "list"
