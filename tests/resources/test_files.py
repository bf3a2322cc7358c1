"""Files and file links on the emulator, with both clients: a verified session's images, end to end.

A document session with a matching selfie produces three images (the document's front and back, and
the face). Each is listed, downloaded (the bytes are as many as ``size`` says and decode as a PNG,
parsed here with ``zlib`` and ``struct`` only), streamed to a path and to a ``BytesIO``, and shown
through a file link that serves it without a key until it expires. Redaction deletes them.
"""

from __future__ import annotations

import io
import pathlib
import struct
import time
import urllib.error
import urllib.request
import zlib
from typing import Any

import aiohttp
import anyio
import pytest

import stripe_identity as si
from stripe_identity.emulator import Emulator
from tests.conftest import TEST_KEY

RESTRICTED_KEY = "rk_test_51CompanionFilesKey"
SELFIE_OPTIONS: si.VerificationSessionCreateParamsDict = {
    "type": "document",
    "options": {"document": {"require_matching_selfie": True}},
}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def decode_png(data: bytes) -> tuple[int, int]:
    """Check ``data`` is a whole 8-bit RGB PNG and return its (width, height).

    Every chunk's CRC must match, IHDR must come first and IEND last, and the IDAT stream must
    inflate to one filter byte plus three bytes per pixel for every row.
    """
    assert data[:8] == PNG_SIGNATURE
    chunks: list[tuple[bytes, bytes]] = []
    pos = 8
    while pos < len(data):
        assert pos + 12 <= len(data), "a chunk's header is cut off"
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        assert pos + 12 + length <= len(data), "a chunk is cut off"
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, kind
        chunks.append((kind, body))
        pos += 12 + length
    assert pos == len(data)  # nothing after the last chunk, nothing cut off
    assert chunks[0][0] == b"IHDR" and chunks[-1] == (b"IEND", b"")
    width, height, depth, colour, compression, filtering, interlace = struct.unpack(
        ">IIBBBBB", chunks[0][1]
    )
    assert width > 0 and height > 0
    assert (depth, colour, compression, filtering, interlace) == (8, 2, 0, 0, 0)
    pixels = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    stride = 1 + 3 * width
    assert len(pixels) == height * stride
    assert all(pixels[row * stride] <= 4 for row in range(height))  # a valid filter type per row
    return width, height


def test_decode_png_refuses_what_is_not_a_whole_png() -> None:
    # The checker itself: a picture from the emulator passes, a damaged one does not.
    from stripe_identity.emulator._images import png

    good = png("selfie", "file_x")
    assert decode_png(good) == (200, 200)
    for bad in (good[:-20], b"GIF89a" + good[6:], good[:40] + bytes([good[40] ^ 1]) + good[41:]):
        with pytest.raises(AssertionError):
            decode_png(bad)


def image_ids(report: si.VerificationReport) -> dict[str, str]:
    """The report's images by role; each role must be there."""
    assert report.document is not None and report.document.files is not None
    assert report.selfie is not None
    front, back = report.document.files
    assert report.selfie.document is not None and report.selfie.selfie is not None
    return {
        "front": front,
        "back": back,
        "selfie.document": report.selfie.document,
        "selfie.selfie": report.selfie.selfie,
    }


def check_file(meta: si.File, data: bytes) -> None:
    assert meta.object == "file" and meta.type == "png"
    assert len(data) == meta.size > 0
    decode_png(data)


def check_no_leftovers(directory: pathlib.Path, *expected: str) -> None:
    assert sorted(p.name for p in directory.iterdir()) == sorted(expected)


# --- async client --------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_verified_sessions_images_through_the_async_client(
    emulator: Emulator,
    emu_client: si.AsyncStripeIdentity,
    tmp_path: pathlib.Path,
    emulator_responses: list[tuple[str, str, int, bytes]],
) -> None:
    rk = emu_client.with_options(api_key=RESTRICTED_KEY)
    session = await emu_client.verification_sessions.create(SELFIE_OPTIONS)
    emulator.submit(session.id)
    verified = await emu_client.verification_sessions.retrieve(
        session.id, {"expand": ["last_verification_report"]}
    )
    assert verified.status == "verified"
    report = verified.last_verification_report
    assert isinstance(report, si.VerificationReport)
    roles = image_ids(report)
    ids = set(roles.values())
    assert len(ids) >= 3  # front, back and face at least (the selfie check may reuse the front)

    # files.list holds exactly these, walked two at a time.
    page = await emu_client.files.list({"limit": 2})
    assert page.has_more
    listed = [f async for f in page.auto_paging_iter()]
    assert sorted(f.id for f in listed) == sorted(ids)
    purposes = {f.id: f.purpose for f in listed}
    assert purposes[roles["selfie.selfie"]] == "selfie"
    for role in ("front", "back", "selfie.document"):
        assert purposes[roles[role]] == "identity_document_downloadable"
    selfies = await emu_client.files.list({"purpose": "selfie"})
    assert [f.id for f in selfies] == [roles["selfie.selfie"]]

    contents: dict[str, bytes] = {}
    for file_id in sorted(ids):
        meta = await emu_client.files.retrieve(file_id)  # metadata: any key
        with pytest.raises(si.PermissionDeniedError) as info:
            await emu_client.files.download(file_id)  # contents: a secret key may not
        assert info.value.http_status == 403
        data = await rk.files.download(file_id)
        check_file(meta, data)
        assert await rk.files.download(meta) == data  # a File works as well as its id
        contents[file_id] = data

    selfie = roles["selfie.selfie"]
    target = tmp_path / "selfie.png"
    assert await rk.files.download_to(selfie, target) == len(contents[selfie])
    assert target.read_bytes() == contents[selfie]
    check_no_leftovers(tmp_path, "selfie.png")
    buffer = io.BytesIO()
    buffer.write(b"already here:")
    assert await rk.files.download_to(selfie, buffer) == len(contents[selfie])
    assert buffer.getvalue() == b"already here:" + contents[selfie]

    # A link serves the image without a key until it expires, then 404.
    with pytest.raises(si.PermissionDeniedError):
        await emu_client.file_links.create({"file": selfie, "expires_at": int(time.time()) + 20})
    with pytest.raises(si.InvalidRequestError) as too_long:
        await rk.file_links.create({"file": selfie, "expires_at": int(time.time()) + 120})
    assert too_long.value.http_status == 400 and too_long.value.param == "expires_at"
    link = await rk.file_links.create({"file": selfie, "expires_at": int(time.time()) + 25})
    assert link.file_id == selfie and link.expired is False and link.url is not None
    async with aiohttp.ClientSession() as http:
        async with http.get(link.url) as response:
            assert response.status == 200
            assert response.content_type == "image/png"
            assert await response.read() == contents[selfie]
        expired = await rk.file_links.update(link.id, {"expires_at": "now"})
        assert expired.expired is True
        async with http.get(link.url) as response:
            assert response.status == 404
    listed_links = await rk.file_links.list({"file": selfie, "expired": True})
    assert [lk.id for lk in listed_links] == [link.id]

    # The conftest checks every JSON answer above against the spec, these endpoints' included.
    checked = {(method, path) for method, path, _, _ in emulator_responses}
    for method, path in (
        ("GET", "/v1/files"),
        ("GET", f"/v1/files/{selfie}"),
        ("POST", "/v1/file_links"),
        ("POST", f"/v1/file_links/{link.id}"),
        ("GET", "/v1/file_links"),
    ):
        assert (method, path) in checked
    assert any(status == 403 for _, _, status, _ in emulator_responses)


@pytest.mark.anyio
async def test_redacting_a_verified_session_deletes_its_images_and_redacts_its_events(
    emulator: Emulator, emu_client: si.AsyncStripeIdentity
) -> None:
    rk = emu_client.with_options(api_key=RESTRICTED_KEY)
    sessions = emu_client.verification_sessions
    session = await sessions.create(
        {
            **SELFIE_OPTIONS,
            "metadata": {"user": "42"},
            "provided_details": {"email": "jenny@example.com"},
        }
    )
    other = await sessions.create(SELFIE_OPTIONS)
    emulator.submit(session.id)
    emulator.submit(other.id)
    report_id = (await sessions.retrieve(session.id)).last_verification_report_id
    assert report_id is not None
    roles = image_ids(await emu_client.verification_reports.retrieve(report_id))
    ids = set(roles.values())
    other_report = (await sessions.retrieve(other.id)).last_verification_report_id
    assert other_report is not None
    other_ids = set(image_ids(await emu_client.verification_reports.retrieve(other_report)).values())
    unrelated = emulator.create_file(1000, purpose="dispute_evidence")
    selfie = roles["selfie.selfie"]
    link = await rk.file_links.create({"file": selfie, "expires_at": int(time.time()) + 25})
    assert link.url is not None

    redacting = await sessions.redact(session.id)
    assert redacting.redaction is not None and redacting.redaction.status == "processing"
    for _ in range(1000):  # redaction completes on the emulator's next loop iteration
        redaction = (await sessions.retrieve(session.id)).redaction
        if redaction is not None and redaction.status == "redacted":
            break
        await anyio.sleep(0.01)
    else:
        raise AssertionError("the redaction never completed")

    for file_id in ids:
        for call in (rk.files.retrieve(file_id), rk.files.download(file_id)):
            with pytest.raises(si.InvalidRequestError) as info:
                await call
            error = info.value
            assert (error.http_status, error.code, error.param) == (404, "resource_missing", "file")
        with pytest.raises(si.InvalidRequestError) as info:
            await rk.file_links.create({"file": file_id, "expires_at": int(time.time()) + 20})
        assert info.value.code == "resource_missing" and info.value.param == "file"
    async with aiohttp.ClientSession() as http, http.get(link.url) as response:
        assert response.status == 404
    remaining = {f.id async for f in (await rk.files.list()).auto_paging_iter()}
    assert remaining == other_ids | {unrelated["id"]}  # only this session's images went
    for file_id in other_ids:
        assert len(await rk.files.download(file_id)) == (await rk.files.retrieve(file_id)).size

    report = await emu_client.verification_reports.retrieve(report_id)
    assert report.document is not None and report.document.files == []
    assert report.selfie is not None and report.selfie.selfie == "[redacted]"

    events = [
        e
        async for e in (await emu_client.events.list()).auto_paging_iter()
        if e.session_object().id == session.id
    ]
    assert [e.type.rsplit(".", 1)[1] for e in events] == [
        "redacted",
        "verified",
        "processing",
        "created",
    ]
    for event in events + [await emu_client.events.retrieve(e.id) for e in events]:
        obj = event.session_object()
        assert obj.metadata == {}
        assert obj.provided_details is not None
        assert obj.provided_details.email == "[redacted]"
    untouched = [
        e
        async for e in (await emu_client.events.list()).auto_paging_iter()
        if e.session_object().id == other.id
    ]
    assert untouched and all(e.session_object().redaction is None for e in untouched)


# --- sync client ---------------------------------------------------------------------------------


def test_a_verified_sessions_images_through_the_sync_client(tmp_path: pathlib.Path) -> None:
    with (
        Emulator(seed=7) as emu,
        si.StripeIdentity(
            TEST_KEY, api_base=emu.api_base, retry_policy=si.RetryPolicy.no_wait()
        ) as client,
    ):
        rk = client.with_options(api_key=RESTRICTED_KEY)
        session = client.verification_sessions.create(SELFIE_OPTIONS)
        emu.submit(session.id)
        verified = client.verification_sessions.retrieve(
            session.id, {"expand": ["last_verification_report"]}
        )
        report = verified.last_verification_report
        assert isinstance(report, si.VerificationReport)
        roles = image_ids(report)
        ids = set(roles.values())
        listed = list(client.files.list({"limit": 1}).auto_paging_iter())
        assert sorted(f.id for f in listed) == sorted(ids)

        contents: dict[str, bytes] = {}
        for file_id in sorted(ids):
            meta = rk.files.retrieve(file_id)
            with pytest.raises(si.PermissionDeniedError):
                client.files.download(file_id)
            data = rk.files.download(file_id)
            check_file(meta, data)
            contents[file_id] = data
            target = tmp_path / f"{file_id}.png"
            assert rk.files.download_to(meta, str(target)) == meta.size
            assert target.read_bytes() == data
        check_no_leftovers(tmp_path, *(f"{file_id}.png" for file_id in ids))
        front = roles["front"]
        buffer = io.BytesIO()
        assert rk.files.download_to(front, buffer) == len(contents[front])
        assert buffer.getvalue() == contents[front]

        # A short-lived link: served until its expires_at, refused from then on.
        link = rk.file_links.create({"file": front, "expires_at": int(time.time()) + 3})
        assert link.url is not None and link.expires_at is not None
        with urllib.request.urlopen(link.url, timeout=10) as response:
            assert response.status == 200
            assert response.read() == contents[front]
        while time.time() < link.expires_at:
            time.sleep(0.1)
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(link.url, timeout=10)
        assert info.value.code == 404
        info.value.close()
        assert rk.file_links.retrieve(link.id).expired is True

        # raw_request reads the same JSON the typed call decodes, through the sync client too.
        raw: dict[str, Any] = rk.raw_request("GET", f"/v1/files/{front}")
        assert raw == rk.files.retrieve(front).to_dict()
