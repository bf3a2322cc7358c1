"""Pins of the public API's types, checked by mypy and pyright (``nox -s typecheck``).

Each ``assert_type`` fails the type checkers when a public signature drifts from what the README
promises (a page type, a non-Optional ``last_response``, a coroutine where an awaitable is due...).
At run time ``assert_type`` returns its argument unchanged, and the tests below run the same code
against the emulator, so every pin is also a call that works. Calls the emulator cannot answer
(files, events, ephemeral keys) sit in functions that are type-checked and never called.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Coroutine, Iterator, Mapping
from typing import Any

import pytest

import stripe_identity as si
from stripe_identity.emulator import Emulator

if sys.version_info >= (3, 11):
    from typing import assert_type
else:
    from typing_extensions import assert_type

pytestmark = pytest.mark.anyio


def test_sync_client_types(
    stripe_identity_client: si.StripeIdentity, stripe_identity_emulator: Emulator
) -> None:
    client = stripe_identity_client
    sessions = client.verification_sessions
    assert_type(sessions, si.VerificationSessionService)

    session = sessions.create({"type": "document"})
    assert_type(session, si.VerificationSession)
    assert_type(session.last_response, si.ResponseMeta)
    assert_type(session.last_response.http_status, int)
    assert_type(session.last_response.request_id, str | None)
    assert_type(session.id, str)
    assert_type(session.url, str | None)
    assert_type(session.metadata, Mapping[str, str])
    assert_type(session.last_verification_report_id, str | None)
    assert_type(sessions.retrieve(session.id), si.VerificationSession)
    assert_type(sessions.update(session.id, {"metadata": {"k": "v"}}), si.VerificationSession)
    assert_type(sessions.cancel(session.id), si.VerificationSession)
    assert_type(sessions.redact(sessions.create({"type": "document"}).id), si.VerificationSession)
    typed = sessions.create(sessions.CreateParams(type="id_number"))
    assert_type(typed, si.VerificationSession)
    stripe_identity_emulator.submit(typed.id)

    page = sessions.list({"limit": 1})
    assert_type(page, si.SyncListObject[si.VerificationSession])
    assert_type(page.data, list[si.VerificationSession])
    assert_type(page.has_more, bool)
    assert_type(page.last_response, si.ResponseMeta)
    assert_type(page.next_page(), si.SyncListObject[si.VerificationSession])
    assert_type(page.previous_page(), si.SyncListObject[si.VerificationSession])
    assert_type(page.auto_paging_iter(), Iterator[si.VerificationSession])
    assert_type(page.async_page, si.ListObject[si.VerificationSession])
    assert len(list(page.auto_paging_iter())) == 3

    reports = client.verification_reports.list()
    assert_type(reports, si.SyncListObject[si.VerificationReport])
    report = client.verification_reports.retrieve(reports.data[0].id)
    assert_type(report, si.VerificationReport)
    assert_type(report.last_response, si.ResponseMeta)

    raw = client.raw_request("GET", "/v1/identity/verification_sessions")
    assert_type(raw, si.RawObject)
    assert_type(raw.last_response, si.ResponseMeta)
    assert_type(client.with_options(max_retries=0), si.StripeIdentity)
    assert_type(client.api_base, str)


async def test_async_client_types(
    stripe_identity_async_client: si.AsyncStripeIdentity, stripe_identity_emulator: Emulator
) -> None:
    client = stripe_identity_async_client
    sessions = client.verification_sessions
    assert_type(sessions, si.AsyncVerificationSessionService)

    pending: Coroutine[Any, Any, si.VerificationSession] = sessions.create({"type": "document"})
    session = await pending
    assert_type(session, si.VerificationSession)
    assert_type(session.last_response, si.ResponseMeta)
    assert_type(await sessions.retrieve(session.id), si.VerificationSession)
    assert_type(await sessions.update(session.id, {"metadata": {"k": "v"}}), si.VerificationSession)
    assert_type(await sessions.cancel(session.id), si.VerificationSession)
    assert_type(
        await sessions.redact((await sessions.create({"type": "document"})).id), si.VerificationSession
    )
    other = await sessions.create(sessions.CreateParams(type="id_number"))
    stripe_identity_emulator.submit(other.id)

    page = await sessions.list({"limit": 1})
    assert_type(page, si.ListObject[si.VerificationSession])
    assert_type(page.data, list[si.VerificationSession])
    assert_type(page.last_response, si.ResponseMeta)
    following: Coroutine[Any, Any, si.ListObject[si.VerificationSession]] = page.next_page()
    assert_type(await following, si.ListObject[si.VerificationSession])
    assert_type(await page.previous_page(), si.ListObject[si.VerificationSession])
    assert_type(page.auto_paging_iter(), AsyncIterator[si.VerificationSession])
    assert len([s async for s in page.auto_paging_iter()]) == 3

    reports = await client.verification_reports.list()
    assert_type(reports, si.ListObject[si.VerificationReport])
    assert_type(await client.verification_reports.retrieve(reports.data[0].id), si.VerificationReport)

    raw = await client.raw_request("GET", "/v1/identity/verification_sessions")
    assert_type(raw, si.RawObject)
    assert_type(raw.last_response, si.ResponseMeta)
    assert_type(client.with_options(max_retries=0), si.AsyncStripeIdentity)
    closing: Coroutine[Any, Any, None] = client.with_options().aclose()
    await closing


def test_error_attribute_types(stripe_identity_client: si.StripeIdentity) -> None:
    with pytest.raises(si.InvalidRequestError) as info:
        stripe_identity_client.verification_sessions.retrieve("vs_missing")
    exc = info.value
    assert_type(exc, si.InvalidRequestError)
    assert_type(exc.message, str)
    assert_type(exc.http_status, int | None)
    assert_type(exc.code, str | None)
    assert_type(exc.param, str | None)
    assert_type(exc.request_id, str | None)
    assert_type(exc.idempotency_key, str | None)
    assert_type(exc.json_body, Mapping[str, Any] | None)
    assert_type(exc.headers, Mapping[str, str] | None)
    assert_type(exc.error, si.ErrorObject | None)
    assert_type(exc.user_message, str)
    assert (exc.http_status, exc.param) == (404, "session")


def _static_only_sync(client: si.StripeIdentity, error: si.APIConnectionError) -> None:
    """Type-checked, never run: the emulator serves no files, events or ephemeral keys."""
    assert_type(client.files.download("file_123"), bytes)
    assert_type(client.files.download_to("file_123", "out.png"), int)
    assert_type(client.files.retrieve("file_123"), si.File)
    assert_type(client.files.list(), si.SyncListObject[si.File])
    assert_type(client.file_links.create({"file": "file_123"}), si.FileLink)
    assert_type(client.events.list(), si.SyncListObject[si.Event])
    assert_type(client.events.retrieve("evt_123"), si.Event)
    assert_type(client.ephemeral_keys.create({"verification_session": "vs_123"}), si.EphemeralKey)
    assert_type(client.raw_request("GET", "/v1/files/file_123", base="files"), si.RawObject)
    assert_type(error.should_retry, bool)
    client.close()


async def _static_only_async(
    client: si.AsyncStripeIdentity, error: si.SignatureVerificationError
) -> None:
    """Type-checked, never run: the emulator serves no files, events or ephemeral keys."""
    assert_type(await client.files.download("file_123"), bytes)
    assert_type(await client.files.download_to("file_123", "out.png"), int)
    assert_type(await client.files.list(), si.ListObject[si.File])
    assert_type(await client.file_links.list(), si.ListObject[si.FileLink])
    assert_type(await client.events.list(), si.ListObject[si.Event])
    assert_type(await client.ephemeral_keys.delete("ephkey_123"), si.EphemeralKey)
    assert_type(error.sig_header, str | None)
    event = si.webhooks.construct_event(b"{}", "t=1,v1=0", "whsec_123")
    assert_type(event, si.Event)
    await client.aclose()
