"""Validation, auth, routing and broken input: the emulator answers like Stripe, never with a 5xx."""

from __future__ import annotations

import pytest

from tests.conftest import RawHTTP

pytestmark = pytest.mark.anyio

SESSIONS = "/v1/identity/verification_sessions"


@pytest.mark.parametrize(
    ("body", "param", "code", "fragment"),
    [
        ("typo=1&type=document", "typo", "parameter_unknown", "Received unknown parameter: typo"),
        ("a=1&b=2&type=document", "a", "parameter_unknown", "Received unknown parameters: a, b"),
        (
            "type=document&options[document][colour]=red",
            "options[document][colour]",
            "parameter_unknown",
            "unknown parameter",
        ),
        (
            "type=document&options[email][require_verification]=true",
            "options[email]",
            "parameter_unknown",
            "unknown parameter",
        ),
        ("type=passport", "type", None, "must be one of document or id_number"),
        ("type=", "type", "parameter_invalid_empty", "cannot be unset"),
        ("metadata[a]=b", "type", "parameter_missing", "Missing required param: type"),
        (
            "type=document&options[document][require_live_capture]=yes",
            "options[document][require_live_capture]",
            None,
            "Invalid boolean: yes",
        ),
        (
            "type=document&options[document][allowed_types][0]=selfie",
            "options[document][allowed_types][0]",
            None,
            "must be one of",
        ),
        (
            "type=document&options[document][allowed_types]=passport",
            "options[document][allowed_types]",
            None,
            "Invalid array",
        ),
        (
            "type=document&related_person[account]=acct_1",
            "related_person[person]",
            "parameter_missing",
            "Missing required param: related_person[person].",
        ),
        (
            "type=document&client_reference_id=" + "x" * 5001,
            "client_reference_id",
            None,
            "at most 5000 characters",
        ),
        ("type=document&metadata[" + "k" * 41 + "]=v", "metadata", None, "under 40 characters"),
        ("type=document&metadata[k]=" + "v" * 501, "metadata", None, "under 500 characters"),
        (
            "type=document&" + "&".join(f"metadata[k{i}]=v" for i in range(51)),
            "metadata",
            None,
            "up to 50 keys",
        ),
        ("type=document&metadata[a][b]=c", "metadata[a]", None, "must be a string"),
        ("type=document&metadata=oops", "metadata", None, "Invalid hash"),
        ("type=document&options=x", "options", None, "Invalid object"),
        ("type=document&return_url=not-a-url", "return_url", "url_invalid", "Not a valid URL"),
        ("type=document&expand[0]=options", "expand[0]", None, "cannot be expanded (options)"),
        ("type[x]=document", "type", None, "must be a single value"),
        (
            "type=document&related_person[account]=&related_person[person]=p",
            "related_person[account]",
            "parameter_invalid_empty",
            "cannot be unset",
        ),
        ("type=document&expand[0]=", "expand[0]", "parameter_invalid_empty", "cannot be unset"),
    ],
)
async def test_create_validation(
    raw: RawHTTP, body: str, param: str, code: str | None, fragment: str
) -> None:
    status, headers, error = await raw("POST", SESSIONS, body)
    assert status == 400, error
    assert headers["Request-Id"].startswith("req_")
    assert error["error"]["type"] == "invalid_request_error"
    assert error["error"]["param"] == param
    assert error["error"].get("code") == code
    assert fragment in error["error"]["message"]


@pytest.mark.parametrize(
    ("query", "param", "fragment"),
    [
        ("limit=0", "limit", "between 1 and 100"),
        ("limit=101", "limit", "between 1 and 100"),
        ("limit=ten", "limit", "Invalid integer: ten"),
        ("limit=1.5", "limit", "Invalid integer"),
        ("status=done", "status", "must be one of"),
        ("created[gt]=x", "created[gt]", "Invalid integer"),
        ("created[between]=1", "created[between]", "unknown parameter"),
        ("starting_after=vs_a&ending_before=vs_b", "starting_after", "Received both"),
        (
            "expand[0]=last_verification_report",
            "expand[0]",
            "try expanding 'data.last_verification_report'",
        ),
        ("foo=bar", "foo", "unknown parameter"),
    ],
)
async def test_list_validation(raw: RawHTTP, query: str, param: str, fragment: str) -> None:
    status, _, error = await raw("GET", f"{SESSIONS}?{query}")
    assert status == 400, error
    assert error["error"]["param"] == param
    assert fragment in error["error"]["message"]


async def test_valid_edge_cases_are_accepted(raw: RawHTTP) -> None:
    cases = [
        "verification_flow=vf_emulator_document_email_phone",
        "type=document&options[document]=&metadata=",
        "type=document&expand[]=last_verification_report",
        "type=id_number&related_person[account]=acct_1&related_person[person]=person_1",
        "type=document&client_reference_id=&return_url=https://example.com/done",
        "type=document&options[document][allowed_types][]=passport"
        "&options[document][allowed_types][]=id_card",
    ]
    for body in cases:
        status, _, session = await raw("POST", SESSIONS, body)
        assert status == 200, (body, session)
    assert session["options"]["document"]["allowed_types"] == ["passport", "id_card"]
    assert (await raw("GET", f"{SESSIONS}?limit=1&starting_after="))[0] == 200


@pytest.mark.parametrize(
    ("headers", "fragment"),
    [
        ({}, "You did not provide an API key"),
        ({"Authorization": "Bearer sk_live_123"}, "test mode keys only"),
        ({"Authorization": "Bearer pk_test_123"}, "Invalid API Key provided: "),
        ({"Authorization": "Token sk_test_123"}, "You did not provide an API key"),
        ({"Authorization": "Basic !!!"}, "You did not provide an API key"),
    ],
)
async def test_authentication(raw: RawHTTP, headers: dict[str, str], fragment: str) -> None:
    status, response_headers, error = await raw("GET", SESSIONS, headers=headers, auth=False)
    assert status == 401
    assert fragment in error["error"]["message"]
    assert "param" not in error["error"]
    assert response_headers["Request-Id"]
    assert "sk_live_123" not in error["error"]["message"]


async def test_basic_auth_and_restricted_keys_are_accepted(raw: RawHTTP) -> None:
    import base64

    basic = base64.b64encode(b"sk_test_abc:").decode()
    assert (await raw("GET", SESSIONS, headers={"Authorization": f"Basic {basic}"}, auth=False))[
        0
    ] == 200
    restricted = {"Authorization": "Bearer rk_test_abc"}
    assert (await raw("GET", SESSIONS, headers=restricted, auth=False))[0] == 200


async def test_unknown_ids_routes_and_methods(raw: RawHTTP) -> None:
    status, _, error = await raw("GET", f"{SESSIONS}/vs_missing")
    assert status == 404
    assert error["error"]["code"] == "resource_missing"
    assert error["error"]["param"] == "session"
    assert error["error"]["message"] == "No such verification_session: 'vs_missing'"
    status, _, error = await raw("GET", "/v1/identity/verification_reports/vr_missing")
    assert (status, error["error"]["param"]) == (404, "report")
    status, _, error = await raw("GET", f"{SESSIONS}/vs_1%2F..%2F..%2Fx")
    assert status == 404
    assert error["error"]["code"] == "resource_missing"
    status, _, error = await raw("GET", "/v1/charges")
    assert status == 404
    assert "Unrecognized request URL (GET: /v1/charges)" in error["error"]["message"]
    status, _, error = await raw("GET", f"{SESSIONS}/")
    assert status == 404
    status, headers, error = await raw("DELETE", f"{SESSIONS}/vs_1")
    assert status == 405
    assert headers["Allow"] == "GET, POST"
    assert error["error"]["type"] == "invalid_request_error"
    status, headers, error = await raw("PUT", SESSIONS, "type=document")
    assert status == 405


BROKEN = [
    b"\xff\xfe\xfd",
    b"type=document&metadata[a]=%FF%FE",
    b"a[[[=x",
    b"a]]]=x",
    b"[=x",
    b"type=document&" + b"options" + b"[a]" * 2000 + b"=1",
    b"&".join(b"k%d=v" % i for i in range(20000)),
    b"type=document&type[a]=b",
    b"%",
    b"==&&==",
    b"type=document&metadata[]=a",
    b"type=document&options[document][allowed_types][5]=passport",
    b"type=document&options[document][allowed_types][x]=passport",
    b"type=document&expand=last_verification_report",
    b"\x00\x01\x02",
]


@pytest.mark.parametrize("body", BROKEN, ids=[repr(b[:24]) for b in BROKEN])
async def test_broken_input_gets_a_4xx_and_the_server_survives(raw: RawHTTP, body: bytes) -> None:
    status, headers, error = await raw("POST", SESSIONS, body)
    assert 400 <= status < 500, error
    assert error["error"]["type"] == "invalid_request_error"
    assert headers["Request-Id"]
    assert (await raw("GET", SESSIONS))[0] == 200


async def test_a_2mb_body_is_refused_with_413(raw: RawHTTP) -> None:
    status, _, error = await raw(
        "POST", SESSIONS, b"type=document&client_reference_id=" + b"x" * 2_000_000
    )
    assert status == 413
    assert error["error"]["type"] == "invalid_request_error"
    assert (await raw("GET", SESSIONS))[0] == 200


async def test_every_response_carries_a_request_id(raw: RawHTTP) -> None:
    seen = set()
    for method, path, body in [
        ("POST", SESSIONS, "type=document"),
        ("GET", SESSIONS, None),
        ("GET", f"{SESSIONS}/vs_x", None),
        ("GET", "/nope", None),
        ("POST", SESSIONS, "bad=1"),
    ]:
        _, headers, _ = await raw(method, path, body)
        seen.add(headers["Request-Id"])
        assert headers["Content-Type"].startswith("application/json")
    assert len(seen) == 5
