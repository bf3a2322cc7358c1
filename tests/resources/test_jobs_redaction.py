"""``client.jobs.redact_sessions`` against the emulator: what it selects, skips and redacts, how it
reports, how errors end it, and how a checkpoint resumes it without redacting anything twice."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import pytest

import stripe_identity as si
from stripe_identity._jobs.redaction import idempotency_key
from stripe_identity.emulator import Emulator
from tests.bulk import populate, redacted_ids, redactions
from tests.conftest import TEST_KEY

pytestmark = pytest.mark.anyio

EVERY_STATUS = ["requires_input", "verified", "canceled", "processing"]


@pytest.fixture
async def client(emulator: Emulator) -> AsyncIterator[si.AsyncStripeIdentity]:
    async with si.AsyncStripeIdentity(
        TEST_KEY, api_base=emulator.api_base, retry_policy=si.RetryPolicy.no_wait()
    ) as c:
        yield c


async def test_every_selected_session_is_redacted_once_and_nothing_else_is_touched(
    emulator: Emulator, client: si.AsyncStripeIdentity, tmp_path: Path
) -> None:
    policy = {"requires_input": 30, "verified": 40, "canceled": 10}
    ids = await populate(emulator, policy, reference="retention")
    others = await populate(emulator, {"verified": 15, "requires_input": 5}, reference="keep-me")
    already = ids["verified"][:5]
    for session in already:
        await client.verification_sessions.redact(session)
    before = len(emulator.requests("redact"))

    summary = await client.jobs.redact_sessions(
        {"client_reference_id": "retention", "created": {"gte": 0}},
        statuses=["verified", "requires_input", "canceled"],
        checkpoint=tmp_path / "job.ckpt",
    )

    to_redact = set(ids["requires_input"]) | set(ids["verified"][5:])
    assert summary.complete and summary.ok
    assert summary.redacted == len(to_redact) == 65
    assert summary.skipped == {"already_redacted": 5, "status:canceled": 10}
    assert summary.failures == [] and summary.replayed == 0
    ran, replayed = redactions(emulator)
    assert ran == dict.fromkeys(to_redact | set(already), 1) and not replayed
    assert {r["idempotency_key"] for r in emulator.requests("redact")[before:]} == {
        idempotency_key(summary.job_id, session) for session in to_redact
    }
    assert redacted_ids(emulator) == to_redact | set(already)  # nothing of "keep-me" touched
    assert not redacted_ids(emulator) & {*others["verified"], *others["requires_input"]}


async def test_processing_and_canceled_sessions_are_skipped_with_their_reason(tmp_path: Path) -> None:
    async with (
        Emulator(processing_delay=3600) as emu,
        si.AsyncStripeIdentity(TEST_KEY, api_base=emu.api_base) as client,
    ):
        ids = await populate(emu, {"requires_input": 4, "processing": 3, "canceled": 2})
        progress: list[si.JobProgress] = []
        summary = await client.jobs.redact_sessions(statuses=EVERY_STATUS, on_progress=progress.append)
        assert summary.redacted == 4
        assert summary.skipped == {"status:processing": 3, "status:canceled": 2}
        skipped = {p.item.session: p.item.reason for p in progress if p.item and p.item.reason}
        assert skipped == {
            **dict.fromkeys(ids["processing"], "status:processing"),
            **dict.fromkeys(ids["canceled"], "status:canceled"),
        }
        assert redacted_ids(emu) == set(ids["requires_input"])


async def test_one_status_is_the_list_filter_several_are_kept_by_the_job(
    emulator: Emulator, client: si.AsyncStripeIdentity
) -> None:
    ids = await populate(emulator, {"requires_input": 3, "verified": 4})
    summary = await client.jobs.redact_sessions(statuses=["verified"], dry_run=True)
    assert summary.would_redact == 4 and summary.skipped == {}
    assert emulator.requests("list")  # a dry run lists...
    assert emulator.requests("redact") == []  # ...and changes nothing
    assert redacted_ids(emulator) == set()
    summary = await client.jobs.redact_sessions(
        statuses=["verified", "requires_input"], dry_run=True, count_first=True
    )
    assert summary.would_redact == 7
    assert set(ids["verified"]) | set(ids["requires_input"]) == {s["id"] for s in emulator.sessions()}


async def test_progress_counts_first_then_reports_each_session_with_the_total(
    emulator: Emulator, client: si.AsyncStripeIdentity
) -> None:
    await populate(emulator, {"verified": 130, "canceled": 5})
    reports: list[si.JobProgress] = []
    await client.jobs.redact_sessions({"created": {"gte": 0}}, on_progress=reports.append)
    counting = [r for r in reports if r.phase == "counting"]
    running = [r for r in reports if r.phase == "running"]
    assert [r.total for r in counting] == [100, 135]  # one report per page counted
    assert [r.done for r in running] == list(range(1, 136))
    assert {r.total for r in running} == {135}
    assert reports[-1].phase == "finished" and reports[-1].done == 135
    assert reports[-1].counts == {"redacted": 130, "skipped": 5, "failed": 0}
    assert all(r.item is not None for r in running)


async def test_a_failing_session_is_recorded_and_the_job_goes_on(tmp_path: Path) -> None:
    async with Emulator(processing_delay=3600) as emu:
        ids = await populate(emu, {"requires_input": 6})
        doomed = ids["requires_input"][2]

        async def submit_first(request: si.Request, call_next: si.Handler) -> si.Response:
            # The user submits just as the job reaches the session: it is processing, not redactable.
            if request.method == "POST" and doomed in request.path:
                emu.submit(doomed)
            return await call_next(request)

        async with si.AsyncStripeIdentity(
            TEST_KEY, api_base=emu.api_base, middlewares=[submit_first]
        ) as client:
            summary = await client.jobs.redact_sessions(
                statuses=["requires_input"], checkpoint=tmp_path / "job.ckpt"
            )
        assert summary.complete and not summary.ok
        assert summary.redacted == 5
        [failure] = summary.failures
        assert (failure.session, failure.http_status) == (doomed, 400)
        assert "requires_input" in failure.message and failure.request_id
        assert redacted_ids(emu) == set(ids["requires_input"]) - {doomed}


async def test_a_systemic_error_stops_the_job_and_its_checkpoint_finishes_it(
    emulator: Emulator, tmp_path: Path
) -> None:
    ids = await populate(emulator, {"verified": 60})
    checkpoint = tmp_path / "job.ckpt"
    answered = 0

    async def revoke_the_key_after_20(request: si.Request, call_next: si.Handler) -> si.Response:
        nonlocal answered
        if answered >= 20:
            request.headers["Authorization"] = "Bearer sk_live_revoked0key"  # the emulator: 401
        response = await call_next(request)
        answered += request.method == "POST"
        return response

    async with si.AsyncStripeIdentity(
        TEST_KEY, api_base=emulator.api_base, middlewares=[revoke_the_key_after_20]
    ) as client:
        with pytest.raises(si.JobStoppedError) as stopped:
            await client.jobs.redact_sessions(
                statuses=["verified"], checkpoint=checkpoint, concurrency=1
            )
    error = stopped.value
    assert error.http_status == 401 and isinstance(error.__cause__, si.AuthenticationError)
    assert error.summary is not None and not error.summary.complete
    assert error.summary.redacted == 20 and error.summary.failures == []
    assert str(checkpoint) in str(error)

    async with si.AsyncStripeIdentity(TEST_KEY, api_base=emulator.api_base) as client:
        summary = await client.jobs.redact_sessions(statuses=["verified"], checkpoint=checkpoint)
    assert summary.ok and summary.redacted == 60
    ran, _ = redactions(emulator)
    assert ran == dict.fromkeys(ids["verified"], 1)


async def test_a_resumed_job_asks_again_for_what_was_in_flight_and_the_api_replays_it(
    emulator: Emulator, tmp_path: Path
) -> None:
    ids = await populate(emulator, {"verified": 40})
    checkpoint = tmp_path / "job.ckpt"
    answers = 0
    interrupted = anyio.CancelScope()

    async def lose_the_tenth_answer(request: si.Request, call_next: si.Handler) -> si.Response:
        # The API has redacted the session, but the job never hears of it: as if killed right now.
        nonlocal answers
        response = await call_next(request)
        if request.method == "POST":
            answers += 1
            if answers == 10:
                interrupted.cancel()
                await anyio.sleep(1)  # cancelled here, before the job sees the answer
        return response

    async with si.AsyncStripeIdentity(
        TEST_KEY, api_base=emulator.api_base, middlewares=[lose_the_tenth_answer]
    ) as client:
        with interrupted:
            await client.jobs.redact_sessions(
                statuses=["verified"], checkpoint=checkpoint, concurrency=1
            )
    assert interrupted.cancelled_caught

    async with si.AsyncStripeIdentity(TEST_KEY, api_base=emulator.api_base) as client:
        summary = await client.jobs.redact_sessions(statuses=["verified"], checkpoint=checkpoint)
    assert summary.ok and summary.redacted == 40 and summary.replayed == 1
    ran, replayed = redactions(emulator)
    assert ran == dict.fromkeys(ids["verified"], 1)  # each redaction ran once...
    assert replayed == {ids["verified"][-10]: 1}  # ...and the one in flight was answered from the store

    # Run again: the checkpoint says the job is complete, and nothing is sent.
    before = len(emulator.requests())
    async with si.AsyncStripeIdentity(TEST_KEY, api_base=emulator.api_base) as client:
        again = await client.jobs.redact_sessions(statuses=["verified"], checkpoint=checkpoint)
    assert again.ok and again.redacted == 40 and again.job_id == summary.job_id
    assert len(emulator.requests()) == before


async def test_an_error_in_on_progress_stops_the_job_as_itself_and_the_checkpoint_resumes(
    emulator: Emulator, client: si.AsyncStripeIdentity, tmp_path: Path
) -> None:
    ids = await populate(emulator, {"verified": 30})
    checkpoint = tmp_path / "job.ckpt"

    def broken(progress: si.JobProgress) -> None:
        if progress.done == 10:
            raise BrokenPipeError("the reader went away")

    with pytest.raises(BrokenPipeError, match="went away"):  # itself, not an exception group
        await client.jobs.redact_sessions(
            statuses=["verified"], checkpoint=checkpoint, on_progress=broken
        )
    summary = await client.jobs.redact_sessions(statuses=["verified"], checkpoint=checkpoint)
    assert summary.ok and summary.redacted == 30
    ran, _ = redactions(emulator)
    assert ran == dict.fromkeys(ids["verified"], 1)


async def test_a_checkpoint_of_another_selection_is_refused(
    emulator: Emulator, client: si.AsyncStripeIdentity, tmp_path: Path
) -> None:
    checkpoint = tmp_path / "job.ckpt"
    await client.jobs.redact_sessions(statuses=["verified"], checkpoint=checkpoint)
    with pytest.raises(si.CheckpointError, match="selects 'status=verified'"):
        await client.jobs.redact_sessions(statuses=["canceled"], checkpoint=checkpoint)


@pytest.mark.parametrize(
    ("params", "statuses", "message"),
    [
        ({"starting_after": "vs_1"}, None, "leave starting_after out"),
        ({"expand": ["data.verified_outputs"]}, None, "leave expand out"),
        ({"status": "verified"}, ["canceled"], "not in both"),
        (None, [], "select no session"),
    ],
)
async def test_bad_selections_are_refused_before_anything_is_sent(
    emulator: Emulator,
    client: si.AsyncStripeIdentity,
    params: dict[str, object] | None,
    statuses: list[str] | None,
    message: str,
) -> None:
    with pytest.raises(ValueError, match=message):
        await client.jobs.redact_sessions(params, statuses=statuses)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="concurrency must be a positive int"):
        await client.jobs.redact_sessions(concurrency=0)
    with pytest.raises(TypeError, match="list of status names"):
        await client.jobs.redact_sessions(statuses="verified")
    assert emulator.requests() == []


def test_the_idempotency_key_is_the_job_and_the_session() -> None:
    assert idempotency_key("job1", "vs_123") == "redact-job1-vs_123"
    long = idempotency_key("job1", "vs_" + "x" * 300)
    assert len(long) <= 255 and long.startswith("redact-job1-")
    assert (
        long == idempotency_key("job1", "vs_" + "x" * 300) != idempotency_key("job2", "vs_" + "x" * 300)
    )


def test_the_sync_client_runs_the_job_and_calls_back_on_its_helper_thread(tmp_path: Path) -> None:
    with Emulator() as emu, si.StripeIdentity(TEST_KEY, api_base=emu.api_base) as client:
        anyio.run(populate, emu, {"verified": 3})
        threads: set[int] = set()
        refused: list[str] = []

        def on_progress(progress: si.JobProgress) -> None:
            threads.add(threading.get_ident())
            if progress.phase == "finished":
                try:
                    client.verification_sessions.list()
                except RuntimeError as exc:  # it would wait on the very thread it runs on
                    refused.append(str(exc))

        summary = client.jobs.redact_sessions(
            statuses=["verified"], checkpoint=tmp_path / "job.ckpt", on_progress=on_progress
        )
        assert summary.ok and summary.redacted == 3
        assert threads and threading.get_ident() not in threads
        assert refused and "running an event loop" in refused[0]
