"""Helpers of the bulk job tests: sessions in every status on an emulator, and what its log says."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

import anyio

import stripe_identity as si
from stripe_identity.emulator import Emulator

#: The key that sets sessions up: its requests count against its own rate limit, not the job's.
SETUP_KEY = "sk_test_setup0sessions"

_BATCH = 50


async def populate(
    emu: Emulator,
    counts: Mapping[str, int],
    *,
    reference: str | None = None,
    metadata: Mapping[str, str] | None = None,
) -> dict[str, list[str]]:
    """Create ``counts[status]`` sessions in each status (``processing`` needs an emulator with a
    ``processing_delay``), oldest first; their ids by status. ``reference`` becomes their
    ``client_reference_id``, ``metadata`` their metadata."""
    params: si.VerificationSessionCreateParamsDict = {"type": "document"}
    if reference is not None:
        params["client_reference_id"] = reference
    if metadata is not None:
        params["metadata"] = dict(metadata)
    ids: dict[str, list[str]] = {}
    async with si.AsyncStripeIdentity(SETUP_KEY, api_base=emu.api_base) as client:
        for status, wanted in counts.items():
            made: list[str] = []
            for start in range(0, wanted, _BATCH):
                size = min(_BATCH, wanted - start)
                batch: list[str] = [""] * size

                async def create(index: int, out: list[str] = batch) -> None:
                    out[index] = (await client.verification_sessions.create(params)).id

                async with anyio.create_task_group() as group:
                    for index in range(size):
                        group.start_soon(create, index)
                made += batch
            for session in made:
                if status in ("verified", "processing"):
                    emu.submit(session)
                elif status == "canceled":
                    await client.verification_sessions.cancel(session)
                elif status != "requires_input":
                    raise ValueError(f"cannot make a session {status!r}")
            ids[status] = made
    return ids


def redactions(emu: Emulator) -> tuple[Counter[str], Counter[str]]:
    """Per session: the redactions that ran (200, not replayed), and the replayed answers."""
    ran: Counter[str] = Counter()
    replayed: Counter[str] = Counter()
    for entry in emu.requests("redact"):
        session = entry["path"].split("/")[-2]
        if entry["status"] == 200:
            (replayed if entry["replayed"] else ran)[session] += 1
    return ran, replayed


def redacted_ids(emu: Emulator) -> set[str]:
    """The sessions whose redaction is under way or done, as the emulator holds them."""
    return {session["id"] for session in emu.sessions() if session["redaction"] is not None}
