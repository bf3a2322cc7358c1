"""The emulator's rate limits as pure logic: which requests are admitted, refused, and why.

Every check passes the time explicitly, so nothing here sleeps or depends on the machine's speed.
"""

from __future__ import annotations

import attrs
import orjson
import pytest

from stripe_identity.emulator._failures import APIFailure
from stripe_identity.emulator._ratelimit import (
    FILES,
    REASONS,
    RateLimitChecker,
    RateLimits,
    caller_key,
    endpoint_group,
    rate_limit_message,
)
from tests.spec_schema import validate_response

KEY = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"
OTHER_KEY = "sk_test_ZZZZZZZZZZZZZZZZZZZZZZZZ"


def admit_all(
    checker: RateLimitChecker,
    count: int,
    key: str = KEY,
    endpoint: str | None = "create",
    is_write: bool = False,
    now: float = 0.0,
) -> list[str | None]:
    return [checker.admit(key, endpoint, is_write, now) for _ in range(count)]


# --- configuration -------------------------------------------------------------------------------


def test_presets() -> None:
    assert attrs.asdict(RateLimits.test()) == {
        "name": "test",
        "per_second": 25,
        "per_endpoint": 25,
        "files_read": 20,
        "files_write": 20,
        "scope": "key",
    }
    assert attrs.asdict(RateLimits.live()) == {
        "name": "live",
        "per_second": 100,
        "per_endpoint": 25,
        "files_read": 20,
        "files_write": 20,
        "scope": "key",
    }
    assert attrs.asdict(RateLimits.scaled(200)) == {
        "name": "200",
        "per_second": 200,
        "per_endpoint": None,
        "files_read": None,
        "files_write": None,
        "scope": "key",
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("test", RateLimits.test()),
        (" LIVE ", RateLimits.live()),
        ("200", RateLimits.scaled(200)),
        ("1", RateLimits.scaled(1)),
    ],
)
def test_parse(text: str, expected: RateLimits) -> None:
    assert RateLimits.parse(text) == expected


@pytest.mark.parametrize("text", ["", "0", "-5", "1.5", "2e3", "fast", "test mode", "\u0663", "+5"])
def test_parse_refuses_anything_else(text: str) -> None:
    with pytest.raises(ValueError, match="'test', 'live', or a positive whole number"):
        RateLimits.parse(text)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"per_second": 0},
        {"per_second": True},
        {"per_second": 2.5},
        {"per_second": None},
        {"per_second": 10, "per_endpoint": -1},
        {"per_second": 10, "files_read": 0},
    ],
)
def test_limits_must_be_positive_whole_numbers(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="rate limit"):
        RateLimits(**kwargs)  # type: ignore[arg-type]


# --- the buckets ---------------------------------------------------------------------------------


def test_n_per_second_then_refusal() -> None:
    checker = RateLimitChecker(RateLimits.scaled(10))
    assert admit_all(checker, 10) == [None] * 10
    assert checker.admit(KEY, "create", False, 0.0) == "global"
    assert checker.admitted == 10
    assert checker.limited == {"global": 1}


def test_buckets_refill_over_time_up_to_one_seconds_worth() -> None:
    checker = RateLimitChecker(RateLimits.scaled(10))
    admit_all(checker, 10)
    assert checker.admit(KEY, "create", False, 0.05) == "global"  # half a token
    assert checker.admit(KEY, "create", False, 0.1) is None  # one token
    assert checker.admit(KEY, "create", False, 0.1) == "global"
    # A long quiet spell banks a second's worth, no more: capacity is at most N.
    assert admit_all(checker, 11, now=1000.0) == [None] * 10 + ["global"]


def test_a_clock_that_steps_back_earns_nothing() -> None:
    checker = RateLimitChecker(RateLimits.scaled(10))
    admit_all(checker, 10, now=5.0)
    assert checker.admit(KEY, "create", False, 4.0) == "global"
    assert checker.admit(KEY, "create", False, 5.1) is None


def test_each_api_key_has_its_own_buckets() -> None:
    checker = RateLimitChecker(RateLimits.scaled(10))
    admit_all(checker, 10)
    assert checker.admit(KEY, "create", False, 0.0) == "global"
    assert admit_all(checker, 10, key=OTHER_KEY) == [None] * 10


def test_each_connected_account_has_its_own_buckets() -> None:
    platform = caller_key(KEY)
    first, second = caller_key(KEY, "acct_1"), caller_key(KEY, "acct_2")
    assert len({platform, first, second}) == 3
    # Live and test mode are counted apart for the same account.
    assert caller_key("sk_live_abc", "acct_1") != first
    assert caller_key("rk_test_abc", "acct_1") == first

    checker = RateLimitChecker(RateLimits.scaled(10))
    admit_all(checker, 10, key=first)
    assert checker.admit(first, "create", False, 0.0) == "global"
    assert admit_all(checker, 10, key=second) == [None] * 10
    assert admit_all(checker, 10, key=platform) == [None] * 10


def test_account_wide_limits_are_shared_by_every_key_of_the_account() -> None:
    limits = RateLimits.scaled(10).account_wide()
    assert limits.scope == "account" and limits.per_second == 10
    checker = RateLimitChecker(limits)
    shared = caller_key(KEY, None, "account")
    assert caller_key(OTHER_KEY, None, "account") == shared
    assert caller_key("rk_test_restricted", None, "account") == shared
    admit_all(checker, 6, key=shared)
    assert admit_all(checker, 5, key=caller_key(OTHER_KEY, None, "account")) == [None] * 4 + ["global"]
    # A connected account is another account: its own limits, in either scope.
    assert caller_key(KEY, "acct_1", "account") == caller_key(KEY, "acct_1") != shared


def test_the_scope_is_key_or_account() -> None:
    assert RateLimits.scaled(5).scope == "key"
    with pytest.raises(ValueError, match="'key' or 'account'"):
        RateLimits(per_second=5, scope="ip")


def test_per_endpoint_limit_in_the_test_preset() -> None:
    checker = RateLimitChecker(RateLimits.test())
    # The Files API's 20 reads bind before the global 25 ...
    assert admit_all(checker, 21, endpoint=FILES) == [None] * 20 + ["files_read"]
    # ... which still has 5 for other endpoints, and then refuses everything.
    assert admit_all(checker, 5, endpoint="list") == [None] * 5
    assert checker.admit(KEY, "retrieve", False, 0.0) == "global"
    assert checker.limited == {"files_read": 1, "global": 1}


def test_one_endpoint_at_its_limit_leaves_the_others_open() -> None:
    checker = RateLimitChecker(RateLimits.live())
    assert admit_all(checker, 26, endpoint="create") == [None] * 25 + ["endpoint"]
    assert admit_all(checker, 25, endpoint="list") == [None] * 25
    assert checker.limited == {"endpoint": 1}


def test_both_limits_refusing_names_the_global_one() -> None:
    checker = RateLimitChecker(RateLimits.test())
    admit_all(checker, 25, endpoint="create")  # the global and the endpoint buckets are both empty
    assert checker.admit(KEY, "create", False, 0.0) == "global"


def test_a_refused_request_takes_nothing_from_the_other_buckets() -> None:
    checker = RateLimitChecker(RateLimits.live())
    admit_all(checker, 25, endpoint="create")
    assert admit_all(checker, 50, endpoint="create") == ["endpoint"] * 50
    # The global bucket lost only the 25 admitted: 75 remain, spread over endpoints of 25 each.
    for endpoint in ("list", "retrieve", "update"):
        assert admit_all(checker, 25, endpoint=endpoint) == [None] * 25
    assert checker.admit(KEY, "cancel", True, 0.0) == "global"
    assert checker.admitted == 100


def test_files_reads_and_writes_have_separate_buckets() -> None:
    checker = RateLimitChecker(RateLimits.live())
    assert admit_all(checker, 21, endpoint=FILES) == [None] * 20 + ["files_read"]
    assert admit_all(checker, 21, endpoint=FILES, is_write=True) == [None] * 20 + ["files_write"]
    # Files requests do not use the per-endpoint default, and they count against the global limit:
    # 100 - 40 leaves 60, and other endpoints take 25 each.
    assert admit_all(checker, 25, endpoint="create") == [None] * 25
    assert admit_all(checker, 25, endpoint="list") == [None] * 25
    assert admit_all(checker, 11, endpoint="retrieve") == [None] * 10 + ["global"]


def test_scaled_limits_have_no_lower_limit_for_any_endpoint() -> None:
    checker = RateLimitChecker(RateLimits.scaled(200))
    assert admit_all(checker, 150, endpoint="create") == [None] * 150
    assert admit_all(checker, 50, endpoint=FILES, is_write=True) == [None] * 50
    assert checker.admit(KEY, FILES, False, 0.0) == "global"
    # Capacity is at most N: after a long rest, 200 at once and no more.
    assert admit_all(checker, 201, endpoint="create", now=60.0) == [None] * 200 + ["global"]


def test_requests_without_an_endpoint_count_against_the_global_limit_only() -> None:
    checker = RateLimitChecker(RateLimits.live())
    assert admit_all(checker, 101, endpoint=None) == [None] * 100 + ["global"]


def test_stats_and_reset() -> None:
    checker = RateLimitChecker(RateLimits.test())
    admit_all(checker, 26)
    assert checker.stats() == {
        "limits": "test",
        "admitted": 25,
        "limited": {"global": 1, "endpoint": 0, "files_read": 0, "files_write": 0},
    }
    checker.reset()
    assert checker.stats()["admitted"] == 0
    assert admit_all(checker, 25) == [None] * 25  # full buckets again


# --- endpoints and messages ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "operation", "expected"),
    [
        ("/v1/files", "create_file", FILES),
        ("/v1/files/file_123", "retrieve_file", FILES),
        ("/v1/file_links", "create_file_link", "create_file_link"),
        ("/v1/filesystem", "other", "other"),
        ("/v1/identity/verification_sessions", "create", "create"),
        ("/v1/nowhere", None, None),
    ],
)
def test_endpoint_group(path: str, operation: str | None, expected: str | None) -> None:
    assert endpoint_group(path, operation) == expected


def test_rate_limit_messages() -> None:
    messages = {reason: rate_limit_message(reason, RateLimits.live()) for reason in REASONS}
    assert len(set(messages.values())) == len(REASONS)
    assert "at most 100 a second" in messages["global"]
    assert "at most 25 a second" in messages["endpoint"]
    assert "at most 20 a second" in messages["files_write"]
    assert "a second)" not in rate_limit_message("endpoint", RateLimits.scaled(200))
    assert "https://stripe.com/docs/rate-limits" in rate_limit_message("global")


def test_the_429_the_emulator_will_send_fits_the_spec() -> None:
    failure = APIFailure(429, rate_limit_message("global", RateLimits.test()), code="rate_limit")
    body = failure.body("req_123")
    assert body["error"]["type"] == "invalid_request_error"
    assert body["error"]["code"] == "rate_limit"
    validate_response("POST", "/v1/identity/verification_sessions", 429, orjson.dumps(body))
