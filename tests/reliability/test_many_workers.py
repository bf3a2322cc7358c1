"""Many worker processes, one account, one Redis: the runs of ``python -m benchmarks --workers``,
smaller, asserting correctness only (the benchmark measures utilisation and takeover time).

* Four processes, each with its own client and key, pace through one ``RedisRateLimiter`` against
  an emulator whose limit is shared by every key of the account; one is SIGKILLed halfway. No
  second of Redis's schedule holds more than the limit, and the survivors go on to use more than
  the three quarters of it they had (a gross bound: the machine is shared).
* Four webhook workers behind one URL, each on a ``RedisEventLedger``, receive the events of 300
  sessions, 10 % of the deliveries twice; one is SIGKILLed mid-run. Every event ends done in
  Redis, none is lost, no lease is lost, and the only events whose handling started twice are
  ones the killed worker held when it died.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.many_workers import ledger_run, pacer_run
from tests.redis_server import (
    REQUIRE_REDIS,
    redis_or_skip,
    redis_server as redis_server,
    redis_url as redis_url,
)

RATE = 40


def test_four_processes_share_one_rate_and_survive_a_kill(redis_url: str, tmp_path: Path) -> None:
    result = pacer_run(redis_url, RATE, workers=4, seconds=4.0, kill_at=2.0, workdir=tmp_path)
    assert result["window_max"] <= RATE, result
    assert result["errors"] == {}, result
    assert result["rate_limited_by_emulator"] <= result["requests"] // 100, result
    assert all(count > 0 for count in result["per_worker"]), result
    assert result["utilisation_after_kill"] > 0.75, result  # the survivors took the dead one's share


def test_four_webhook_workers_handle_each_event_once_through_duplicates_and_a_kill(
    redis_url: str, tmp_path: Path
) -> None:
    result = ledger_run(
        redis_url, events=300, workers=4, duplicates=0.1, kill_after=15, workdir=tmp_path
    )
    assert result["events"] == 300, result
    assert result["deliveries"]["duplicated"] > 0 and result["deliveries"]["given_up"] == 0, result
    assert result["done_in_redis"] == 300, result  # none lost
    assert result["never_started"] == 0, result
    assert result["leases_lost"] == 0, result
    assert result["started_twice_not_after_kill"] == 0, result  # duplicates never ran twice


def test_a_missing_redis_server_skips_unless_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)
    monkeypatch.delenv(REQUIRE_REDIS, raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install redis-server"):
        redis_or_skip()
    monkeypatch.setenv(REQUIRE_REDIS, "1")
    with pytest.raises(pytest.fail.Exception, match=f"{REQUIRE_REDIS}=1 forbids skipping"):
        redis_or_skip()
