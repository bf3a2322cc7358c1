from __future__ import annotations

import io
import json
import logging
import os
import signal
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from anyio.from_thread import start_blocking_portal
from hypothesis import settings
from yarl import URL

import stripe_identity as si
from stripe_identity.emulator import Emulator
from stripe_identity.emulator._context import Call
from stripe_identity.emulator._log import RequestLog
from tests.fake_api import FakeStripe
from tests.leaks import SECRET_PATTERN
from tests.spec_schema import validate_response

TEST_KEY = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"

# Tests interrupt the commands they start with SIGINT, as Ctrl-C does. A suite started in the
# background by a shell without job control (a CI runner's `cmd &`) inherits SIGINT ignored, and
# so would every process it starts: Python then installs no KeyboardInterrupt handler, and those
# commands would run on. A handler here (not inherited across exec) gives children the default.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

# One command, one answer: property tests draw the same examples on every run (and keep no database
# of past failures between runs). HYPOTHESIS_PROFILE=explore draws new ones, to hunt locally.
settings.register_profile("repeatable", derandomize=True, database=None, print_blob=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


@pytest.fixture
def anyio_backend() -> str:
    # aiohttp runs on asyncio only.
    return "asyncio"


@pytest.fixture
async def fake_api(anyio_backend: str) -> AsyncIterator[FakeStripe]:
    server = FakeStripe()
    await server.start()
    try:
        yield server
    finally:
        await server.close()


@pytest.fixture
async def client(fake_api: FakeStripe) -> AsyncIterator[si.AsyncStripeIdentity]:
    async with si.AsyncStripeIdentity(
        TEST_KEY, api_base=fake_api.url, retry_policy=si.RetryPolicy.no_wait()
    ) as c:
        yield c


@pytest.fixture
def threaded_fake_api() -> Iterator[FakeStripe]:
    """A FakeStripe served from its own event loop thread, for tests of the sync client."""
    with start_blocking_portal("asyncio") as portal:
        server = FakeStripe()
        portal.call(server.start)
        try:
            yield server
        finally:
            portal.call(server.close)


@pytest.fixture(autouse=True)
def emulator_responses(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, str, int, bytes]]]:
    """Record every API response any in-process emulator sends during a test, then check each one
    against the spec's response schemas (a test fails if its emulator answered off-spec)."""
    seen: list[tuple[str, str, int, bytes]] = []
    original = RequestLog.observe

    def recording(self: RequestLog, call: Call, response: web.StreamResponse, seconds: float) -> None:
        original(self, call, response, seconds)
        body = response.body if isinstance(response, web.Response) else None
        is_json = response.content_type == "application/json"
        if isinstance(body, bytes) and body and is_json and not call.aborted:
            seen.append(
                (call.request.method, call.request.raw_path.partition("?")[0], response.status, body)
            )

    monkeypatch.setattr(RequestLog, "observe", recording)
    yield seen
    for method, path, status, body in seen:
        validate_response(method, path, status, body)


@pytest.fixture
async def emulator(anyio_backend: str) -> AsyncIterator[Emulator]:
    async with Emulator(seed=1234) as emu:
        yield emu


@pytest.fixture
async def emu_client(emulator: Emulator) -> AsyncIterator[si.AsyncStripeIdentity]:
    async with si.AsyncStripeIdentity(
        TEST_KEY, api_base=emulator.api_base, retry_policy=si.RetryPolicy.no_wait()
    ) as c:
        yield c


class RawHTTP:
    """Plain aiohttp requests, for inputs the SDK would never send."""

    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        self.session = session
        self.base = base

    async def __call__(
        self,
        method: str,
        path: str,
        data: bytes | str | None = None,
        headers: dict[str, str] | None = None,
        auth: bool = True,
    ) -> tuple[int, Mapping[str, str], Any]:
        all_headers = {"Authorization": f"Bearer {TEST_KEY}"} if auth else {}
        all_headers.update(headers or {})
        if data is not None and "Content-Type" not in all_headers:
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        payload: Any = data
        if isinstance(data, bytes) and len(data) > 1_000_000:
            payload = io.BytesIO(data)  # aiohttp warns about large raw bytes bodies
        async with self.session.request(
            method, URL(self.base + path, encoded=True), data=payload, headers=all_headers
        ) as response:
            body = await response.read()
            return response.status, response.headers, json.loads(body) if body else None


@pytest.fixture
async def raw(emulator: Emulator) -> AsyncIterator[RawHTTP]:
    async with aiohttp.ClientSession() as session:
        yield RawHTTP(session, emulator.api_base)


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.leaks: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            text += " " + repr(record.exc_info[1])
        if SECRET_PATTERN.search(text):
            self.leaks.append(f"{record.name}: {text[:200]}")


@pytest.fixture(autouse=True)
def no_secrets_in_logs_or_errors(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test runs with DEBUG logging captured; a secret in a record or an error fails it."""
    capture = _Capture()
    root = logging.getLogger()
    previous = root.level
    root.addHandler(capture)
    root.setLevel(logging.DEBUG)
    leaks: list[str] = []
    original_init = si.StripeError.__init__

    def checked_init(self: si.StripeError, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        for text in (str(self), repr(self), repr(self.json_body)):
            if SECRET_PATTERN.search(text):
                leaks.append(f"{type(self).__name__}: {text[:200]}")

    monkeypatch.setattr(si.StripeError, "__init__", checked_init)
    try:
        yield
    finally:
        root.removeHandler(capture)
        root.setLevel(previous)
    assert capture.leaks + leaks == []
