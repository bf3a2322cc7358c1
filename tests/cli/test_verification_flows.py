"""``stripe-identity emulator --verification-flows FILE.json``: the flows sessions are created from,
read and checked before the emulator starts (a bad file is a one-line usage error, exit status 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import stripe_identity as si
from stripe_identity._cli import _parser
from stripe_identity._cli._emulator import _emulator
from tests.cli.helpers import assert_one_line_error, cli
from tests.conftest import TEST_KEY

FLOWS = {
    "vf_kyc_phone": {
        "type": "id_number",
        "options": {"phone": {"require_verification": True}},
    }
}


def test_the_emulator_serves_the_flows_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "flows.json"
    path.write_text(json.dumps(FLOWS), encoding="utf-8")
    args = _parser().parse_args(["emulator", "--port", "0", "--verification-flows", str(path)])
    with _emulator(args) as emu, si.StripeIdentity(TEST_KEY, api_base=emu.api_base) as client:
        session = client.verification_sessions.create({"verification_flow": "vf_kyc_phone"})
        assert session.verification_flow == "vf_kyc_phone"
        assert session.options == si.VerificationSessionOptions(
            id_number=si.IdNumberOptions(), phone=si.PhoneOptions(require_verification=True)
        )
        with pytest.raises(si.InvalidRequestError) as refused:  # the defaults are not in the file
            client.verification_sessions.create({"verification_flow": "vf_emulator_id_number_phone"})
        assert refused.value.param == "verification_flow"


@pytest.mark.parametrize(
    ("content", "fragments"),
    [
        ("{not json", ("is not valid JSON",)),
        ('["vf_1"]', ("must hold a JSON object",)),
        ('{"vf_1": {"type": "selfie"}}', ("'vf_1'", "type must be document or id_number")),
    ],
)
def test_a_bad_file_is_a_one_line_usage_error(
    tmp_path: Path, content: str, fragments: tuple[str, ...]
) -> None:
    path = tmp_path / "flows.json"
    path.write_text(content, encoding="utf-8")
    result = cli("emulator", "--port", "0", "--verification-flows", str(path))
    assert_one_line_error(result, 2, "--verification-flows", *fragments)


def test_a_missing_file_is_a_one_line_usage_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.json"
    result = cli("emulator", "--port", "0", "--verification-flows", str(missing))
    assert_one_line_error(result, 2, "--verification-flows", "cannot read", "nowhere.json")
