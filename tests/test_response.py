"""The request path's fast constructors build exactly what the attrs constructors build."""

from __future__ import annotations

import attrs
import pytest

from stripe_identity._response import Request, Response, filler, new_request, new_response


def test_new_request_equals_the_attrs_constructor() -> None:
    args = (
        "GET",
        "https://x/v1/a",
        "/v1/a",
        {"Authorization": "Bearer k"},
        None,
        80.0,
        2,
        "/v1/a",
        0,
        None,
    )
    fast, slow = new_request(*args), Request(*args)
    assert type(fast) is Request
    assert fast == slow
    assert attrs.asdict(fast, recurse=False) == attrs.asdict(slow, recurse=False)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        fast.method = "POST"  # type: ignore[misc]


def test_new_response_equals_the_attrs_constructor() -> None:
    request = Request("GET", "https://x/v1/a", "/v1/a", {})
    fast = new_response(200, {"Request-Id": "req_1"}, b"{}", request, 0.5)
    slow = Response(200, {"Request-Id": "req_1"}, b"{}", request, 0.5)
    assert type(fast) is Response
    assert fast == slow
    assert fast.request_id == "req_1"


def test_filler_refuses_classes_that_need_their_init() -> None:
    @attrs.frozen
    class Converted:
        value: int = attrs.field(converter=int)

    @attrs.frozen
    class Made:
        items: list[int] = attrs.Factory(list)

    with pytest.raises(TypeError, match="needs attrs"):
        filler(Converted)
    with pytest.raises(TypeError, match="default factory"):
        filler(Made)
