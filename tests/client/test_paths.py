"""Paths that cannot leave the base: the API key goes only where ``api_base`` points.

A hostile path is refused with :class:`InvalidRequestError` before anything touches the network. The
proof is Python's own audit events: no ``socket.getaddrinfo`` or ``socket.connect`` happens while the
call is refused, and the loopback API sees no request.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import pytest
from hypothesis import given, settings, strategies as st

import stripe_identity as si
from stripe_identity._ids import check_path
from tests.conftest import TEST_KEY
from tests.fake_api import FakeStripe, Reply, session_json

pytestmark = pytest.mark.anyio

HOSTILE_PATHS = [
    ".evil.example/v1/x",  # api.stripe.com.evil.example
    "v1/x",  # api.stripe.comv1
    "",
    "https://evil.example/v1/x",
    "//evil.example/v1/x",
    "/\\evil.example/v1/x",
    "\\\\evil.example\\v1",
    "@evil.example/v1/x",
    ":443@evil.example/v1",
    "/v1/x\r\nHost: evil.example",
    "/v1/x y",
    "/v1/x\ty",
    "/v1/x\x00",
    " /v1/x",
    "/v1/../../x",
    "/v1/./x",
    "/v1/%2e%2e/x",
    "/v1/.%2E/x",
    "/..",
    "/v1/x?next=https://evil.example",
    "/v1/x#frag",
    "/v1/\u00e9v\u00e9nements",
    "/v1/%zz",
    "/v1/x%",
    "/v1/x%4",
    "/v1/%4g",
]

# Audit hooks cannot be removed: one per process, recording only while a test asks it to.
_recording: list[list[tuple[str, Any]]] = []
_lock = threading.Lock()


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _recording and event in ("socket.getaddrinfo", "socket.connect"):
        with _lock:
            for events in _recording:
                events.append((event, args))


sys.addaudithook(_audit)


@pytest.fixture
def network_events() -> Iterator[list[tuple[str, Any]]]:
    events: list[tuple[str, Any]] = []
    _recording.append(events)
    try:
        yield events
    finally:
        _recording.remove(events)


@pytest.mark.parametrize("path", HOSTILE_PATHS)
def test_a_hostile_path_is_refused_by_the_check(path: str) -> None:
    with pytest.raises(si.InvalidRequestError) as info:
        check_path(path)
    assert info.value.param == "path"
    assert "Refusing to request the path" in info.value.message


@pytest.mark.parametrize("path", ["/v1/x", "/v1/events/evt_1", "/v1/files/file_1/contents", "/v1/a%2Fb"])
def test_an_absolute_path_on_the_base_is_accepted(path: str) -> None:
    assert check_path(path) == path


# RFC 3986's path-absolute, segment by segment, as the reference the check's faster spelling must
# agree with: "/" segments of pchar (unreserved, sub-delims, ":", "@", or a two-hex-digit escape).
_RFC_ABSOLUTE_PATH = re.compile(r"(?:/(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2})*)+")


def _allowed_by_the_rfc(path: str) -> bool:
    return (
        _RFC_ABSOLUTE_PATH.fullmatch(path) is not None
        and not path.startswith("//")
        and not any(unquote(segment) in (".", "..") for segment in path.split("/"))
    )


_PATH_LIKE = st.text(alphabet="/%.:@aF9gz-~?#\\ \t\u00e9", max_size=12)


@settings(max_examples=1000)
@given(st.one_of(_PATH_LIKE, _PATH_LIKE.map("/".__add__)))
def test_the_check_accepts_exactly_the_rfc_paths(path: str) -> None:
    try:
        accepted = check_path(path) == path
    except si.InvalidRequestError:
        accepted = False
    assert accepted == _allowed_by_the_rfc(path)


async def test_no_hostile_path_opens_a_socket(
    fake_api: FakeStripe, network_events: list[tuple[str, Any]]
) -> None:
    async with si.AsyncStripeIdentity(TEST_KEY, api_base=fake_api.url, trust_env=False) as client:
        for path in HOSTILE_PATHS:
            for base in ("api", "files"):
                with pytest.raises(si.InvalidRequestError, match="Refusing to request the path"):
                    await client.raw_request("GET", path, base=base)
            with pytest.raises(si.InvalidRequestError):
                await client.raw_request("POST", path, {"a": "b"})
    assert network_events == []
    assert fake_api.seen == []


async def test_the_refusal_happens_before_the_api_key_check(fake_api: FakeStripe) -> None:
    # Even a client without a key says what is wrong with the path first: nothing was sent either way.
    async with si.AsyncStripeIdentity(None, api_base=fake_api.url) as client:
        with pytest.raises(si.InvalidRequestError, match="path"):
            await client.raw_request("GET", "//evil.example/v1/x")


def test_the_sync_client_refuses_a_hostile_path(threaded_fake_api: FakeStripe) -> None:
    with (
        si.StripeIdentity(TEST_KEY, api_base=threaded_fake_api.url) as client,
        pytest.raises(si.InvalidRequestError, match="single '/'"),
    ):
        client.raw_request("GET", ".evil.example/v1/x")
    assert threaded_fake_api.seen == []


async def test_ids_stay_one_segment_of_a_path_on_the_base(fake_api: FakeStripe) -> None:
    async with si.AsyncStripeIdentity(TEST_KEY, api_base=fake_api.url) as client:
        await client.verification_sessions.retrieve("../../v1/evil")
        for dots in (".", ".."):
            with pytest.raises(si.InvalidRequestError, match=r"other than '\.' or '\.\.'"):
                await client.verification_sessions.retrieve(dots)
    assert [seen.raw_path for seen in fake_api.seen] == [
        "/v1/identity/verification_sessions/..%2F..%2Fv1%2Fevil"
    ]


async def test_paging_ignores_the_url_a_page_names(fake_api: FakeStripe) -> None:
    # A list's `url` is only information: the next page is asked of the client's own base.
    page_one = {
        "object": "list",
        "url": "https://evil.example/v1/identity/verification_sessions",
        "has_more": True,
        "data": [session_json("vs_1")],
    }
    page_two = {**page_one, "has_more": False, "data": [session_json("vs_2")]}
    fake_api.queue(Reply(json=page_one), Reply(json=page_two))
    async with si.AsyncStripeIdentity(TEST_KEY, api_base=fake_api.url) as client:
        page = await client.verification_sessions.list()
        ids = [s.id async for s in page.auto_paging_iter()]
    assert ids == ["vs_1", "vs_2"]
    assert [seen.path for seen in fake_api.seen] == ["/v1/identity/verification_sessions"] * 2
