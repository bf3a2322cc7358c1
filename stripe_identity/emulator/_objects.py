"""The JSON objects the emulator stores and returns, shaped like Stripe's: sessions, and redaction.

Objects are plain dicts with the spec's keys in alphabetical order (as Stripe sends them). What a
submission finds (reports, ``verified_outputs``) is ``_reports``'s. Nothing here is random except the
ids, tokens and one-time codes, which come from the seeded RNG.
"""

from __future__ import annotations

import base64
import random
import string
from typing import Any

__all__ = [
    "REDACTED",
    "IdFactory",
    "new_session",
    "redact_report",
    "redact_session",
    "session_options",
]

REDACTED = "[redacted]"
_ALPHABET = string.ascii_letters + string.digits


class IdFactory:
    """Stripe-shaped ids and tokens from one seeded RNG, so a seed replays the same ids."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng

    def token(self, length: int) -> str:
        return "".join(self._rng.choices(_ALPHABET, k=length))

    def object_id(self, prefix: str) -> str:
        return f"{prefix}_{self.token(24)}"

    def digits(self, length: int) -> str:
        """A one-time code, as an SMS or an email would carry it."""
        return "".join(self._rng.choices(string.digits, k=length))

    def request_id(self) -> str:
        return f"req_{self.token(14)}"

    def secret_and_link(self, session_id: str) -> tuple[str, str]:
        """A session's ``client_secret``, and the token of its verification page's URL."""
        token = self.token(32)
        # Stripe's hosted link token base64-encodes an account and a nonce.
        link = base64.urlsafe_b64encode(f"acct_emulator,_{token}".encode()).decode().rstrip("=")
        return f"{session_id}_secret_test_{token}", f"test_{link}"


def _document_options(params: Any) -> dict[str, Any]:
    if not isinstance(params, dict):  # absent, or "" (unset): no document options
        return {}
    return {key: params[key] for key in sorted(params)}


def session_options(check_type: str, options: dict[str, Any] | None) -> dict[str, Any]:
    """The response ``options`` for a session of ``check_type`` created with ``options`` params."""
    document = _document_options((options or {}).get("document"))
    if check_type == "id_number":
        return {"id_number": {}}
    return {"document": document}


def new_session(
    *,
    session_id: str,
    created: int,
    params: dict[str, Any],
    options: dict[str, Any],
    client_secret: str,
    url: str,
) -> dict[str, Any]:
    """A new session from checked create ``params``, with the ``options`` it shows (its own, or
    its flow's)."""
    check_type = "verification_flow" if params.get("verification_flow") else params["type"]
    provided = params.get("provided_details")
    session: dict[str, Any] = {
        "client_reference_id": params.get("client_reference_id"),
        "client_secret": client_secret,
        "created": created,
        "id": session_id,
        "last_error": None,
        "last_verification_report": None,
        "livemode": False,
        "metadata": dict(sorted((params.get("metadata") or {}).items())),
        "object": "identity.verification_session",
        "options": options,
        "provided_details": dict(sorted(provided.items())) if provided else None,
        "redaction": None,
        "related_customer": params.get("related_customer"),
        "related_customer_account": params.get("related_customer_account"),
        "status": "requires_input",
        "type": check_type,
        "url": url,
        "verified_outputs": None,
    }
    if params.get("related_person"):
        person = params["related_person"]
        session["related_person"] = {"account": person["account"], "person": person["person"]}
    if params.get("verification_flow"):
        session["verification_flow"] = params["verification_flow"]
    return dict(sorted(session.items()))


def _redact_fields(obj: dict[str, Any] | None, names: tuple[str, ...]) -> None:
    if not obj:
        return
    for name in names:
        if obj.get(name) is not None:
            obj[name] = REDACTED


def _redact_date(obj: dict[str, Any] | None, name: str) -> None:
    if obj and obj.get(name) is not None:
        obj[name] = {"day": 1, "month": 1, "year": 1}


def _redact_address(obj: dict[str, Any] | None) -> None:
    if obj and obj.get("address"):
        _redact_fields(obj["address"], ("city", "line1", "line2", "postal_code", "state"))


def redact_session(session: dict[str, Any]) -> None:
    """Replace personal data with ``[redacted]`` (as Stripe documents it) and erase metadata."""
    session["metadata"] = {}
    _redact_fields(session.get("provided_details"), ("email", "phone"))
    outputs = session.get("verified_outputs")
    if outputs:
        _redact_fields(
            outputs,
            (
                "email",
                "first_name",
                "id_number",
                "last_name",
                "phone",
                "sex",
                "unparsed_place_of_birth",
                "unparsed_sex",
            ),
        )
        _redact_address(outputs)
        _redact_date(outputs, "dob")
        outputs["id_number_type"] = None


def redact_report(report: dict[str, Any]) -> None:
    document = report.get("document")
    if document:
        _redact_fields(
            document,
            ("first_name", "last_name", "number", "sex", "unparsed_place_of_birth", "unparsed_sex"),
        )
        _redact_address(document)
        for name in ("dob", "expiration_date", "issued_date"):
            _redact_date(document, name)
        document["files"] = []
    id_number = report.get("id_number")
    if id_number:
        _redact_fields(id_number, ("first_name", "id_number", "last_name"))
        _redact_date(id_number, "dob")
        id_number["id_number_type"] = None
    selfie = report.get("selfie")
    _redact_fields(selfie, ("document", "selfie"))
    for kind in ("email", "phone"):
        _redact_fields(report.get(kind), (kind,))
