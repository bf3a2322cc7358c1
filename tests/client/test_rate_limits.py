"""The client pacing itself to the emulator's rate limits, end to end, and the command line's rate
limit options. The pacing tests run in real time, with margins for a busy machine: pacing may make
the client slower than its rate, never faster. (The emulator's buckets over HTTP:
``tests/emulator/test_rate_limit_buckets.py``; the limiters as logic: ``test_limiter.py``.)"""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import anyio
import pytest

import stripe_identity as si
import stripe_identity.emulator
from stripe_identity._cli import main
from stripe_identity._middleware import Handler
from stripe_identity._response import Request, Response
from stripe_identity.emulator import Emulator, RateLimits
from tests.concurrency import gather
from tests.conftest import TEST_KEY

OTHER_KEY = "sk_test_51OtherAccountKeyForRateLimits"
SESSIONS = "/v1/identity/verification_sessions"
REPORTS = "/v1/identity/verification_reports"
FILES = "/v1/files"

pytestmark = pytest.mark.anyio

# --- the client pacing itself against them -------------------------------------------------------


class Stamps:
    """A per-attempt middleware: when each attempt left, and how it was answered."""

    def __init__(self) -> None:
        self.sent: list[float] = []
        self.statuses: list[int] = []

    async def __call__(self, request: Request, call_next: Handler) -> Response:
        self.sent.append(time.monotonic())
        response = await call_next(request)
        self.statuses.append(response.status)
        return response

    def busiest_window(self, seconds: float = 1.0) -> int:
        """The most attempts that left within any half-open window of ``seconds``."""
        sent = sorted(self.sent)
        most, low = 0, 0
        for high, t in enumerate(sent):
            while sent[low] <= t - seconds:
                low += 1
            most = max(most, high - low + 1)
        return most


async def test_pacing_at_the_limit_gets_a_burst_through_without_a_429() -> None:
    rate, creates = 100, 300
    stamps = Stamps()
    async with (
        Emulator(rate_limits=rate) as emu,
        si.AsyncStripeIdentity(
            TEST_KEY, api_base=emu.api_base, rate_limit=rate, middlewares=[stamps]
        ) as client,
    ):
        started = time.monotonic()
        sessions = await gather(
            [lambda: client.verification_sessions.create({"type": "document"})] * creates, 50
        )
        elapsed = time.monotonic() - started
        stats = emu.stats()
    assert len({s.id for s in sessions}) == creates  # no errors: every call made its session
    assert stamps.statuses == [200] * creates  # one attempt each: no 429 on the wire, no retry
    assert stats["rate_limits"]["admitted"] == creates
    assert sum(stats["rate_limits"]["limited"].values()) == 0
    assert stamps.busiest_window() <= rate + 1
    assert elapsed >= (creates - 1) / rate * 0.98  # paced, so no faster than the rate allows


async def test_cancelling_a_thousand_blocked_callers_leaves_the_pace_as_it_was() -> None:
    rate = 20
    limiter = si.RateLimiter(rate)
    stamps = Stamps()
    async with (
        Emulator(rate_limits=rate) as emu,
        si.AsyncStripeIdentity(
            TEST_KEY, api_base=emu.api_base, rate_limit=limiter, middlewares=[stamps], max_retries=0
        ) as client,
    ):
        began = time.monotonic()
        async with anyio.create_task_group() as tg:
            for _ in range(1000):
                tg.start_soon(client.verification_sessions.list)
            with anyio.fail_after(30):
                # Every caller in line, but those the pace let through meanwhile.
                while limiter.waiting + len(stamps.sent) < 1000:  # noqa: ASYNC110
                    await anyio.sleep(0.01)
            assert limiter.waiting > 900
            tg.cancel_scope.cancel()
        assert limiter.waiting == 0
        assert limiter.rate == rate
        # Only those the pace let through reached the wire; the cancelled ones never will.
        through = len(stamps.sent)
        assert through <= 2 + rate * (time.monotonic() - began)
        await anyio.sleep(0.2)
        assert len(stamps.sent) == through

        stamps.sent.clear()
        calls = 10
        started = time.monotonic()
        pages = await gather([client.verification_sessions.list] * calls)
        elapsed = time.monotonic() - started
        stats = emu.stats()
    assert all(page.object == "list" for page in pages)
    assert len(stamps.sent) == calls
    # At the rate: no faster (no tokens banked by the cancelled callers) and no slower (no debt
    # left by them, which would cost seconds: 50 s for the thousand).
    assert max(stamps.sent) - min(stamps.sent) >= (calls - 2) / rate * 0.98
    assert elapsed < (calls - 1) / rate + 2.0
    assert sum(stats["rate_limits"]["limited"].values()) == 0


def test_sync_client_on_sixteen_threads_keeps_to_the_rate() -> None:
    rate, seconds, threads = 50, 5.0, 16
    stamps = Stamps()
    with (
        Emulator(rate_limits=rate) as emu,
        si.StripeIdentity(
            TEST_KEY, api_base=emu.api_base, rate_limit=rate, middlewares=[stamps]
        ) as client,
    ):
        started = time.monotonic()
        deadline = started + seconds

        def work() -> int:
            made = 0
            while time.monotonic() < deadline:
                client.verification_sessions.create({"type": "document"})
                made += 1
            return made

        with ThreadPoolExecutor(threads) as pool:
            made = sum(pool.map(lambda _: work(), range(threads)))
        stats = emu.stats()
    in_window = sum(1 for t in stamps.sent if started <= t < deadline)
    # Never above the rate; how close it gets below depends on a machine this suite shares, so the
    # floor only catches a pacer that stalls (the benchmarks measure the utilisation itself).
    assert 0.5 * rate * seconds <= in_window <= rate * seconds + rate, in_window
    assert stamps.busiest_window() <= rate + 1  # 50 a second plus the bucket's one token
    assert made == len(stamps.sent)  # every call one attempt: no retries, no errors
    assert set(stamps.statuses) == {200}
    assert sum(stats["rate_limits"]["limited"].values()) == 0


async def test_with_options_views_share_the_clients_pace() -> None:
    rate, per_view = 40, 20
    stamps = Stamps()
    async with (
        Emulator(rate_limits=rate) as emu,
        si.AsyncStripeIdentity(
            TEST_KEY, api_base=emu.api_base, rate_limit=rate, middlewares=[stamps], max_retries=0
        ) as client,
    ):
        view = client.with_options(timeout=30.0, stripe_version="2026-09-30.endive")
        calls = [client.verification_sessions.list, view.verification_sessions.list] * per_view
        pages = await gather(calls)
        stats = emu.stats()
    assert len(pages) == len(stamps.sent) == 2 * per_view
    # Together at the one rate: a limiter each would have let both go at once, in half the time.
    assert max(stamps.sent) - min(stamps.sent) >= (2 * per_view - 2) / rate * 0.98
    assert stamps.busiest_window() <= rate + 1
    assert sum(stats["rate_limits"]["limited"].values()) == 0


# --- the command line ----------------------------------------------------------------------------


def test_cli_refuses_a_bad_rate_limit_as_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["emulator", "--rate-limits", "fast"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "--rate-limits" in err
    assert "'test', 'live', or a positive whole number" in err


@pytest.mark.parametrize(
    ("flag", "expected"),
    [("test", RateLimits.test()), ("LIVE", RateLimits.live()), ("250", RateLimits.scaled(250))],
)
def test_cli_passes_the_rate_limits_to_the_emulator(
    flag: str, expected: RateLimits, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}

    class Stop(Exception):
        pass

    def emulator(**kwargs: Any) -> None:
        seen.update(kwargs)
        raise Stop

    monkeypatch.setattr(stripe_identity.emulator, "Emulator", emulator)
    with contextlib.suppress(Stop):
        main(["emulator", "--port", "0", "--rate-limits", flag])
    assert seen["rate_limits"] == expected


def test_cli_emulator_enforces_its_rate_limits() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "stripe_identity", "emulator", "--port", "0", "--rate-limits", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert "listening on http://127.0.0.1:" in line
        api_base = line.rsplit(" ", 1)[1].strip()
        request = urllib.request.Request(
            api_base + SESSIONS, headers={"Authorization": f"Bearer {TEST_KEY}"}
        )
        answers: list[tuple[int, Any]] = []
        for _ in range(3):  # one a second: the bucket's one token, then 429s (unless 1 s passes)
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    answers.append((response.status, json.loads(response.read())))
            except urllib.error.HTTPError as refused:
                answers.append((refused.code, json.loads(refused.read())))
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert answers[0][0] == 200
    refused_bodies = [body for status, body in answers[1:] if status == 429]
    assert refused_bodies, answers
    assert all(body["error"]["code"] == "rate_limit" for body in refused_bodies)
    assert process.returncode == 0, err
