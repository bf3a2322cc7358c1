"""``Stripe-Version``: what cannot be a version gets Stripe's 400, anything else is answered with the
version named in the response."""

from __future__ import annotations

import datetime

import aiohttp
import pytest

import stripe_identity as si
from stripe_identity.emulator import Emulator
from stripe_identity.emulator._failures import APIFailure
from stripe_identity.emulator._spec import API_VERSION
from stripe_identity.emulator._versions import check_version
from tests.conftest import RawHTTP

SESSIONS = "/v1/identity/verification_sessions"


@pytest.mark.parametrize(
    "version",
    [
        "2099-01-01.bogus",  # from the future: no such release yet
        "2019-2-19",  # not a date as Stripe writes it
        "2026-02-30.endive",  # no such day
        "latest",
        "2026-09-30.Endive",
        "2026-09-30, 2026-09-30",  # a header sent twice
        "",
    ],
)
async def test_a_value_that_cannot_be_a_version_gets_stripes_answer(raw: RawHTTP, version: str) -> None:
    status, headers, body = await raw("GET", SESSIONS, headers={"Stripe-Version": version})
    assert status == 400
    assert body == {
        "error": {
            "message": f"Invalid Stripe API version: {version}",
            "type": "invalid_request_error",
            "request_log_url": body["error"]["request_log_url"],
        }
    }
    assert headers["Stripe-Version"] == API_VERSION


@pytest.mark.parametrize(
    "version", ["2026-09-30.endive", "2026-10-28.endive", "2020-08-27", "2024-09-30.acacia; x_beta=v1"]
)
async def test_a_version_is_answered_and_named_in_the_response(raw: RawHTTP, version: str) -> None:
    status, headers, _ = await raw("GET", SESSIONS, headers={"Stripe-Version": version})
    assert status == 200
    assert headers["Stripe-Version"] == version


async def test_without_the_header_the_emulator_answers_with_its_own_version(raw: RawHTTP) -> None:
    status, headers, _ = await raw("GET", SESSIONS)
    assert (status, headers["Stripe-Version"]) == (200, API_VERSION)


async def test_the_sdk_gets_a_typed_error_for_a_bad_version(emulator: Emulator) -> None:
    async with si.AsyncStripeIdentity(
        "sk_test_x", api_base=emulator.api_base, stripe_version="2099-01-01.bogus"
    ) as client:
        with pytest.raises(si.InvalidRequestError, match="Invalid Stripe API version") as caught:
            await client.verification_sessions.create({"type": "document"})
    assert caught.value.http_status == 400 and caught.value.code is None
    assert emulator.sessions() == []  # refused before anything happened


def test_today_is_a_possible_release_date_and_tomorrow_is_not() -> None:
    today = datetime.date(2026, 12, 7)
    assert check_version("2026-12-07.endive", today) == "2026-12-07.endive"
    with pytest.raises(APIFailure, match=r"Invalid Stripe API version: 2026-12-08\.endive"):
        check_version("2026-12-08.endive", today)


async def test_the_verification_page_ignores_the_header(emu_client: si.AsyncStripeIdentity) -> None:
    session = await emu_client.verification_sessions.create({"type": "document"})
    assert session.url is not None
    async with (
        aiohttp.ClientSession() as browser,
        browser.get(session.url, headers={"Stripe-Version": "nonsense"}) as page,
    ):
        assert page.status == 200
