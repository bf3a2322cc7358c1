"""The data every benchmark shares: the fake key, the session the server returns, the create params.

The session is a fully populated ``requires_input`` document session, pretty-printed the way the API
prints it (two-space indent), so clients parse a body of realistic size (~1.7 KB) and shape.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

if TYPE_CHECKING:
    import stripe_identity as si

__all__ = [
    "API_KEY",
    "CREATE_FORM_PAIRS",
    "CREATE_PARAMS",
    "SESSION",
    "SESSION_BODY",
    "SESSION_ID",
    "STRIPE_VERSION",
    "USER_AGENT",
    "client_user_agent",
    "create_form_body",
]

#: Obviously fake; never printed or written to results (``report.write_json`` refuses to).
API_KEY = "sk_test_" + "bench" + "0" * 19
#: Sent by every client, so that the server sees identical requests.
STRIPE_VERSION = "2026-09-30.endive"
#: What the hand-written raw aiohttp client sends; the same length class as the SDK's own.
USER_AGENT = "bench-raw-aiohttp/1.0 aiohttp Python"


def client_user_agent() -> str:
    """An ``X-Stripe-Client-User-Agent`` of the SDK's form and size, for the raw client to send."""
    import platform

    import aiohttp

    return json.dumps(
        {
            "bindings_version": "1.0",
            "httplib": "aiohttp",
            "httplib_version": aiohttp.__version__,
            "lang": "python",
            "lang_version": platform.python_version(),
            "platform": platform.platform(terse=True),
            "publisher": "bench-raw-aiohttp",
        },
        sort_keys=True,
    )


SESSION_ID = "vs_1Pgc76B7WZ01zgkWBdQi8PTU"

SESSION: dict[str, Any] = {
    "id": SESSION_ID,
    "object": "identity.verification_session",
    "client_reference_id": "user_4242_onboarding",
    "client_secret": (
        "vs_1Pgc76B7WZ01zgkWBdQi8PTU_secret_test_YWNjdF8xUGdjNzZCN1daMDF6Z2tXLF9RWGhXMTNCMmhz"
    ),
    "created": 1767225600,
    "last_error": {
        "code": "document_unverified_other",
        "reason": "The document could not be read: the photo was blurry. Please try again.",
    },
    "last_verification_report": "vr_1Pgc76B7WZ01zgkWq9Rp33Dj",
    "livemode": False,
    "metadata": {
        "user_id": "4242",
        "order_id": "ord_9f8e7d6c5b4a",
        "plan": "pro_annual",
        "signup_source": "mobile_web",
        "risk_band": "medium",
    },
    "options": {
        "document": {
            "allowed_types": ["driving_license", "passport", "id_card"],
            "require_id_number": False,
            "require_live_capture": True,
            "require_matching_selfie": True,
        },
        "email": {"require_verification": False},
        "phone": {"require_verification": False},
        "matching": {"dob": "similar", "name": "similar"},
    },
    "provided_details": {"email": "jenny.rosen@example.com", "phone": "+15555550123"},
    "redaction": None,
    "related_customer": "cus_QXhW13B2hsHOm43J",
    "related_customer_account": None,
    "related_person": {"account": "acct_1Pgc76B7WZ01zgkW", "person": "person_1Pgc76B7WZ01zgkWq9Rp"},
    "status": "requires_input",
    "type": "document",
    "url": "https://verify.stripe.com/start/test_YWNjdF8xUGdjNzZCN1daMDF6Z2tXLF9RWGhXMTNCMmhzSE9tNDNKdFVnczBmMHcw",
    "verification_flow": None,
    "verified_outputs": None,
}


def _pretty(obj: Any) -> bytes:
    return (json.dumps(obj, indent=2) + "\n").encode()


SESSION_BODY = _pretty(SESSION)

#: A realistic nested create: a mapping, the way most callers pass it.
CREATE_PARAMS: si.VerificationSessionCreateParamsDict = {
    "type": "document",
    "client_reference_id": "user_4242_onboarding",
    "metadata": {
        "user_id": "4242",
        "order_id": "ord_9f8e7d6c5b4a",
        "plan": "pro_annual",
        "signup_source": "mobile_web",
    },
    "options": {
        "document": {
            "allowed_types": ["driving_license", "passport", "id_card"],
            "require_id_number": False,
            "require_live_capture": True,
            "require_matching_selfie": True,
        }
    },
    "provided_details": {"email": "jenny.rosen@example.com", "phone": "+15555550123"},
    "return_url": "https://example.com/identity/return?user=4242",
}

#: The same params flattened by hand, in the SDK's (sorted) order: what a raw aiohttp caller writes.
CREATE_FORM_PAIRS: list[tuple[str, str]] = [
    ("client_reference_id", "user_4242_onboarding"),
    ("metadata[order_id]", "ord_9f8e7d6c5b4a"),
    ("metadata[plan]", "pro_annual"),
    ("metadata[signup_source]", "mobile_web"),
    ("metadata[user_id]", "4242"),
    ("options[document][allowed_types][0]", "driving_license"),
    ("options[document][allowed_types][1]", "passport"),
    ("options[document][allowed_types][2]", "id_card"),
    ("options[document][require_id_number]", "false"),
    ("options[document][require_live_capture]", "true"),
    ("options[document][require_matching_selfie]", "true"),
    ("provided_details[email]", "jenny.rosen@example.com"),
    ("provided_details[phone]", "+15555550123"),
    ("return_url", "https://example.com/identity/return?user=4242"),
    ("type", "document"),
]


def create_form_body() -> bytes:
    """The raw client's body, encoded per request as hand-written code would (stdlib urlencode)."""
    # safe="[]" keeps brackets literal, as the SDKs do: the bytes match the SDK's exactly.
    return urlencode(CREATE_FORM_PAIRS, safe="[]").encode("ascii")
