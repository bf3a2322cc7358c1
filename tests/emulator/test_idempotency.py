"""Idempotency and fault injection in the emulator."""

from __future__ import annotations

from collections.abc import Mapping

import anyio
import pytest

import stripe_identity as si
from stripe_identity.emulator import Emulator, Faults
from tests.conftest import TEST_KEY, RawHTTP

pytestmark = pytest.mark.anyio

SESSIONS = "/v1/identity/verification_sessions"


async def test_same_key_same_params_replays_byte_for_byte(emulator: Emulator, raw: RawHTTP) -> None:
    async def post() -> tuple[bytes, Mapping[str, str]]:
        async with raw.session.post(
            raw.base + SESSIONS,
            data="type=document&metadata[a]=1",
            headers={
                "Authorization": f"Bearer {TEST_KEY}",
                "Idempotency-Key": "key-1",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        ) as response:
            return await response.read(), response.headers

    (body1, first), (body2, second) = await post(), await post()
    assert body1 == body2
    assert second["Idempotent-Replayed"] == "true"
    assert second["Original-Request"] == first["Request-Id"]
    assert second["Request-Id"] != first["Request-Id"]
    assert second["Idempotency-Key"] == "key-1"
    assert emulator.stats()["sessions"] == 1


async def test_stored_errors_replay_too(emulator: Emulator, raw: RawHTTP) -> None:
    _, _, session = await raw("POST", SESSIONS, "type=document")
    await raw("POST", f"{SESSIONS}/{session['id']}/cancel")
    key = {"Idempotency-Key": "cancel-again"}
    first = await raw("POST", f"{SESSIONS}/{session['id']}/cancel", "", headers=key)
    second = await raw("POST", f"{SESSIONS}/{session['id']}/cancel", "", headers=key)
    assert first[0] == second[0] == 400
    assert first[2] == second[2]
    assert second[1]["Idempotent-Replayed"] == "true"


async def test_validation_failures_are_not_stored(raw: RawHTTP) -> None:
    key = {"Idempotency-Key": "fix-and-retry"}
    assert (await raw("POST", SESSIONS, "type=passport", headers=key))[0] == 400
    assert (await raw("POST", SESSIONS, "type=document", headers=key))[0] == 200


async def test_same_key_other_params_is_an_idempotency_error(
    emu_client: si.AsyncStripeIdentity,
) -> None:
    opts = si.RequestOptions(idempotency_key="reused-key")
    await emu_client.verification_sessions.create({"type": "document"}, opts)
    with pytest.raises(si.IdempotencyError) as info:
        await emu_client.verification_sessions.create({"type": "id_number"}, opts)
    assert info.value.http_status == 400
    assert "reused-key" in info.value.message
    assert info.value.idempotency_key == "reused-key"
    with pytest.raises(si.IdempotencyError, match="same endpoint"):
        await emu_client.verification_sessions.update("vs_x", {"type": "document"}, opts)


async def test_twenty_concurrent_posts_with_one_key_create_one_session() -> None:
    async with (
        Emulator(latency=0.05) as emu,
        si.AsyncStripeIdentity(TEST_KEY, api_base=emu.api_base, max_retries=0) as client,
    ):
        outcomes: list[str] = []
        conflicts: list[si.StripeError] = []

        async def post() -> None:
            try:
                session = await client.verification_sessions.create(
                    {"type": "document"}, {"idempotency_key": "one-key"}
                )
                outcomes.append(session.id)
            except si.StripeError as exc:
                conflicts.append(exc)
                outcomes.append("409")

        async with anyio.create_task_group() as tg:
            for _ in range(20):
                tg.start_soon(post)
        ids = {o for o in outcomes if o != "409"}
        assert len(ids) == 1
        assert {(e.http_status, e.code) for e in conflicts} == {(409, "idempotency_key_in_use")}
        assert "409" in outcomes
        assert emu.stats()["sessions"] == 1
        # Once the first has finished, the same key replays its session.
        replay = await client.verification_sessions.create(
            {"type": "document"}, {"idempotency_key": "one-key"}
        )
        assert replay.id in ids


async def test_sdk_retries_over_faults_create_each_session_once() -> None:
    faults = Faults.uniform(0.4, retry_after=0.0)
    async with (
        Emulator(faults=faults, seed=7) as emu,
        si.AsyncStripeIdentity(
            TEST_KEY, api_base=emu.api_base, max_retries=12, retry_policy=si.RetryPolicy.no_wait()
        ) as client,
    ):
        created = []
        for i in range(40):
            session = await client.verification_sessions.create(
                {"type": "document", "client_reference_id": f"user-{i}"}
            )
            created.append(session.client_reference_id)
        stats = emu.stats()
        assert stats["sessions"] == 40
        assert all(stats["faults"][kind] > 0 for kind in stats["faults"])
        refs = [s["client_reference_id"] for s in emu.sessions()]
        assert sorted(map(str, refs)) == sorted(map(str, created))


async def _fault_trace(seed: int) -> list[object]:
    trace: list[object] = []
    async with Emulator(faults=Faults.uniform(0.6, retry_after=1), seed=seed) as emu:
        async with si.AsyncStripeIdentity(TEST_KEY, api_base=emu.api_base, max_retries=0) as c:
            for _ in range(30):
                try:
                    trace.append((await c.verification_sessions.list()).object)
                except si.StripeError as exc:
                    trace.append(
                        (
                            type(exc).__name__,
                            exc.http_status,
                            exc.headers.get("Retry-After") if exc.headers else None,
                        )
                    )
        trace.append(emu.stats()["faults"])
    return trace


async def test_faults_are_reproducible_by_seed() -> None:
    first, again, other = await _fault_trace(3), await _fault_trace(3), await _fault_trace(4)
    assert first == again
    assert first != other
    assert ("RateLimitError", 429, "1") in first
    assert any(isinstance(t, tuple) and t[0] == "APIConnectionError" for t in first)


async def test_faults_can_target_one_operation() -> None:
    async with (
        Emulator(faults={"create": Faults(server_error=1.0)}) as emu,
        si.AsyncStripeIdentity(TEST_KEY, api_base=emu.api_base, max_retries=0) as c,
    ):
        with pytest.raises(si.APIError) as info:
            await c.verification_sessions.create({"type": "document"})
        assert info.value.http_status in (500, 502, 503)
        assert (await c.verification_sessions.list()).data == []
    with pytest.raises(ValueError, match="between 0 and 1"):
        Faults(server_error=1.5)
    with pytest.raises(ValueError, match="more than 1"):
        Faults(server_error=0.6, rate_limit=0.6)


async def test_reset_after_commit_is_saved_by_the_idempotency_key() -> None:
    async with Emulator(faults={"create": Faults(reset_after_commit=1.0)}) as emu:
        async with si.AsyncStripeIdentity(TEST_KEY, api_base=emu.api_base, max_retries=0) as c:
            with pytest.raises(si.APIConnectionError):
                await c.verification_sessions.create({"type": "document"}, {"idempotency_key": "k1"})
            # The session exists although the client never heard back.
            assert emu.stats()["sessions"] == 1
            # A retry with the same key is answered from the store (faults drawn again, so the
            # fault is lifted for the replay).
        emu._app.faults = type(emu._app.faults)(None, 0)
        async with si.AsyncStripeIdentity(TEST_KEY, api_base=emu.api_base) as c:
            replay = await c.verification_sessions.create(
                {"type": "document"}, {"idempotency_key": "k1"}
            )
            assert replay.last_response is not None
            assert replay.last_response.headers["Idempotent-Replayed"] == "true"
        assert emu.stats()["sessions"] == 1
