"""Verification flows come from a registry: a session created from one shows the flow's type and
options, an unknown flow is ``resource_missing`` naming ``verification_flow``, and a registry is
checked when the emulator is built."""

from __future__ import annotations

import re
from typing import Any

import pytest

import stripe_identity as si
from stripe_identity.emulator import DEFAULT_VERIFICATION_FLOWS, Emulator
from tests.conftest import TEST_KEY, RawHTTP

SIGNUP = {
    "vf_signup": {
        "type": "document",
        "options": {
            "document": {"allowed_types": ["passport"], "require_live_capture": True},
            "email": {"require_verification": True},
            "matching": {"name": "similar", "dob": "none"},
        },
    }
}


@pytest.mark.anyio
async def test_a_session_from_a_default_flow_shows_the_flow(
    emulator: Emulator, emu_client: si.AsyncStripeIdentity, raw: RawHTTP
) -> None:
    session = await emu_client.verification_sessions.create(
        {"verification_flow": "vf_emulator_document_email_phone", "client_reference_id": "u1"}
    )
    assert session.type == "verification_flow"
    assert session.verification_flow == "vf_emulator_document_email_phone"
    _, _, shown = await raw("GET", f"/v1/identity/verification_sessions/{session.id}")
    assert shown["options"] == {
        "document": {"require_matching_selfie": True},
        "email": {"require_verification": True},
        "phone": {"require_verification": True},
    }
    emulator.submit(session.id)
    report = await emu_client.verification_reports.retrieve(
        (await emu_client.verification_sessions.retrieve(session.id)).last_verification_report_id or ""
    )
    assert (report.type, report.verification_flow) == (
        "verification_flow",
        "vf_emulator_document_email_phone",
    )

    _, _, by_id_number = await raw(
        "POST",
        "/v1/identity/verification_sessions",
        "verification_flow=vf_emulator_id_number_phone",
    )
    assert by_id_number["options"] == {
        "id_number": {},
        "matching": {"dob": "similar", "name": "similar"},
        "phone": {"require_verification": True},
    }


@pytest.mark.anyio
async def test_an_unknown_flow_is_resource_missing_naming_verification_flow(
    emu_client: si.AsyncStripeIdentity, raw: RawHTTP
) -> None:
    with pytest.raises(si.InvalidRequestError) as refused:
        await emu_client.verification_sessions.create({"verification_flow": "vf_nothing"})
    assert refused.value.http_status == 400
    assert (refused.value.code, refused.value.param) == ("resource_missing", "verification_flow")
    assert refused.value.message == "No such verification_flow: 'vf_nothing'"
    status, _, _ = await raw("GET", "/v1/identity/verification_sessions")
    assert status == 200
    _, _, listed = await raw("GET", "/v1/identity/verification_sessions")
    assert listed["data"] == []  # nothing was created


@pytest.mark.anyio
async def test_a_flow_keeps_setting_its_sessions_type_and_options(
    emu_client: si.AsyncStripeIdentity, raw: RawHTTP
) -> None:
    session = await emu_client.verification_sessions.create(
        {"verification_flow": "vf_emulator_id_number_phone"}
    )
    updated = await emu_client.verification_sessions.update(
        session.id, {"type": "document", "options": {"document": {"require_matching_selfie": True}}}
    )
    assert updated.type == "verification_flow"
    assert updated.options == session.options


def test_a_registry_replaces_the_default_flows() -> None:
    with (
        Emulator(verification_flows=SIGNUP) as emu,
        si.StripeIdentity(TEST_KEY, api_base=emu.api_base) as client,
    ):
        session = client.verification_sessions.create({"verification_flow": "vf_signup"})
        assert session.options is not None
        assert session.options.document == si.DocumentOptions(
            allowed_types=["passport"], require_live_capture=True
        )
        assert session.options.matching is not None and session.options.matching.name == "similar"
        assert session.options.phone is None
        with pytest.raises(si.InvalidRequestError, match="vf_emulator_document_email_phone"):
            client.verification_sessions.create(
                {"verification_flow": "vf_emulator_document_email_phone"}
            )
        with_defaults = {**DEFAULT_VERIFICATION_FLOWS, **SIGNUP}
    with (
        Emulator(verification_flows=with_defaults) as emu,
        si.StripeIdentity(TEST_KEY, api_base=emu.api_base) as client,
    ):
        for flow in with_defaults:
            assert client.verification_sessions.create({"verification_flow": flow}).status == (
                "requires_input"
            )


@pytest.mark.parametrize(
    ("flows", "fragment"),
    [
        ({"flow_1": {"type": "document"}}, "a verification flow id is vf_"),
        ({"vf_1": {"type": "verification_flow"}}, "type must be document or id_number"),
        ({"vf_1": {"type": "document", "checks": ["email"]}}, "unknown keys ['checks']"),
        ({"vf_1": {"type": "document", "options": {"selfie": {}}}}, "unknown keys ['selfie']"),
        (
            {"vf_1": {"type": "id_number", "options": {"document": {}}}},
            "options.document applies to flows of type document only",
        ),
        (
            {"vf_1": {"type": "document", "options": {"id_number": {}}}},
            "options.document.require_id_number",
        ),
        (
            {"vf_1": {"type": "document", "options": {"email": {"require_verification": "yes"}}}},
            "options.email.require_verification must be true or false",
        ),
        (
            {"vf_1": {"type": "document", "options": {"matching": {"dob": "exact"}}}},
            "options.matching.dob must be none or similar",
        ),
        (
            {"vf_1": {"type": "document", "options": {"document": {"allowed_types": ["visa"]}}}},
            "options.document.allowed_types must be a non-empty list",
        ),
        ({"vf_1": ["document"]}, "the flow must be an object"),
    ],
)
def test_a_bad_registry_is_a_value_error_naming_the_flow_and_the_key(
    flows: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(fragment)) as refused:
        Emulator(verification_flows=flows)
    if "vf_1" in flows:
        assert "'vf_1'" in str(refused.value)


def test_a_registry_must_be_a_mapping() -> None:
    with pytest.raises(TypeError, match="mapping of flow id to flow"):
        Emulator(verification_flows=[SIGNUP])  # type: ignore[arg-type]
