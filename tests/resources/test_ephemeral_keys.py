"""Ephemeral keys on the emulator: made for one session, good for retrieving that session only.

A key is created with the API version of the mobile SDK that will read it (the SDK insists on being
told, and so does the emulator), its ``secret`` works as a bearer key for one retrieve, and deleting
it revokes the secret at once.
"""

from __future__ import annotations

import pytest

import stripe_identity as si
from stripe_identity.emulator import Emulator
from tests.conftest import TEST_KEY, RawHTTP

pytestmark = pytest.mark.anyio

MOBILE_VERSION = "2020-08-27"


class Versions:
    """A client middleware that records the ``Stripe-Version`` each attempt sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str | None]] = []

    async def __call__(self, request: si.Request, call_next: si.Handler) -> si.Response:
        self.sent.append((request.path, request.headers.get("Stripe-Version")))
        return await call_next(request)


async def test_a_key_retrieves_its_session_only_until_it_is_deleted(
    emulator: Emulator, emu_client: si.AsyncStripeIdentity
) -> None:
    versions = Versions()
    client = emu_client.with_options(middlewares=[versions])
    session = await client.verification_sessions.create({"type": "document"})
    other = await client.verification_sessions.create({"type": "document"})

    key = await client.ephemeral_keys.create(
        {"verification_session": session.id}, {"stripe_version": MOBILE_VERSION}
    )
    assert versions.sent == [
        ("/v1/identity/verification_sessions", si.DEFAULT_STRIPE_VERSION),
        ("/v1/identity/verification_sessions", si.DEFAULT_STRIPE_VERSION),
        ("/v1/ephemeral_keys", MOBILE_VERSION),  # the mobile SDK's version, not the client's
    ]
    assert key.object == "ephemeral_key" and key.id.startswith("ephkey_")
    assert key.livemode is False and key.expires > key.created
    assert key.secret is not None and key.secret.startswith("ek_test_")
    assert key.secret not in repr(key)

    mobile = emu_client.with_options(api_key=key.secret)
    seen = await mobile.verification_sessions.retrieve(session.id)
    assert seen.id == session.id and seen.status == "requires_input"
    for refused in (
        mobile.verification_sessions.retrieve(other.id),
        mobile.verification_sessions.list(),
        mobile.verification_sessions.update(session.id, {"metadata": {"k": "v"}}),
        mobile.verification_sessions.cancel(session.id),
        mobile.files.list(),
        mobile.events.list(),
    ):
        with pytest.raises(si.PermissionDeniedError) as info:
            await refused
        assert info.value.http_status == 403
    assert (await client.verification_sessions.retrieve(session.id)).status == "requires_input"

    deleted = await client.ephemeral_keys.delete(key.id)
    assert deleted.id == key.id and deleted.secret is None
    with pytest.raises(si.AuthenticationError) as revoked:
        await mobile.verification_sessions.retrieve(session.id)
    assert revoked.value.http_status == 401
    with pytest.raises(si.InvalidRequestError) as missing:
        await client.ephemeral_keys.delete(key.id)
    error = missing.value
    assert (error.http_status, error.code, error.param) == (404, "resource_missing", "key")

    # Another key for the same session has a secret of its own, unaffected by the first one's end.
    again = await client.ephemeral_keys.create(
        {"verification_session": session.id}, {"stripe_version": MOBILE_VERSION}
    )
    assert again.secret is not None and again.secret != key.secret
    fresh = emu_client.with_options(api_key=again.secret)
    assert (await fresh.verification_sessions.retrieve(session.id)).id == session.id
    assert emulator.stats()["ephemeral_keys"] == 1


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({}, 400, "parameter_missing"),
        ({"verification_session": "vs_unknown"}, 400, "resource_missing"),
        ({"verification_session": ""}, 400, "parameter_invalid_empty"),
    ],
    ids=["no-session", "unknown-session", "empty-session"],
)
async def test_bad_sessions_are_refused_naming_the_param(
    emu_client: si.AsyncStripeIdentity,
    params: si.EphemeralKeyCreateParamsDict,
    status: int,
    code: str,
) -> None:
    with pytest.raises(si.InvalidRequestError) as info:
        await emu_client.ephemeral_keys.create(params, {"stripe_version": MOBILE_VERSION})
    error = info.value
    assert (error.http_status, error.code, error.param) == (status, code, "verification_session")
    assert "UNSET" not in error.message  # the emulator's marker for "" is no id


async def test_empty_other_owners_are_ignored_not_looked_up(
    emu_client: si.AsyncStripeIdentity,
) -> None:
    session = await emu_client.verification_sessions.create({"type": "document"})
    key = await emu_client.ephemeral_keys.create(
        {"verification_session": session.id, "customer": "", "issuing_card": ""},
        {"stripe_version": MOBILE_VERSION},
    )
    assert key.secret is not None
    with pytest.raises(si.InvalidRequestError) as info:
        await emu_client.ephemeral_keys.create(
            {"customer": "cus_unknown"}, {"stripe_version": MOBILE_VERSION}
        )
    assert info.value.param == "customer" and info.value.code == "resource_missing"


async def test_no_version_is_refused_by_the_sdk_before_sending(
    emulator: Emulator, emu_client: si.AsyncStripeIdentity
) -> None:
    session = await emu_client.verification_sessions.create({"type": "document"})
    for opts in (None, {}, {"api_key": TEST_KEY}):
        with pytest.raises(si.InvalidRequestError) as info:
            await emu_client.ephemeral_keys.create({"verification_session": session.id}, opts)
        assert info.value.param == "stripe_version"
        assert info.value.http_status is None  # nothing was sent
    assert "create_ephemeral_key" not in emulator.stats()["by_operation"]


async def test_the_emulator_refuses_a_request_without_the_version_header(
    emulator: Emulator, raw: RawHTTP
) -> None:
    status, _, session = await raw("POST", "/v1/identity/verification_sessions", "type=document")
    assert status == 200
    body = f"verification_session={session['id']}"
    status, _, refused = await raw("POST", "/v1/ephemeral_keys", body)
    assert status == 400
    assert refused["error"]["type"] == "invalid_request_error"
    assert refused["error"]["param"] == "stripe_version"
    status, _, key = await raw(
        "POST", "/v1/ephemeral_keys", body, headers={"Stripe-Version": MOBILE_VERSION}
    )
    assert status == 200 and key["object"] == "ephemeral_key"
    status, _, shown = await raw(
        "GET",
        f"/v1/identity/verification_sessions/{session['id']}",
        headers={"Authorization": f"Bearer {key['secret']}"},
    )
    assert status == 200 and shown["id"] == session["id"]
    status, _, deleted = await raw("DELETE", f"/v1/ephemeral_keys/{key['id']}")
    assert status == 200 and "secret" not in deleted
    status, _, gone = await raw(
        "GET",
        f"/v1/identity/verification_sessions/{session['id']}",
        headers={"Authorization": f"Bearer {key['secret']}"},
    )
    assert status == 401 and gone["error"]["type"] == "invalid_request_error"


def test_the_sync_client_creates_uses_and_deletes_a_key() -> None:
    with (
        Emulator(seed=3) as emu,
        si.StripeIdentity(TEST_KEY, api_base=emu.api_base) as client,
    ):
        session = client.verification_sessions.create({"type": "id_number"})
        key = client.ephemeral_keys.create(
            client.ephemeral_keys.CreateParams(verification_session=session.id),
            {"stripe_version": MOBILE_VERSION},
        )
        assert key.secret is not None
        mobile = client.with_options(api_key=key.secret)
        assert mobile.verification_sessions.retrieve(session.id).type == "id_number"
        assert client.ephemeral_keys.delete(key.id).id == key.id
        with pytest.raises(si.AuthenticationError):
            mobile.verification_sessions.retrieve(session.id)
        with pytest.raises(si.InvalidRequestError) as info:
            client.ephemeral_keys.create({"verification_session": session.id})
        assert info.value.param == "stripe_version"
