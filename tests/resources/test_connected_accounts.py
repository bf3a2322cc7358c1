"""Connected accounts on the emulator: what a platform creates with ``Stripe-Account`` (or
``Stripe-Context``) belongs to that account alone.

Each account lists, retrieves and changes its own sessions, reports, events, files, file links and
ephemeral keys; another account's id is a 404 ``resource_missing`` (400 when named in params), as
is a connected account's id for the platform itself. Events carry ``account``. The official
``stripe`` package drives the same tenant isolation.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Iterator

import pytest
import stripe
from stripe._base_address import BaseAddresses

import stripe_identity as si
from stripe_identity.emulator import Emulator
from tests.conftest import TEST_KEY, RawHTTP

ALICE, BOB = "acct_1AliceTenant0001", "acct_1BobTenant000002"
RESTRICTED = "rk_test_connect0tenants"
SESSIONS = "/v1/identity/verification_sessions"


async def assert_missing(call: Awaitable[object], status: int = 404) -> None:
    """The call fails as Stripe answers for an object it does not know: ``resource_missing``."""
    with pytest.raises(si.InvalidRequestError) as refused:
        await call
    assert (refused.value.http_status, refused.value.code) == (status, "resource_missing")


async def _verified(client: si.AsyncStripeIdentity, emulator: Emulator) -> si.VerificationSession:
    session = await client.verification_sessions.create(
        {"type": "document", "options": {"document": {"require_matching_selfie": True}}}
    )
    emulator.submit(session.id)
    return await client.verification_sessions.retrieve(session.id)


@pytest.mark.anyio
async def test_two_accounts_see_disjoint_lists_and_not_each_others_ids(
    emulator: Emulator, emu_client: si.AsyncStripeIdentity
) -> None:
    alice = emu_client.with_options(stripe_account=ALICE)
    bob = emu_client.with_options(stripe_account=BOB)
    mine = await _verified(alice, emulator)
    theirs = await _verified(bob, emulator)
    platform_own = await _verified(emu_client, emulator)

    for client, session in ((alice, mine), (bob, theirs), (emu_client, platform_own)):
        assert [s.id async for s in (await client.verification_sessions.list()).auto_paging_iter()] == [
            session.id
        ]
        reports = await client.verification_reports.list()
        assert [r.verification_session for r in reports] == [session.id]
        events = [e async for e in (await client.events.list()).auto_paging_iter()]
        assert {e.session_object().id for e in events} == {session.id}
        files = await client.files.list()
        assert len(files.data) == 3  # this session's document front and back, and selfie

    for client, others in ((alice, (theirs, platform_own)), (emu_client, (mine, theirs))):
        for other in others:
            await assert_missing(client.verification_sessions.retrieve(other.id))
            await assert_missing(client.verification_sessions.update(other.id, {"metadata": {"k": "v"}}))
            await assert_missing(client.verification_sessions.cancel(other.id))
            await assert_missing(client.verification_sessions.redact(other.id))
            report = other.last_verification_report_id or ""
            await assert_missing(client.verification_reports.retrieve(report))
    # A cursor from another account is not found either.
    await assert_missing(alice.verification_sessions.list({"starting_after": theirs.id}), 400)
    # Nothing of Alice's changed.
    assert (await alice.verification_sessions.retrieve(mine.id)).metadata == {}


@pytest.mark.anyio
async def test_events_carry_the_account_and_stay_with_it(
    emulator: Emulator, emu_client: si.AsyncStripeIdentity
) -> None:
    alice = emu_client.with_options(stripe_account=ALICE)
    session = await alice.verification_sessions.create({"type": "document"})
    own = await emu_client.verification_sessions.create({"type": "document"})
    alice_events = emulator.events(session.id)
    assert [(e["account"], e["context"]) for e in alice_events] == [(ALICE, ALICE)]
    assert all("account" not in e and "context" not in e for e in emulator.events(own.id))
    event = await alice.events.retrieve(alice_events[0]["id"])
    assert event.account == ALICE
    await assert_missing(emu_client.events.retrieve(alice_events[0]["id"]))


@pytest.mark.anyio
async def test_stripe_context_scopes_like_stripe_account(
    emulator: Emulator, emu_client: si.AsyncStripeIdentity, raw: RawHTTP
) -> None:
    by_context = emu_client.with_options(stripe_context=ALICE)
    session = await by_context.verification_sessions.create({"type": "id_number"})
    by_account = emu_client.with_options(stripe_account=ALICE)
    assert (await by_account.verification_sessions.retrieve(session.id)).id == session.id
    # An organization's path: the request acts for its last account.
    path = emu_client.with_options(stripe_context=f"acct_1OrgPlatform00001/{ALICE}")
    assert [s.id for s in await path.verification_sessions.list()] == [session.id]
    assert (await emu_client.verification_sessions.list()).data == []
    bob = emu_client.with_options(stripe_context=BOB)
    await assert_missing(bob.verification_sessions.retrieve(session.id))
    # Responses name the connected account, as Stripe's do.
    _, headers, _ = await raw("GET", SESSIONS, headers={"Stripe-Account": ALICE})
    assert headers["Stripe-Account"] == ALICE


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("headers", "fragment"),
    [
        ({"Stripe-Account": "alice"}, "Stripe-Account header must name an account id"),
        ({"Stripe-Context": "acct_1/"}, "Stripe-Context header must name an account id"),
        ({"Stripe-Account": ALICE, "Stripe-Context": BOB}, "name different accounts"),
    ],
)
async def test_a_malformed_account_is_account_invalid(
    raw: RawHTTP, headers: dict[str, str], fragment: str
) -> None:
    status, _, error = await raw("GET", SESSIONS, headers=headers)
    assert status == 400
    assert error["error"]["code"] == "account_invalid"
    assert fragment in error["error"]["message"]


@pytest.mark.anyio
async def test_files_links_and_ephemeral_keys_belong_to_the_account(
    emulator: Emulator, emu_client: si.AsyncStripeIdentity
) -> None:
    alice = emu_client.with_options(stripe_account=ALICE)
    alice_rk = alice.with_options(api_key=RESTRICTED)
    platform_rk = emu_client.with_options(api_key=RESTRICTED)
    session = await _verified(alice, emulator)
    front = (await alice.files.list({"purpose": "selfie"})).data[0]
    assert await alice_rk.files.download(front.id)
    await assert_missing(emu_client.files.retrieve(front.id))
    await assert_missing(platform_rk.files.download(front.id))
    soon = int(time.time()) + 30
    await assert_missing(platform_rk.file_links.create({"file": front.id, "expires_at": soon}), 400)
    link = await alice_rk.file_links.create({"file": front.id, "expires_at": int(time.time()) + 30})
    assert [x.id for x in await alice.file_links.list()] == [link.id]
    assert (await emu_client.file_links.list()).data == []
    await assert_missing(emu_client.file_links.retrieve(link.id))
    own_file = emulator.create_file(10, purpose="dispute_evidence", account=BOB)
    assert [f.id for f in await emu_client.with_options(stripe_account=BOB).files.list()] == [
        own_file["id"]
    ]

    waiting = await alice.verification_sessions.create({"type": "document"})
    await assert_missing(
        emu_client.ephemeral_keys.create(
            {"verification_session": waiting.id}, {"stripe_version": "2020-08-27"}
        ),
        400,
    )
    key = await alice.ephemeral_keys.create(
        {"verification_session": waiting.id}, {"stripe_version": "2020-08-27"}
    )
    assert key.secret is not None
    # The key's secret acts for Alice, with no header: a mobile SDK sends none.
    mobile = emu_client.with_options(api_key=key.secret)
    assert (await mobile.verification_sessions.retrieve(waiting.id)).id == waiting.id
    await assert_missing(emu_client.ephemeral_keys.delete(key.id))
    await alice.ephemeral_keys.delete(key.id)
    assert session.status == "verified"


@pytest.mark.anyio
async def test_idempotency_keys_are_kept_per_account(emu_client: si.AsyncStripeIdentity) -> None:
    alice = emu_client.with_options(stripe_account=ALICE)
    bob = emu_client.with_options(stripe_account=BOB)
    params: si.VerificationSessionCreateParamsDict = {"type": "document"}
    first = await alice.verification_sessions.create(params, {"idempotency_key": "signup-42"})
    second = await bob.verification_sessions.create(params, {"idempotency_key": "signup-42"})
    assert first.id != second.id  # not Alice's session replayed to Bob
    again = await alice.verification_sessions.create(params, {"idempotency_key": "signup-42"})
    assert again.id == first.id


@pytest.fixture
def threaded_emulator() -> Iterator[Emulator]:
    with Emulator() as emu:
        yield emu


def test_stripe_python_drives_a_connected_account_flow(threaded_emulator: Emulator) -> None:
    addresses: BaseAddresses = {"api": threaded_emulator.api_base}
    platform = stripe.StripeClient(TEST_KEY, base_addresses=addresses)
    tenant = stripe.StripeClient(TEST_KEY, stripe_account=ALICE, base_addresses=addresses)
    sessions = tenant.v1.identity.verification_sessions

    created = sessions.create({"type": "document", "client_reference_id": "tenant-user-7"})
    assert created.status == "requires_input"
    threaded_emulator.submit(created.id)
    assert sessions.retrieve(created.id).status == "verified"
    assert [s.id for s in sessions.list().data] == [created.id]

    assert platform.v1.identity.verification_sessions.list().data == []
    with pytest.raises(stripe.InvalidRequestError) as missing:
        platform.v1.identity.verification_sessions.retrieve(created.id)
    assert (missing.value.http_status, missing.value.code) == (404, "resource_missing")
    # Per request, as stripe-python also allows: the platform acting for Alice sees her session.
    as_alice = platform.v1.identity.verification_sessions.retrieve(
        created.id, options={"stripe_account": ALICE}
    )
    assert as_alice.id == created.id

    events = tenant.v1.events.list({"type": "identity.verification_session.*"}).data
    assert [e.type.rsplit(".", 1)[1] for e in events] == ["verified", "processing", "created"]
    assert {e.account for e in events} == {ALICE}
    assert platform.v1.events.list().data == []
