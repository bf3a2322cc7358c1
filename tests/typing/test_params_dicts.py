"""The dict form of params: what type checkers accept, and what it sends.

Every ``si.<Name>ParamsDict`` mirrors the attrs class ``si.<Name>Params`` (same keys, same required
keys), and a dict filling every key of an operation encodes to the bytes its class encodes to. The
dicts here are annotated, so mypy and pyright check each key and enum value: this module is the
"good calls" half of the pin, ``bad_params.py`` (run by ``test_bad_params.py``) the other half.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

import attrs
import pytest

import stripe_identity as si
from stripe_identity._encoding import encode_form
from stripe_identity.emulator import Emulator

pytestmark = pytest.mark.anyio

MOMENT = datetime.datetime(2026, 1, 2, tzinfo=datetime.timezone.utc)

SESSION_CREATE: si.VerificationSessionCreateParamsDict = {
    "client_reference_id": "user_42",
    "expand": ["last_verification_report"],
    "metadata": {"user": "42", "old": ""},
    "options": {
        "document": {
            "allowed_types": ["driving_license", "passport"],
            "require_id_number": True,
            "require_live_capture": True,
            "require_matching_selfie": False,
        }
    },
    "provided_details": {"email": "jenny@example.com", "phone": "+15555550100"},
    "related_customer": "cus_1",
    "related_customer_account": "acct_customer",
    "related_person": {"account": "acct_1", "person": "person_1"},
    "return_url": "https://example.com/back",
    "type": "document",
    "verification_flow": "vf_1",
}
SESSION_LIST: si.VerificationSessionListParamsDict = {
    "client_reference_id": "user_42",
    "created": {"gt": 1, "gte": MOMENT, "lt": 3, "lte": 4},
    "ending_before": "vs_2",
    "expand": ("data.last_verification_report",),
    "limit": 3,
    "related_customer": "cus_1",
    "related_customer_account": "acct_customer",
    "starting_after": "vs_1",
    "status": "requires_input",
}
SESSION_UPDATE: si.VerificationSessionUpdateParamsDict = {
    "expand": ["verified_outputs"],
    "metadata": "",
    "options": {"document": ""},
    "provided_details": {"phone": "+15555550100"},
    "type": "id_number",
}
EXPAND: si.VerificationSessionRetrieveParamsDict = {"expand": ["verified_outputs"]}
REPORT_LIST: si.VerificationReportListParamsDict = {
    "client_reference_id": "user_42",
    "created": MOMENT,
    "ending_before": "vr_2",
    "expand": ["data.document"],
    "limit": 100,
    "starting_after": "vr_1",
    "type": "id_number",
    "verification_session": "vs_1",
}
EPHEMERAL_KEY: si.EphemeralKeyCreateParamsDict = {
    "customer": "cus_1",
    "expand": ["associated_objects"],
    "issuing_card": "ic_1",
    "verification_session": "vs_1",
}
EVENT_LIST: si.EventListParamsDict = {
    "created": 5,
    "delivery_success": False,
    "ending_before": "evt_2",
    "expand": ["data.request"],
    "limit": 10,
    "starting_after": "evt_1",
    "type": "identity.verification_session.*",
    "types": ("identity.verification_session.verified", "identity.verification_session.canceled"),
}
FILE_LIST: si.FileListParamsDict = {
    "created": {"gte": 1},
    "ending_before": "file_2",
    "expand": ["data.links"],
    "limit": 2,
    "purpose": "identity_document_downloadable",
    "starting_after": "file_1",
}
LINK_CREATE: si.FileLinkCreateParamsDict = {
    "expand": ["file"],
    "expires_at": MOMENT,
    "file": "file_1",
    "metadata": {"k": "v"},
}
LINK_UPDATE: si.FileLinkUpdateParamsDict = {"expand": ["file"], "expires_at": "now", "metadata": ""}
LINK_LIST: si.FileLinkListParamsDict = {
    "created": {"lt": 9},
    "ending_before": "link_2",
    "expand": ["data.file"],
    "expired": True,
    "file": "file_1",
    "limit": 1,
    "starting_after": "link_1",
}

#: (the TypedDict, a dict filling each of its keys, the same params as the attrs class). A TypedDict
#: class is no ``type[...]`` to mypy, hence ``Any``.
FULL: list[tuple[Any, Mapping[str, Any], object]] = [
    (
        si.VerificationSessionCreateParamsDict,
        SESSION_CREATE,
        si.VerificationSessionCreateParams(
            client_reference_id="user_42",
            expand=["last_verification_report"],
            metadata={"user": "42", "old": ""},
            options=si.OptionsParams(
                document=si.DocumentOptionsParams(
                    allowed_types=["driving_license", "passport"],
                    require_id_number=True,
                    require_live_capture=True,
                    require_matching_selfie=False,
                )
            ),
            provided_details=si.ProvidedDetailsParams(email="jenny@example.com", phone="+15555550100"),
            related_customer="cus_1",
            related_customer_account="acct_customer",
            related_person=si.RelatedPersonParams(account="acct_1", person="person_1"),
            return_url="https://example.com/back",
            type="document",
            verification_flow="vf_1",
        ),
    ),
    (
        si.VerificationSessionListParamsDict,
        SESSION_LIST,
        si.VerificationSessionListParams(
            client_reference_id="user_42",
            created=si.CreatedFilter(gt=1, gte=MOMENT, lt=3, lte=4),
            ending_before="vs_2",
            expand=["data.last_verification_report"],
            limit=3,
            related_customer="cus_1",
            related_customer_account="acct_customer",
            starting_after="vs_1",
            status="requires_input",
        ),
    ),
    (
        si.VerificationSessionUpdateParamsDict,
        SESSION_UPDATE,
        si.VerificationSessionUpdateParams(
            expand=["verified_outputs"],
            metadata="",
            options=si.OptionsParams(document=""),
            provided_details=si.ProvidedDetailsParams(phone="+15555550100"),
            type="id_number",
        ),
    ),
    *[
        (typed, EXPAND, params(expand=["verified_outputs"]))
        for typed, params in [
            (si.VerificationSessionRetrieveParamsDict, si.VerificationSessionRetrieveParams),
            (si.VerificationSessionCancelParamsDict, si.VerificationSessionCancelParams),
            (si.VerificationSessionRedactParamsDict, si.VerificationSessionRedactParams),
            (si.VerificationReportRetrieveParamsDict, si.VerificationReportRetrieveParams),
            (si.EphemeralKeyDeleteParamsDict, si.EphemeralKeyDeleteParams),
            (si.EventRetrieveParamsDict, si.EventRetrieveParams),
            (si.FileRetrieveParamsDict, si.FileRetrieveParams),
            (si.FileLinkRetrieveParamsDict, si.FileLinkRetrieveParams),
        ]
    ],
    (
        si.VerificationReportListParamsDict,
        REPORT_LIST,
        si.VerificationReportListParams(
            client_reference_id="user_42",
            created=MOMENT,
            ending_before="vr_2",
            expand=["data.document"],
            limit=100,
            starting_after="vr_1",
            type="id_number",
            verification_session="vs_1",
        ),
    ),
    (
        si.EphemeralKeyCreateParamsDict,
        EPHEMERAL_KEY,
        si.EphemeralKeyCreateParams(
            customer="cus_1",
            expand=["associated_objects"],
            issuing_card="ic_1",
            verification_session="vs_1",
        ),
    ),
    (
        si.EventListParamsDict,
        EVENT_LIST,
        si.EventListParams(
            created=5,
            delivery_success=False,
            ending_before="evt_2",
            expand=["data.request"],
            limit=10,
            starting_after="evt_1",
            type="identity.verification_session.*",
            types=["identity.verification_session.verified", "identity.verification_session.canceled"],
        ),
    ),
    (
        si.FileListParamsDict,
        FILE_LIST,
        si.FileListParams(
            created=si.CreatedFilter(gte=1),
            ending_before="file_2",
            expand=["data.links"],
            limit=2,
            purpose="identity_document_downloadable",
            starting_after="file_1",
        ),
    ),
    (
        si.FileLinkCreateParamsDict,
        LINK_CREATE,
        si.FileLinkCreateParams(expand=["file"], expires_at=MOMENT, file="file_1", metadata={"k": "v"}),
    ),
    (
        si.FileLinkUpdateParamsDict,
        LINK_UPDATE,
        si.FileLinkUpdateParams(expand=["file"], expires_at="now", metadata=""),
    ),
    (
        si.FileLinkListParamsDict,
        LINK_LIST,
        si.FileLinkListParams(
            created=si.CreatedFilter(lt=9),
            ending_before="link_2",
            expand=["data.file"],
            expired=True,
            file="file_1",
            limit=1,
            starting_after="link_1",
        ),
    ),
    (
        si.ThinEventListParamsDict,
        {
            "created": {"gte": "2026-12-01T00:00:00Z", "lt": "2026-12-02T00:00:00Z"},
            "limit": 5,
            "object_id": "vs_1",
            "page": "token",
            "types": ["v1.identity.verification_session.verified"],
        },
        si.ThinEventListParams(
            created=si.ThinEventCreatedFilter(gte="2026-12-01T00:00:00Z", lt="2026-12-02T00:00:00Z"),
            limit=5,
            object_id="vs_1",
            page="token",
            types=["v1.identity.verification_session.verified"],
        ),
    ),
]

DICTS = sorted(name for name in si.__all__ if name.endswith("Dict"))


def _keys(typed: Any) -> frozenset[str]:
    required: frozenset[str] = typed.__required_keys__
    optional: frozenset[str] = typed.__optional_keys__
    return required | optional


@pytest.mark.parametrize("name", DICTS)
def test_each_dict_has_the_keys_of_its_params_class(name: str) -> None:
    typed = getattr(si, name)
    twin = getattr(si, name.removesuffix("Dict"))
    fields = attrs.fields(twin)
    assert _keys(typed) == {f.name for f in fields}
    assert typed.__required_keys__ == {f.name for f in fields if f.default is attrs.NOTHING}


def test_every_params_class_has_a_dict() -> None:
    classes = [
        name
        for name in si.__all__
        if name.endswith(("Params", "CreatedFilter")) and attrs.has(getattr(si, name))
    ]
    assert len(classes) == len(DICTS) == 25
    assert [f"{name}Dict" for name in sorted(classes)] == DICTS


@pytest.mark.parametrize(
    ("typed", "mapping", "params"), FULL, ids=[f"{t.__name__}-{type(p).__name__}" for t, _, p in FULL]
)
def test_a_dict_with_every_key_sends_what_its_class_sends(
    typed: Any, mapping: Mapping[str, Any], params: object
) -> None:
    assert set(mapping) == _keys(typed)
    assert type(params).__name__ == typed.__name__.removesuffix("Dict")
    assert encode_form(mapping) == encode_form(params)


def test_every_operation_has_a_full_dict() -> None:
    operations = {name for name in DICTS if name.endswith("ParamsDict")}
    nested = {"OptionsParamsDict", "DocumentOptionsParamsDict", "ProvidedDetailsParamsDict"}
    nested |= {"RelatedPersonParamsDict"}
    assert {typed.__name__ for typed, _, _ in FULL} == operations - nested


async def test_dicts_drive_the_emulator(emulator: Emulator, emu_client: si.AsyncStripeIdentity) -> None:
    sessions = emu_client.verification_sessions
    session = await sessions.create(
        {
            "type": "document",
            "metadata": {"user": "42"},
            "options": {"document": {"allowed_types": ("passport",), "require_id_number": True}},
            "provided_details": {"email": "jenny@example.com"},
        }
    )
    assert session.options is not None and session.options.document is not None
    assert session.options.document.allowed_types == ["passport"]
    changed = await sessions.update(session.id, {"metadata": "", "options": {"document": ""}})
    assert changed.metadata == {}
    page = await sessions.list({"created": {"gte": session.created}, "status": "requires_input"})
    assert [s.id for s in page] == [session.id]
    emulator.submit(session.id)
    reports = await emu_client.verification_reports.list({"verification_session": session})
    assert [r.verification_session for r in reports] == [session.id]
    key = await emu_client.ephemeral_keys.create(
        {"verification_session": session}, {"stripe_version": "2020-08-27"}
    )
    assert key.secret
    events = await emu_client.events.list({"types": ("identity.verification_session.verified",)})
    assert [e.session_object().id for e in events] == [session.id]
    redacted = await sessions.redact(session.id, {"expand": ["verified_outputs"]})
    assert redacted.redaction is not None


def _static_only(client: si.StripeIdentity, file: si.File) -> None:
    """Type-checked, never run: the sync services take the same dicts (a model stands for its id)."""
    client.file_links.create({"file": file, "expires_at": MOMENT})
    client.file_links.update("link_1", {"expires_at": ""})
    client.file_links.list({"file": file, "expired": False})
    client.files.list({"purpose": "selfie", "limit": 1})
    client.verification_sessions.create(
        {"verification_flow": "vf_1", "related_person": {"account": "acct_1", "person": "person_1"}}
    )
    client.verification_reports.list({"type": "document", "created": {"lt": MOMENT}})
