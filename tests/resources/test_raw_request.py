"""``raw_request`` on the emulator: the typed calls' pipeline (one idempotency key across retries, the
same JSON) for any path, on the API host or the files host."""

from __future__ import annotations

import collections
import socket
import time
from typing import Any

import pytest

import stripe_identity as si
from stripe_identity.emulator import Emulator, Faults
from tests.conftest import TEST_KEY

pytestmark = pytest.mark.anyio

RESTRICTED_KEY = "rk_test_51CompanionRawRequest"
SESSIONS = "/v1/identity/verification_sessions"


class Attempts:
    """A client middleware that records each attempt's path, retry number and idempotency key."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, int, str | None]] = []

    async def __call__(self, request: si.Request, call_next: si.Handler) -> si.Response:
        self.seen.append((request.path, request.resend_count, request.idempotency_key))
        return await call_next(request)


@pytest.mark.parametrize(
    "faults",
    [
        Faults(server_error=0.5),
        Faults(reset_after_commit=0.5),
        Faults(server_error=0.25, reset_before_commit=0.1, reset_after_commit=0.25),
    ],
    ids=["server-error", "reset-after-commit", "mixed"],
)
async def test_raw_creates_retry_with_one_key_and_create_one_session_each(faults: Faults) -> None:
    attempts = Attempts()
    async with (
        Emulator(seed=17, faults={"create": faults}) as emu,
        si.AsyncStripeIdentity(
            TEST_KEY,
            api_base=emu.api_base,
            max_retries=12,
            retry_policy=si.RetryPolicy.no_wait(),
            middlewares=[attempts],
        ) as client,
    ):
        results = []
        for i in range(20):
            before = len(attempts.seen)
            created = await client.raw_request(
                "POST", SESSIONS, {"type": "document", "client_reference_id": f"raw-{i}"}
            )
            tries = attempts.seen[before:]
            keys = {key for _, _, key in tries}
            assert len(keys) == 1 and None not in keys  # one key for every attempt of a call
            assert [n for _, n, _ in tries] == list(range(len(tries)))
            assert created.last_response.idempotency_key in keys
            results.append((created, len(tries)))
        stats = emu.stats()

    held = emu.sessions()
    assert len(held) == 20  # exactly one session per call, whatever the faults did
    by_ref = {s["client_reference_id"]: s["id"] for s in held}
    for i, (created, _) in enumerate(results):
        assert created["object"] == "identity.verification_session"
        assert by_ref[f"raw-{i}"] == created["id"]
    assert len({key for _, _, key in attempts.seen}) == 20  # and a key of its own per call
    retried = sum(1 for _, count in results if count > 1)
    assert retried > 0, "the faults never struck"
    injected = stats["faults"]
    assert sum(injected.values()) == sum(count - 1 for _, count in results)
    if injected["reset_after_commit"]:
        # The request ran, the answer was lost: the retry got the stored answer back.
        assert stats["idempotent_replays"] >= 1
        replayed = [c for c, _ in results if c.last_response.headers.get("Idempotent-Replayed")]
        assert replayed
    print(f"\n{dict(injected)}; {retried} of 20 calls retried; {len(attempts.seen)} attempts")


async def test_raw_is_the_json_the_typed_call_decodes(
    emulator: Emulator, emu_client: si.AsyncStripeIdentity
) -> None:
    rk = emu_client.with_options(api_key=RESTRICTED_KEY)
    session = await emu_client.verification_sessions.create(
        {
            "type": "document",
            "metadata": {"user": "42"},
            "options": {"document": {"require_matching_selfie": True, "require_id_number": True}},
            "provided_details": {"email": "jenny@example.com"},
        }
    )
    emulator.submit(session.id)
    expand = [
        "last_verification_report",
        "verified_outputs",
        "verified_outputs.dob",
        "last_verification_report.document.number",
    ]
    typed = await rk.verification_sessions.retrieve(session.id, {"expand": expand})
    raw = await rk.raw_request("GET", f"{SESSIONS}/{session.id}", {"expand": expand})
    assert raw == typed.to_dict()
    assert raw["verified_outputs"]["dob"] == {"day": 1, "month": 1, "year": 1990}
    assert raw.last_response.http_status == 200 and raw.last_response.request_id

    plain = await emu_client.raw_request("GET", f"{SESSIONS}/{session.id}")
    assert plain == (await emu_client.verification_sessions.retrieve(session.id)).to_dict()

    file_id = (await rk.files.list()).data[0].id
    link = await rk.file_links.create({"file": file_id, "expires_at": int(time.time()) + 20})
    files = await rk.files.list({"expand": ["data.links"]})
    assert files.data[0].links is not None and files.data[0].links.data[0].id == link.id
    pairs: list[tuple[dict[str, Any], si.StripeObject | si.ListObject[Any]]] = [
        (await rk.raw_request("GET", "/v1/files", {"expand": ["data.links"]}), files),
        (await rk.raw_request("GET", f"/v1/files/{file_id}"), await rk.files.retrieve(file_id)),
        (
            await rk.raw_request("GET", f"/v1/file_links/{link.id}", {"expand": ["file"]}),
            await rk.file_links.retrieve(link.id, {"expand": ["file"]}),
        ),
        (await rk.raw_request("GET", "/v1/events", {"limit": 3}), await rk.events.list({"limit": 3})),
    ]
    for raw_json, model in pairs:
        assert raw_json == model.to_dict()


def _dead_base() -> str:
    """The address of a port that nothing listens on (connections are refused at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


async def test_raw_request_reaches_the_files_base(emulator: Emulator) -> None:
    file = emulator.create_file(1000, purpose="dispute_evidence")
    path = f"/v1/files/{file['id']}"
    # The API base goes nowhere; only the files base is the emulator.
    async with si.AsyncStripeIdentity(
        RESTRICTED_KEY, api_base=_dead_base(), files_base=emulator.files_base, max_retries=0
    ) as client:
        raw = await client.raw_request("GET", path, base="files")
        assert raw == file
        assert raw["url"] == f"{emulator.files_base}{path}/contents"
        with pytest.raises(si.APIConnectionError):
            await client.raw_request("GET", path)  # base="api"
        with pytest.raises(si.APIConnectionError):
            await client.files.retrieve(file["id"])  # metadata lives on the API host
        assert len(await client.files.download(file["id"])) == 1000  # contents on the files host
        # raw_request decodes JSON: it is no way to download, and says so rather than return bytes.
        with pytest.raises(si.APIError, match="not JSON"):
            await client.raw_request("GET", f"{path}/contents", base="files")
    counts = collections.Counter(emulator.stats()["by_operation"])
    assert counts["retrieve_file"] == 1 and counts["download_file"] == 2


def test_raw_request_through_the_sync_client_under_faults() -> None:
    with (
        Emulator(seed=5, faults={"create": Faults(reset_after_commit=0.5)}) as emu,
        si.StripeIdentity(
            TEST_KEY, api_base=emu.api_base, max_retries=12, retry_policy=si.RetryPolicy.no_wait()
        ) as client,
    ):
        ids = [
            client.raw_request("POST", SESSIONS, {"type": "id_number", "client_reference_id": str(i)})[
                "id"
            ]
            for i in range(10)
        ]
        assert sorted(ids) == sorted(s["id"] for s in emu.sessions())
        assert emu.stats()["faults"]["reset_after_commit"] > 0
        typed = client.verification_sessions.retrieve(ids[0])
        assert client.raw_request("GET", f"{SESSIONS}/{ids[0]}") == typed.to_dict()
