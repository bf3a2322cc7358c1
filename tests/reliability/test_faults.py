"""Exactly once under faults: every create ends in one session or a typed error, never two sessions.

The emulator injects 25% faults (5xx, 429 with Retry-After, a reset before the request runs, and a
reset after it ran but before the answer is written: the case only an idempotency key can save).
Sizes: see tests/scale.py (`nox -s reliability` runs 10,000 async and 2,000 sync creates).
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import anyio
import pytest

import stripe_identity as si
from stripe_identity.emulator import Emulator, Faults
from tests.conftest import TEST_KEY
from tests.scale import scale

FAULTS = Faults.uniform(0.25, retry_after=1)


def check_exactly_once(
    emu: Emulator, outcomes: dict[str, str | type[si.StripeError]], total: int
) -> Counter[str]:
    """Each successful call holds exactly its one session; no reference has two."""
    assert len(outcomes) == total
    held = Counter(str(s["client_reference_id"]) for s in emu.sessions())
    by_ref = {str(s["client_reference_id"]): s["id"] for s in emu.sessions()}
    assert max(held.values(), default=0) <= 1, [r for r, n in held.items() if n > 1][:5]
    kinds: Counter[str] = Counter()
    for ref, outcome in outcomes.items():
        if isinstance(outcome, str):
            assert by_ref[ref] == outcome
            kinds["session"] += 1
        else:
            kinds[outcome.__name__] += 1
    return kinds


@pytest.mark.anyio
@pytest.mark.parametrize("max_retries", [3, 0], ids=["retries", "no-retries"])
async def test_async_creates_are_exactly_once_under_faults(max_retries: int) -> None:
    total, concurrency = scale(400, 10_000), scale(50, 200)
    outcomes: dict[str, str | type[si.StripeError]] = {}
    async with (
        Emulator(faults=FAULTS, seed=11) as emu,
        si.AsyncStripeIdentity(
            TEST_KEY, api_base=emu.api_base, max_retries=max_retries, max_connections=concurrency
        ) as client,
    ):
        limiter = anyio.CapacityLimiter(concurrency)

        async def create(ref: str) -> None:
            async with limiter:
                try:
                    session = await client.verification_sessions.create(
                        {"type": "document", "client_reference_id": ref}
                    )
                    outcomes[ref] = session.id
                except si.StripeError as exc:  # anything else escapes and fails the test
                    outcomes[ref] = type(exc)

        async with anyio.create_task_group() as tg:
            for i in range(total):
                tg.start_soon(create, f"ref-{i}")
        kinds = check_exactly_once(emu, outcomes, total)
        faults = emu.stats()["faults"]
    assert all(count > 0 for count in faults.values()), faults
    if max_retries:
        assert kinds["session"] > total * 0.95
    else:
        assert kinds["session"] < total * 0.85  # the faults did bite
    print(f"\nasync, max_retries={max_retries}: {dict(kinds)}; faults injected: {faults}")


@pytest.mark.parametrize("max_retries", [3, 0], ids=["retries", "no-retries"])
def test_sync_creates_from_16_threads_are_exactly_once_under_faults(max_retries: int) -> None:
    total = scale(160, 2_000)
    outcomes: dict[str, str | type[si.StripeError]] = {}
    lock = threading.Lock()
    with (
        Emulator(faults=FAULTS, seed=12) as emu,
        si.StripeIdentity(TEST_KEY, api_base=emu.api_base, max_retries=max_retries) as client,
    ):

        def create(i: int) -> None:
            ref = f"ref-{i}"
            try:
                result: str | type[si.StripeError] = client.verification_sessions.create(
                    {"type": "document", "client_reference_id": ref}
                ).id
            except si.StripeError as exc:
                result = type(exc)
            with lock:
                outcomes[ref] = result

        with ThreadPoolExecutor(16) as pool:
            list(pool.map(create, range(total)))
        kinds = check_exactly_once(emu, outcomes, total)
    print(f"\nsync x16 threads, max_retries={max_retries}: {dict(kinds)}")
