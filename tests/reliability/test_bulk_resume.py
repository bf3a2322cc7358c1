"""The redaction job, SIGKILLed at seeded random points and resumed each time with its checkpoint,
redacts every selected session exactly once and touches nothing else.

The job runs as ``stripe-identity sessions redact`` in a real subprocess; the test kills it (SIGKILL:
no handler runs, no file is closed) once the emulator's request log shows the Nth successful
redaction, for three N drawn from a seeded generator, and then runs the same command to the end.
The emulator's log is the judge: one redaction that ran (200, not a replay) per selected session,
every other answer to a redaction a replay from the idempotency store, with the job's key for that
session. 300 sessions here; 2,000 under ``nox -s reliability``; the benchmark's ``--bulk`` mode does
5,000.
"""

from __future__ import annotations

import functools
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import anyio

from stripe_identity._jobs.checkpoint import Journal
from stripe_identity._jobs.redaction import idempotency_key
from stripe_identity.emulator import Emulator
from tests.bulk import populate, redacted_ids, redactions
from tests.cli.helpers import cli_env
from tests.conftest import TEST_KEY
from tests.scale import scale

SEED = 27
KILLS = 3
SELECTION = (
    "client_reference_id=policy&statuses[0]=canceled&statuses[1]=requires_input&statuses[2]=verified"
)


def _command(checkpoint: Path) -> list[str]:
    return [
        *(sys.executable, "-m", "stripe_identity", "sessions", "redact"),
        *("--client-reference-id", "policy", "--status", "verified,requires_input,canceled"),
        *("--checkpoint", str(checkpoint), "--concurrency", "8", "--rate-limit", "5000", "--quiet"),
    ]


def _ran(emu: Emulator) -> int:
    return sum(redactions(emu)[0].values())


def test_killed_at_three_random_points_the_job_redacts_each_session_exactly_once(
    tmp_path: Path,
) -> None:
    n = scale(300, 2000)
    counts = {"verified": n * 6 // 10, "requires_input": n * 2 // 10, "canceled": n * 2 // 10}
    checkpoint = tmp_path / "retention.ckpt"
    rng = random.Random(SEED)
    with Emulator(seed=SEED, latency=0.005) as emu:
        ids = anyio.run(functools.partial(populate, emu, counts, reference="policy"))
        others = anyio.run(functools.partial(populate, emu, {"verified": 20}, reference="other"))
        selected = set(ids["verified"]) | set(ids["requires_input"])
        env = cli_env(STRIPE_API_KEY=TEST_KEY, STRIPE_API_BASE=emu.api_base)
        setup_requests = len(emu.requests())

        in_flight_at_kills = []
        for point in sorted(rng.sample(range(1, len(selected)), KILLS)):
            process = subprocess.Popen(
                _command(checkpoint), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
            )
            try:
                while _ran(emu) < point and process.poll() is None:
                    time.sleep(0.005)
                assert process.poll() is None, "the job ended before its kill point"
                process.send_signal(signal.SIGKILL)
                process.wait(30)
            finally:
                if process.poll() is None:
                    process.kill()
            assert process.returncode == -signal.SIGKILL
            state = Journal.open(checkpoint, SELECTION, read_only=True).state
            in_flight_at_kills.append(len(state.in_flight))

        final = subprocess.run(
            _command(checkpoint), capture_output=True, text=True, timeout=120, env=env
        )
        assert final.returncode == 0, final.stderr

        job_id = Journal.open(checkpoint, SELECTION, read_only=True).state.job_id
        ran, replayed = redactions(emu)
        assert ran == dict.fromkeys(selected, 1)  # each selected session redacted once, by one run
        assert set(replayed) <= selected  # a re-sent redaction was answered from the store
        assert redacted_ids(emu) == selected  # nothing else: not canceled, not another reference
        assert not redacted_ids(emu) & set(others["verified"])
        job = emu.requests()[setup_requests:]
        assert {entry["operation"] for entry in job} == {"list", "redact"}
        assert all(
            entry["idempotency_key"] == idempotency_key(job_id, entry["path"].split("/")[-2])
            for entry in job
            if entry["operation"] == "redact"
        )
    print(f"in flight at the kills: {in_flight_at_kills}; replays: {sum(replayed.values())}")
