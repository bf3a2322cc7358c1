"""Cursor pagination over several pages, both directions, against a loopback server."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import pytest
from aiohttp import web

import stripe_identity as si
from tests.fake_api import FakeStripe, session_json

pytestmark = pytest.mark.anyio

# Seven sessions, newest first, as Stripe lists them.
IDS = [f"vs_{n}" for n in range(7, 0, -1)]


async def paged(request: web.Request) -> web.StreamResponse:
    """Serve IDS with Stripe's cursor semantics."""
    query = {k: v[0] for k, v in parse_qs(request.query_string).items()}
    limit = int(query.get("limit", "10"))
    if "starting_after" in query:
        start = IDS.index(query["starting_after"]) + 1
        window = IDS[start : start + limit]
        has_more = start + limit < len(IDS)
    elif "ending_before" in query:
        end = IDS.index(query["ending_before"])
        window = IDS[max(0, end - limit) : end]
        has_more = end - limit > 0
    else:
        window = IDS[:limit]
        has_more = limit < len(IDS)
    body: dict[str, Any] = {
        "object": "list",
        "url": "/v1/identity/verification_sessions",
        "has_more": has_more,
        "data": [session_json(i) for i in window],
    }
    return web.json_response(body)


async def test_auto_paging_walks_three_pages_forward(
    client: si.AsyncStripeIdentity, fake_api: FakeStripe
) -> None:
    fake_api.queue(*[paged] * 3)
    page = await client.verification_sessions.list({"limit": 3, "status": "verified"})
    assert [s.id for s in page] == IDS[:3]
    assert page.has_more
    seen = [s.id async for s in page.auto_paging_iter()]
    assert seen == IDS
    queries = [parse_qs(s.query_string) for s in fake_api.seen]
    assert len(queries) == 3
    assert "starting_after" not in queries[0]
    assert queries[1]["starting_after"] == ["vs_5"]
    assert queries[2]["starting_after"] == ["vs_2"]
    # The filters ride along on every page.
    assert all(q["status"] == ["verified"] and q["limit"] == ["3"] for q in queries)


async def test_auto_paging_with_typed_params(
    client: si.AsyncStripeIdentity, fake_api: FakeStripe
) -> None:
    fake_api.queue(*[paged] * 3)
    page = await client.verification_sessions.list(si.VerificationSessionListParams(limit=3))
    assert [s.id async for s in page.auto_paging_iter()] == IDS


async def test_auto_paging_backwards_from_ending_before(
    client: si.AsyncStripeIdentity, fake_api: FakeStripe
) -> None:
    fake_api.queue(*[paged] * 3)
    page = await client.verification_sessions.list({"limit": 2, "ending_before": "vs_1"})
    assert [s.id for s in page] == ["vs_3", "vs_2"]
    seen = [s.id async for s in page.auto_paging_iter()]
    # Moving away from the cursor: the oldest first.
    assert seen == ["vs_2", "vs_3", "vs_4", "vs_5", "vs_6", "vs_7"]
    queries = [parse_qs(s.query_string) for s in fake_api.seen]
    assert [q["ending_before"] for q in queries] == [["vs_1"], ["vs_3"], ["vs_5"]]
    assert all("starting_after" not in q for q in queries)


async def test_next_and_previous_page(client: si.AsyncStripeIdentity, fake_api: FakeStripe) -> None:
    fake_api.queue(*[paged] * 4)
    first = await client.verification_sessions.list({"limit": 4})
    second = await first.next_page()
    assert [s.id for s in second] == IDS[4:]
    assert not second.has_more
    assert (await second.next_page()).is_empty
    back = await client.verification_sessions.list({"limit": 2, "ending_before": "vs_3"})
    assert [s.id for s in back] == ["vs_5", "vs_4"]
    previous = await back.previous_page()
    assert [s.id for s in previous] == ["vs_7", "vs_6"]
    assert len(fake_api.seen) == 4


async def test_a_single_page_fetches_once(client: si.AsyncStripeIdentity, fake_api: FakeStripe) -> None:
    page = await client.verification_sessions.list()
    items = [s async for s in page.auto_paging_iter()]
    assert len(items) == 1
    assert len(fake_api.seen) == 1
    assert page.last_response is not None
    assert page.last_response.http_status == 200
