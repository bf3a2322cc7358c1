"""The emulator enforcing Stripe's rate limits over HTTP: the 429 in Stripe's shape, buckets that
refill at the rate, per key and per connected account, the test and live presets. Exact counts, so
the emulator's clock is frozen. (Its buckets as pure logic: ``test_ratelimit.py``; the client pacing
itself against them: ``tests/client/test_rate_limits.py``.)"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from types import SimpleNamespace
from unittest.mock import ANY

import aiohttp
import pytest

import stripe_identity as si
import stripe_identity.emulator
from stripe_identity.emulator import Emulator, RateLimits, _ratelimit
from stripe_identity.emulator._ratelimit import rate_limit_message
from tests.concurrency import gather
from tests.conftest import TEST_KEY, RawHTTP

OTHER_KEY = "sk_test_51OtherAccountKeyForRateLimits"
SESSIONS = "/v1/identity/verification_sessions"
REPORTS = "/v1/identity/verification_reports"
FILES = "/v1/files"

pytestmark = pytest.mark.anyio


class FrozenClock:
    """The emulator's clock, standing still until a test moves it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def emulator_clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    clock = FrozenClock()
    monkeypatch.setattr(_ratelimit, "time", SimpleNamespace(monotonic=clock))
    return clock


@contextlib.asynccontextmanager
async def limited(rate_limits: RateLimits | int | str) -> AsyncIterator[tuple[Emulator, RawHTTP]]:
    async with Emulator(seed=7, rate_limits=rate_limits) as emu, aiohttp.ClientSession() as session:
        yield emu, RawHTTP(session, emu.api_base)


async def statuses(raw: RawHTTP, count: int, path: str = SESSIONS, key: str = TEST_KEY) -> list[int]:
    """``count`` GETs of ``path``, one after the other."""
    headers = {"Authorization": f"Bearer {key}"}
    return [(await raw("GET", path, headers=headers))[0] for _ in range(count)]


def limited_counts(emu: Emulator) -> dict[str, int]:
    counts: dict[str, int] = emu.stats()["rate_limits"]["limited"]
    return counts


# --- the emulator enforcing the limits -----------------------------------------------------------


async def test_a_burst_past_the_limit_is_refused_in_stripes_shape(emulator_clock: FrozenClock) -> None:
    async with limited(5) as (emu, raw):
        answers = [await raw("GET", SESSIONS) for _ in range(8)]
        assert [status for status, _, _ in answers] == [200] * 5 + [429] * 3
        _, headers, body = answers[-1]
        assert body == {
            "error": {
                "type": "invalid_request_error",
                "code": "rate_limit",
                "doc_url": "https://stripe.com/docs/error-codes/rate-limit",
                "message": rate_limit_message("global", RateLimits.scaled(5)),
                "request_log_url": ANY,
            }
        }
        assert "(at most 5 a second)" in body["error"]["message"]
        assert headers["Request-Id"].startswith("req_")
        assert headers["Content-Type"].startswith("application/json")

        # The same at once: a concurrent burst of 3N after a full refill gets exactly N through.
        emulator_clock.advance(1.0)
        burst = await gather([lambda: raw("GET", SESSIONS) for _ in range(15)])
        assert sorted(status for status, _, _ in burst) == [200] * 5 + [429] * 10

        stats = emu.stats()
        assert stats["rate_limits"] == {
            "limits": "5",
            "admitted": 10,
            "limited": {"global": 13, "endpoint": 0, "files_read": 0, "files_write": 0},
        }
        assert stats["by_status"] == {"200": 10, "429": 13}


async def test_the_sdk_raises_rate_limit_error_without_retries(emulator_clock: FrozenClock) -> None:
    async with (
        Emulator(rate_limits=2) as emu,
        si.AsyncStripeIdentity(TEST_KEY, api_base=emu.api_base, max_retries=0) as client,
    ):
        for _ in range(2):
            await client.verification_sessions.create({"type": "document"})
        with pytest.raises(si.RateLimitError) as caught:
            await client.verification_sessions.create({"type": "document"})
        error = caught.value
        assert (error.http_status, error.code) == (429, "rate_limit")
        assert error.request_id is not None and error.request_id.startswith("req_")
        assert emu.stats()["sessions"] == 2  # the refused create never ran


async def test_buckets_refill_at_the_rate_up_to_one_seconds_worth(emulator_clock: FrozenClock) -> None:
    async with limited(10) as (emu, raw):
        assert await statuses(raw, 11) == [200] * 10 + [429]
        emulator_clock.advance(0.25)  # two and a half tokens
        assert await statuses(raw, 3) == [200, 200, 429]
        emulator_clock.advance(60)  # a long pause banks one second's worth, no more
        assert await statuses(raw, 11) == [200] * 10 + [429]
        assert emu.stats()["rate_limits"]["admitted"] == 22


async def test_each_key_and_each_connected_account_has_its_own_buckets(
    emulator_clock: FrozenClock,
) -> None:
    async with limited(3) as (emu, raw):
        assert await statuses(raw, 4) == [200, 200, 200, 429]
        assert await statuses(raw, 4, key=OTHER_KEY) == [200, 200, 200, 429]
        for_account = {"Stripe-Account": "acct_1RateLimits"}
        answers = [(await raw("GET", SESSIONS, headers=for_account))[0] for _ in range(4)]
        assert answers == [200, 200, 200, 429]
        assert await statuses(raw, 1) == [429]  # the first key is still empty
        assert limited_counts(emu)["global"] == 4


async def test_live_preset_limits_each_endpoint_and_the_files_api(emulator_clock: FrozenClock) -> None:
    async with limited("live") as (emu, raw):
        # 25 per endpoint (list sessions), while the 100 global leaves other endpoints open.
        assert await statuses(raw, 26) == [200] * 25 + [429]
        status, _, body = await raw("GET", SESSIONS)
        assert status == 429
        assert body["error"]["message"] == rate_limit_message("endpoint", RateLimits.live())
        assert await statuses(raw, 25, REPORTS) == [200] * 25
        # The Files API: 20 reads a second, shared by its endpoints.
        assert await statuses(raw, 20, FILES) == [200] * 20
        status, _, body = await raw("GET", FILES + "/file_missing")
        assert status == 429
        assert body["error"]["code"] == "rate_limit"
        assert "(at most 20 a second)" in body["error"]["message"]
        assert limited_counts(emu) == {"global": 0, "endpoint": 2, "files_read": 1, "files_write": 0}


async def test_test_preset_has_the_25_global_limit(emulator_clock: FrozenClock) -> None:
    async with limited("test") as (emu, raw):
        assert await statuses(raw, 21, FILES) == [200] * 20 + [429]  # files reads first
        assert await statuses(raw, 6) == [200] * 5 + [429]  # then the global 25 is used up
        status, _, body = await raw("GET", REPORTS)
        assert status == 429
        assert body["error"]["message"] == rate_limit_message("global", RateLimits.test())
        assert limited_counts(emu) == {"global": 2, "endpoint": 0, "files_read": 1, "files_write": 0}
        assert emu.stats()["rate_limits"]["limits"] == "test"


async def test_a_refused_post_is_not_stored_for_its_idempotency_key(emulator_clock: FrozenClock) -> None:
    async with limited(1) as (emu, raw):
        assert await statuses(raw, 1) == [200]
        headers = {"Idempotency-Key": "rate-limited-create"}
        status, first, body = await raw("POST", SESSIONS, "type=document", headers)
        assert (status, body["error"]["code"]) == (429, "rate_limit")
        assert "Idempotent-Replayed" not in first
        assert emu.stats()["idempotency_keys"] == 0
        assert emu.stats()["sessions"] == 0

        emulator_clock.advance(1.0)
        status, second, created = await raw("POST", SESSIONS, "type=document", headers)
        assert status == 200  # executed now, not a replay of the 429
        assert "Idempotent-Replayed" not in second
        emulator_clock.advance(1.0)
        status, third, replayed = await raw("POST", SESSIONS, "type=document", headers)
        assert status == 200
        assert third["Idempotent-Replayed"] == "true"
        assert replayed["id"] == created["id"]
        assert emu.stats()["sessions"] == 1
