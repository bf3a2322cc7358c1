"""Schemathesis with the companion extract (ephemeral keys, files, file links, events) against the
emulator: no 5xx, and every answer on-spec, with a secret key and with a restricted one.

The long run (``nox -s reliability``, 300 examples an operation) is what found ``GET /v1/events?type=``
answering 500; the default run is a smoke test of the same property.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, assume, settings

import stripe_identity as si
from stripe_identity.emulator import Emulator
from tests.conftest import TEST_KEY
from tests.fake_api import SPEC_DIR
from tests.leaks import looks_like_secret
from tests.scale import scale
from tests.spec_schema import validate_response

RESTRICTED_KEY = "rk_test_51CompanionFuzzingKey"


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:  # one threaded emulator for the whole module
    with (
        Emulator(seed=98) as emu,
        si.StripeIdentity(RESTRICTED_KEY, api_base=emu.api_base) as client,
    ):
        # Something for the lists to show: a verified session's events, images and a link.
        session = client.verification_sessions.create(
            {"type": "document", "options": {"document": {"require_matching_selfie": True}}}
        )
        emu.submit(session.id)
        image = client.files.list().data[0].id
        client.file_links.create({"file": image, "expires_at": int(time.time()) + 30})
        emu.create_file(1000, purpose="dispute_evidence")
        yield emu


companion = schemathesis.openapi.from_path(SPEC_DIR / "companion.openapi.json")


@companion.parametrize()
@settings(max_examples=scale(15, 300), deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.parametrize("key", [TEST_KEY, RESTRICTED_KEY], ids=["sk", "rk"])
def test_schemathesis_finds_no_5xx_and_no_off_spec_response(
    case: schemathesis.Case[Any], emulator: Emulator, key: str
) -> None:
    assume(
        not looks_like_secret(case.formatted_path, case.query, case.body, case.headers)
    )  # tests/leaks.py
    # A Stripe-Version on every request, so that ephemeral key creation gets past its version check.
    headers = {"Authorization": f"Bearer {key}", "Stripe-Version": "2020-08-27"}
    response = case.call(base_url=emulator.api_base, headers=headers)
    assert response.status_code < 500, response.text
    if "request-id" not in {name.lower() for name in response.headers}:
        # Refused by aiohttp's HTTP parser before the emulator saw it: a plain 400.
        assert response.status_code == 400
        return
    validate_response(case.method, case.formatted_path, response.status_code, response.content)
