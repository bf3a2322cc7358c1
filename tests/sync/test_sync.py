"""The generated sync facade: same behaviour as the async client, through one portal per client."""

from __future__ import annotations

import asyncio
import inspect
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import traceback
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs

import anyio
import pytest
from aiohttp import web

import stripe_identity as si
from stripe_identity._portal import PortalRunner
from tests.client.test_pagination import IDS, paged
from tests.conftest import TEST_KEY
from tests.fake_api import FakeStripe, Reply, error_json, session_json


@pytest.fixture
def sync_client(threaded_fake_api: FakeStripe) -> Iterator[si.StripeIdentity]:
    with si.StripeIdentity(
        TEST_KEY, api_base=threaded_fake_api.url, retry_policy=si.RetryPolicy.no_wait()
    ) as client:
        yield client


def test_every_operation_through_the_sync_client(
    sync_client: si.StripeIdentity, threaded_fake_api: FakeStripe
) -> None:
    sessions = sync_client.verification_sessions
    created = sessions.create(sessions.CreateParams(type="document", metadata={"user": "42"}))
    assert isinstance(created, si.VerificationSession)
    assert created.last_response is not None
    assert created.last_response.idempotency_key
    assert sessions.retrieve("vs_1").id == "vs_1"
    assert sessions.update("vs_1", {"metadata": {"k": "v"}}).id == "vs_1"
    page = sessions.list({"limit": 3})
    assert isinstance(page, si.SyncListObject)
    assert [s.id for s in page] == [page.data[0].id]
    assert sessions.cancel("vs_1").id == "vs_1"
    assert sessions.redact("vs_1").id == "vs_1"
    reports = sync_client.verification_reports
    assert reports.retrieve("vr_1").id == "vr_1"
    assert isinstance(reports.list({"verification_session": "vs_1"}).data[0], si.VerificationReport)
    methods = [(s.method, s.path) for s in threaded_fake_api.seen]
    assert methods == [
        ("POST", "/v1/identity/verification_sessions"),
        ("GET", "/v1/identity/verification_sessions/vs_1"),
        ("POST", "/v1/identity/verification_sessions/vs_1"),
        ("GET", "/v1/identity/verification_sessions"),
        ("POST", "/v1/identity/verification_sessions/vs_1/cancel"),
        ("POST", "/v1/identity/verification_sessions/vs_1/redact"),
        ("GET", "/v1/identity/verification_reports/vr_1"),
        ("GET", "/v1/identity/verification_reports"),
    ]
    assert threaded_fake_api.seen[0].body == b"metadata[user]=42&type=document"


def test_sync_errors_and_retries_are_the_async_ones(
    sync_client: si.StripeIdentity, threaded_fake_api: FakeStripe
) -> None:
    threaded_fake_api.queue(Reply(500, error_json("api_error", "boom")))
    sync_client.verification_sessions.create({"type": "document"})
    first, second = threaded_fake_api.seen
    assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"]
    threaded_fake_api.queue(
        Reply(404, error_json("invalid_request_error", "No such session", param="session"))
    )
    with pytest.raises(si.InvalidRequestError) as info:
        sync_client.verification_sessions.retrieve("vs_missing")
    assert info.value.http_status == 404
    assert info.value.param == "session"


def test_sync_auto_paging_crosses_the_portal_once_per_page(
    sync_client: si.StripeIdentity, threaded_fake_api: FakeStripe
) -> None:
    threaded_fake_api.queue(*[paged] * 3)
    page = sync_client.verification_sessions.list({"limit": 3})
    calls = 0
    original = PortalRunner.call

    def counting(self: PortalRunner, *args: Any) -> Any:
        nonlocal calls
        calls += 1
        return original(self, *args)

    PortalRunner.call = counting  # type: ignore[method-assign,assignment]
    try:
        assert [s.id for s in page.auto_paging_iter()] == IDS
    finally:
        PortalRunner.call = original  # type: ignore[method-assign]
    assert calls == 2  # pages two and three; the first was already here
    assert [parse_qs(s.query_string).get("starting_after") for s in threaded_fake_api.seen] == [
        None,
        ["vs_5"],
        ["vs_2"],
    ]


def test_many_threads_share_one_client_and_one_loop(threaded_fake_api: FakeStripe) -> None:
    loops: set[int] = set()
    loop_threads: set[int] = set()

    async def where(request: si.Request, call_next: si.Handler) -> si.Response:
        loops.add(id(asyncio.get_running_loop()))
        loop_threads.add(threading.get_ident())
        return await call_next(request)

    with si.StripeIdentity(TEST_KEY, api_base=threaded_fake_api.url, middlewares=[where]) as client:

        def worker(n: int) -> list[str]:
            ids = []
            for i in range(25):
                ids.append(client.verification_sessions.retrieve(f"vs_{n}_{i}").id)
            return ids

        with ThreadPoolExecutor(16) as pool:
            results = list(pool.map(worker, range(16)))
    assert results == [[f"vs_{n}_{i}" for i in range(25)] for n in range(16)]
    assert len(threaded_fake_api.seen) == 400
    assert len(loops) == 1
    assert len(loop_threads) == 1
    assert threading.get_ident() not in loop_threads


def test_calling_from_a_running_event_loop_raises_quickly(
    sync_client: si.StripeIdentity, threaded_fake_api: FakeStripe
) -> None:
    async def misuse() -> None:
        sync_client.verification_sessions.retrieve("vs_1")

    started = time.monotonic()
    with pytest.raises(RuntimeError, match="AsyncStripeIdentity"):
        asyncio.run(misuse())
    assert time.monotonic() - started < 1
    assert threaded_fake_api.seen == []
    assert sync_client.verification_sessions.retrieve("vs_1").id == "vs_1"  # still usable


def test_close_is_idempotent_and_later_calls_fail_clearly(threaded_fake_api: FakeStripe) -> None:
    baseline = threading.active_count()
    client = si.StripeIdentity(TEST_KEY, api_base=threaded_fake_api.url)
    assert threading.active_count() == baseline + 1
    client.verification_sessions.retrieve("vs_1")
    client.close()
    client.close()
    assert client.closed
    assert threading.active_count() == baseline
    with pytest.raises(RuntimeError, match="closed"):
        client.verification_sessions.retrieve("vs_1")


def test_context_manager_closes_and_threads_return_to_baseline(
    threaded_fake_api: FakeStripe,
) -> None:
    baseline = {t.ident for t in threading.enumerate()}
    for _ in range(3):
        with si.StripeIdentity(TEST_KEY, api_base=threaded_fake_api.url) as client:
            client.verification_sessions.list()
    assert {t.ident for t in threading.enumerate()} == baseline


def test_configuration_errors_surface_at_construction() -> None:
    with pytest.raises(ValueError, match="refusing plain http"):
        si.StripeIdentity(TEST_KEY, api_base="http://example.com")
    with pytest.raises(si.AuthenticationError):
        si.StripeIdentity("sk_test with space")


def test_ctrl_c_while_waiting_cancels_the_request(threaded_fake_api: FakeStripe) -> None:
    cancelled = threading.Event()

    async def watch(request: si.Request, call_next: si.Handler) -> si.Response:
        try:
            return await call_next(request)
        except anyio.get_cancelled_exc_class():
            cancelled.set()
            raise

    async def stall(request: web.Request) -> web.StreamResponse:
        await anyio.sleep(30)
        return web.json_response(session_json())

    threaded_fake_api.queue(stall)
    with si.StripeIdentity(TEST_KEY, api_base=threaded_fake_api.url, middlewares=[watch]) as client:
        # A real SIGINT, as Ctrl-C delivers it to the process.
        timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
        timer.start()
        started = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            client.verification_sessions.retrieve("vs_1")
        assert time.monotonic() - started < 5
        assert cancelled.wait(5)
        # The client keeps working after the interruption.
        assert client.verification_sessions.retrieve("vs_2").id == "vs_2"


def _public_coroutines(cls: type) -> dict[str, Any]:
    return {
        name: member
        for name, member in inspect.getmembers(cls)
        if not name.startswith("_")
        and (inspect.iscoroutinefunction(member) or inspect.isasyncgenfunction(member))
    }


_SERVICES = [
    (getattr(si, name.removeprefix("Async")), getattr(si, name))
    for name in si.__all__
    if name.startswith("Async") and name.endswith("Service")
]


@pytest.mark.parametrize(
    ("sync_cls", "async_cls"),
    [
        (si.StripeIdentity, si.AsyncStripeIdentity),
        *_SERVICES,
        (si.SyncListObject, si.ListObject),
    ],
)
def test_sync_signatures_equal_the_async_ones(sync_cls: type, async_cls: type) -> None:
    # The async client's own lifecycle method has a sync name.
    renamed = {"aclose": "close"}
    methods = _public_coroutines(async_cls)
    assert methods, async_cls
    if async_cls is si.AsyncStripeIdentity:  # services and pages are built by their client
        methods["__init__"] = si.AsyncStripeIdentity.__init__
    for name, member in methods.items():
        sync_member = getattr(sync_cls, renamed.get(name, name))
        expected, actual = inspect.signature(member), inspect.signature(sync_member)
        assert actual.parameters == expected.parameters, (sync_cls, name)
        returns = expected.return_annotation
        if inspect.isasyncgenfunction(member):
            returns = returns.replace("AsyncIterator", "Iterator")
        if returns.startswith("ListObject["):  # the sync client's pages are SyncListObjects
            returns = "Sync" + returns
        assert actual.return_annotation == returns, (sync_cls, name)
        if name not in ("__init__", *renamed):
            assert inspect.getdoc(sync_member) == inspect.getdoc(member), (sync_cls, name)
    aliases = [name for name in vars(async_cls) if name.endswith("Params")]
    for alias in aliases:
        assert getattr(sync_cls, alias) is getattr(async_cls, alias)


def test_generated_facade_is_current_and_generation_is_deterministic() -> None:
    result = subprocess.run(
        [sys.executable, "scripts/generate_sync.py", "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    sys.path.insert(0, "scripts")
    try:
        import generate_sync

        assert generate_sync.render() == generate_sync.render()
    finally:
        sys.path.remove("scripts")


def test_generator_check_fails_on_a_stale_facade(tmp_path: Any) -> None:
    script = textwrap.dedent(
        """
        import pathlib, sys
        sys.path.insert(0, "scripts")
        import generate_sync
        out = pathlib.Path(sys.argv[1])
        generate_sync.OUT = out
        for path, text in generate_sync.render().items():
            target = out / path.relative_to(generate_sync.OUT)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text.replace("def retrieve", "def fetch"))
        sys.exit(generate_sync.main(["--check"]))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True
    )
    assert result.returncode == 1
    assert "+    def retrieve" in result.stdout


def test_an_unclosed_client_exits_cleanly(threaded_fake_api: FakeStripe) -> None:
    script = textwrap.dedent(
        f"""
        import stripe_identity as si
        client = si.StripeIdentity({TEST_KEY!r}, api_base={threaded_fake_api.url!r})
        client.verification_sessions.retrieve("vs_1")
        # no close(): the interpreter must clean up without warnings or hanging
        """
    )
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-W", "error::ResourceWarning", "-X", "dev", "-c", script],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert time.monotonic() - started < 10


def test_a_forked_child_gets_its_own_loop(threaded_fake_api: FakeStripe) -> None:
    script = textwrap.dedent(
        f"""
        import os, sys, warnings
        warnings.simplefilter("ignore", DeprecationWarning)  # fork() with threads, on purpose
        import stripe_identity as si
        client = si.StripeIdentity({TEST_KEY!r}, api_base={threaded_fake_api.url!r})
        client.verification_sessions.retrieve("vs_parent")
        pid = os.fork()
        if pid == 0:
            ok = client.verification_sessions.retrieve("vs_child").id == "vs_child"
            client.close()
            os._exit(0 if ok else 1)
        _, status = os.waitpid(pid, 0)
        assert client.verification_sessions.retrieve("vs_parent2").id == "vs_parent2"
        client.close()
        sys.exit(os.waitstatus_to_exitcode(status))
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    paths = sorted(s.path for s in threaded_fake_api.seen)
    assert paths == [
        f"/v1/identity/verification_sessions/{i}" for i in ("vs_child", "vs_parent", "vs_parent2")
    ]


def test_full_lifecycle_through_the_sync_client_on_the_emulator() -> None:
    from stripe_identity.emulator import Emulator

    with (
        Emulator(redaction_delay=0.0) as emu,
        si.StripeIdentity(TEST_KEY, api_base=emu.api_base) as client,
    ):
        sessions = client.verification_sessions
        session = sessions.create(
            sessions.CreateParams(type="document", metadata={"user": "7"}, client_reference_id="u7")
        )
        assert session.status == "requires_input"
        assert sessions.retrieve(session.id) == session
        assert sessions.update(session.id, {"metadata": {"step": "1"}}).metadata == {
            "step": "1",
            "user": "7",
        }
        assert [s.id for s in sessions.list({"client_reference_id": "u7"})] == [session.id]
        emu.submit(session.id)
        verified = sessions.retrieve(session.id, {"expand": ["last_verification_report"]})
        assert verified.status == "verified"
        assert isinstance(verified.last_verification_report, si.VerificationReport)
        report = client.verification_reports.retrieve(verified.last_verification_report.id)
        assert report.verification_session == session.id
        other = sessions.create({"type": "id_number"})
        assert sessions.cancel(other.id).status == "canceled"
        assert sessions.redact(session.id).redaction == si.Redaction(status="processing")
        deadline = time.monotonic() + 5
        while sessions.retrieve(session.id).redaction != si.Redaction(status="redacted"):
            assert time.monotonic() < deadline
            time.sleep(0.01)
        every = list(sessions.list({"limit": 1}).auto_paging_iter())
        assert [s.id for s in every] == [other.id, session.id]


def test_the_loop_threads_errors_reach_the_caller_and_the_loop_survives_them() -> None:
    from stripe_identity._loop_thread import LoopThread

    async def fail(error: BaseException) -> None:
        raise error

    async def answer(value: int) -> int:
        return value

    thread = LoopThread("test-loop-thread")
    try:
        with pytest.raises(ValueError, match="bad") as raised:
            thread.run(fail, ValueError("bad"))
        assert any(frame.name == "fail" for frame in traceback.extract_tb(raised.tb))
        # Even an interrupt raised on the loop thread is the caller's, and the loop goes on.
        with pytest.raises(KeyboardInterrupt):
            thread.run(fail, KeyboardInterrupt())
        assert [thread.run(answer, n) for n in range(3)] == [0, 1, 2]
    finally:
        thread.stop()
