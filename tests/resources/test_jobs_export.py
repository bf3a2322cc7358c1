"""``client.jobs.export_sessions`` against the emulator: what each format holds, what it leaves out,
the restricted key the sensitive fields need, no file from a failed export, and flat memory."""

from __future__ import annotations

import csv
import functools
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import anyio
import pytest

import stripe_identity as si
from stripe_identity._jobs.columns import columns_for
from stripe_identity.emulator import Emulator
from tests.bulk import populate
from tests.conftest import TEST_KEY

RESTRICTED = "rk_test_export0sensitive"
ROOT = Path(si.__file__).resolve().parent.parent


async def _listed(client: si.AsyncStripeIdentity, **params: object) -> list[dict[str, object]]:
    page = await client.raw_request(
        "GET", "/v1/identity/verification_sessions", {"limit": 100, **params}
    )
    items = list(page["data"])
    while page["has_more"]:
        params["starting_after"] = items[-1]["id"]
        page = await client.raw_request(
            "GET", "/v1/identity/verification_sessions", {"limit": 100, **params}
        )
        items += page["data"]
    return items


@pytest.mark.anyio
async def test_json_lines_hold_each_session_as_the_api_lists_it_without_its_secrets(
    emulator: Emulator, emu_client: si.AsyncStripeIdentity, tmp_path: Path
) -> None:
    await populate(emulator, {"requires_input": 30, "verified": 120})
    path = tmp_path / "sessions.jsonl"
    summary = await emu_client.jobs.export_sessions(path, expand_report=True)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    listed = await _listed(emu_client, expand=["data.last_verification_report"])
    assert len(lines) == summary.rows == 150  # two pages, newest first
    assert summary.bytes == path.stat().st_size and summary.format == "jsonl"
    for line, session in zip(lines, listed, strict=True):
        assert line == {k: v for k, v in session.items() if k not in ("client_secret", "url")}
    assert all("client_secret" not in line and "url" not in line for line in lines)
    assert sum(isinstance(line["last_verification_report"], dict) for line in lines) == 120
    assert all("verified_outputs" not in line for line in lines)  # only when asked for


@pytest.mark.anyio
async def test_csv_has_the_documented_columns_and_readable_cells(
    emulator: Emulator, emu_client: si.AsyncStripeIdentity, tmp_path: Path
) -> None:
    session = await emu_client.verification_sessions.create(
        {"type": "document", "client_reference_id": "user-7", "metadata": {"plan": "pro"}}
    )
    emulator.submit(session.id)
    await populate(emulator, {"requires_input": 2})
    path = tmp_path / "sessions.csv"
    summary = await emu_client.jobs.export_sessions(
        path, format="csv", expand_report=True, verified_outputs=True
    )
    with path.open(newline="", encoding="utf-8") as source:
        rows = list(csv.DictReader(source))
    expected = [c.name for c in columns_for(report=True, outputs=True, sensitive=False)]
    assert list(rows[0]) == expected == summary.columns
    assert "dob" not in expected and "document_number" not in expected
    verified = rows[-1]  # the oldest
    assert verified["id"] == session.id
    assert verified["created"].endswith("Z") and verified["created"][:4] >= "2024"
    assert (verified["status"], verified["client_reference_id"]) == ("verified", "user-7")
    assert json.loads(verified["metadata"]) == {"plan": "pro"}
    assert (verified["document_status"], verified["document_type"]) == ("verified", "driving_license")
    assert (verified["first_name"], verified["address_city"]) == ("Jenny", "San Francisco")
    assert verified["livemode"] == "false" and verified["redaction_status"] == ""
    assert rows[0]["document_status"] == "" and rows[0]["first_name"] == ""  # nothing to show
    assert path.read_bytes().count(b"\r\n") == 4  # header and three rows


@pytest.mark.anyio
async def test_sensitive_fields_need_the_flag_and_a_restricted_key(
    emulator: Emulator, emu_client: si.AsyncStripeIdentity, tmp_path: Path
) -> None:
    await populate(emulator, {"verified": 2})
    before = len(emulator.requests())
    with pytest.raises(ValueError, match=r"needs a restricted key \(rk_\.\.\.\)"):
        await emu_client.jobs.export_sessions(tmp_path / "x.csv", format="csv", sensitive=True)
    assert len(emulator.requests()) == before  # refused before anything was sent
    assert not (tmp_path / "x.csv").exists()

    restricted = emu_client.with_options(api_key=RESTRICTED)
    plain = tmp_path / "plain.jsonl"
    await restricted.jobs.export_sessions(plain, verified_outputs=True, expand_report=True)
    line = json.loads(plain.read_text().splitlines()[0])
    assert line["verified_outputs"]["first_name"] == "Jenny"
    assert line["verified_outputs"]["dob"] is None  # a restricted key alone shows nothing more
    assert line["last_verification_report"]["document"]["number"] is None

    full = tmp_path / "full.csv"
    await restricted.jobs.export_sessions(full, format="csv", sensitive=True, expand_report=True)
    with full.open(newline="") as source:
        row = next(csv.DictReader(source))
    assert (row["dob"], row["sex"], row["document_number"]) == ("1990-01-01", "female", "D1234567")
    assert row["document_expiration_date"] == "2030-12-01"


@pytest.mark.anyio
async def test_a_failed_export_leaves_no_file(emulator: Emulator, tmp_path: Path) -> None:
    await populate(emulator, {"requires_input": 150})

    async def fail_the_second_page(request: si.Request, call_next: si.Handler) -> si.Response:
        if "starting_after" in request.url:
            raise si.APIConnectionError("the network went away", should_retry=False)
        return await call_next(request)

    path = tmp_path / "sessions.jsonl"
    async with si.AsyncStripeIdentity(
        TEST_KEY, api_base=emulator.api_base, middlewares=[fail_the_second_page]
    ) as client:
        with pytest.raises(si.APIConnectionError, match="went away"):
            await client.jobs.export_sessions(path)
    assert os.listdir(tmp_path) == []  # neither the file nor its temporary


@pytest.mark.anyio
async def test_an_export_to_a_file_object_with_statuses_and_a_count(
    emulator: Emulator, emu_client: si.AsyncStripeIdentity
) -> None:
    ids = await populate(emulator, {"requires_input": 3, "verified": 4, "canceled": 2})
    out = io.BytesIO()
    reports: list[si.JobProgress] = []
    summary = await emu_client.jobs.export_sessions(
        out, statuses=["verified", "canceled"], count_first=True, on_progress=reports.append
    )
    exported = [json.loads(line)["id"] for line in out.getvalue().splitlines()]
    assert sorted(exported) == sorted(ids["verified"] + ids["canceled"])
    assert summary.destination is None and summary.rows == 6
    running = [r for r in reports if r.phase == "running"]
    assert [(r.done, r.total) for r in running] == [(n, 6) for n in range(1, 7)]
    assert {r.item.outcome for r in running if r.item} == {"exported"}


@pytest.mark.anyio
async def test_an_unknown_format_is_refused(emu_client: si.AsyncStripeIdentity) -> None:
    with pytest.raises(ValueError, match="format must be one of jsonl, csv, not 'xml'"):
        await emu_client.jobs.export_sessions(io.BytesIO(), format="xml")  # type: ignore[arg-type]


_MEASURE = """
import sys, tracemalloc
import stripe_identity as si
api_base, reference, path = sys.argv[1:]
with si.StripeIdentity("sk_test_memory", api_base=api_base) as client:
    client.verification_sessions.list({"limit": 100})  # imports and connections, before measuring
    tracemalloc.start()
    summary = client.jobs.export_sessions(path, {"client_reference_id": reference})
    print(summary.rows, summary.bytes, tracemalloc.get_traced_memory()[1])
"""

#: 25 kB of metadata per session (Stripe's most: 50 keys of 500 characters), so that a few full
#: pages make megabytes of output.
_BULKY = {f"key{n:02d}": chr(ord("a") + n % 26) * 500 for n in range(50)}


def test_memory_stays_flat_however_many_sessions_are_exported(tmp_path: Path) -> None:
    """Peak traced memory of the exporting process: three times the sessions (one full page, then
    three), the same peak within the write batch."""
    counts = {"small": 100, "large": 300}
    with Emulator() as emu:
        for reference, n in counts.items():
            setup = functools.partial(populate, reference=reference, metadata=_BULKY)
            anyio.run(setup, emu, {"requires_input": n})
        peaks = {}
        for reference, n in counts.items():
            result = subprocess.run(
                [sys.executable, "-c", _MEASURE, emu.api_base, reference, str(tmp_path / reference)],
                capture_output=True,
                text=True,
                timeout=120,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
            )
            assert result.returncode == 0, result.stderr
            rows, size, peak = map(int, result.stdout.split())
            assert rows == n and size > n * 25_000
            peaks[reference] = peak
    # What may differ: whether the megabyte the file sink gathers before a write (and its join)
    # coincides with the peak. Keeping the two extra pages' rows, even as bytes, would add 5 MB.
    assert peaks["large"] - peaks["small"] < 3 * 1024 * 1024, peaks
