"""Request and Response: plain frozen data, cheap to build on every call."""

from __future__ import annotations

import attrs
import pytest

from stripe_identity._response import Request, Response


def test_request_and_response_are_frozen_and_positional() -> None:
    request = Request(
        "GET", "https://x/v1/a", "/v1/a", {"Authorization": "Bearer sk_test_k"}, None, 80.0
    )
    response = Response(200, {"Request-Id": "req_1"}, b"{}", request, 0.5)
    assert (request.timeout, request.max_retries, request.sink) == (80.0, 0, None)
    assert response.request_id == "req_1"
    assert "sk_test_k" not in repr(request)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        request.method = "POST"  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        response.status = 500  # type: ignore[misc]
    # A middleware changes a request by evolving it; the headers dict is the one way to edit in place.
    assert attrs.evolve(request, resend_count=1).resend_count == 1
