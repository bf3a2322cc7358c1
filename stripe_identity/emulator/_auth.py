"""Who is calling: the API key of each API request, checked like Stripe checks it.

Secret (``sk_test_...``) and restricted (``rk_test_...``) test-mode keys are accepted, in a Bearer or
Basic ``Authorization`` header (as stripe-mock does); live keys and anything else get Stripe's 401.
The emulator grants a restricted key every Identity permission, including the one Stripe calls
"Access recent sensitive verification results". An ephemeral key's secret (``ek_test_...``) may only
retrieve the session it was made for, until it is deleted or expires.

The connected account a request acts for comes from ``Stripe-Account`` or ``Stripe-Context`` (see
``_accounts``); an ephemeral key acts for its session's account.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from ._accounts import account_of_headers
from ._context import Call, Caller, call_of
from ._failures import APIFailure

__all__ = ["EphemeralKeyCheck", "auth_middleware", "masked"]

Next = Callable[[web.Request], Awaitable[web.StreamResponse]]

#: Raises ``APIFailure`` unless the ephemeral key's secret (the first argument) may make the call;
#: else the connected account the key acts for (``None``: the platform).
EphemeralKeyCheck = Callable[[str, Call], str | None]

_NO_KEY = (
    "You did not provide an API key. You need to provide your API key in the Authorization "
    "header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See "
    "https://stripe.com/docs/api#authentication for details, or we can help at "
    "https://support.stripe.com/."
)

_KINDS = {"sk": "secret", "rk": "restricted"}


def masked(key: str) -> str:
    """A key as Stripe echoes it: the prefix and the last four characters."""
    return key[:8] + "*" * max(len(key) - 12, 4) + key[-4:] if len(key) > 12 else "*" * len(key)


def _key_of(header: str) -> str | None:
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() == "bearer":
        return credentials.strip() or None
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.partition(":")[0] or None
    return None


def auth_middleware(check_ephemeral_key: EphemeralKeyCheck) -> Any:
    @web.middleware
    async def auth(request: web.Request, handler: Next) -> web.StreamResponse:
        call = call_of(request)
        assert call.route is not None
        if call.route.kind in ("api", "files"):
            key = _key_of(request.headers.get("Authorization", ""))
            if key is None:
                raise APIFailure(401, _NO_KEY)
            prefix, _, rest = key.partition("_")
            mode, _, secret = rest.partition("_")
            if prefix == "ek" and mode == "test" and secret:
                call.caller = Caller("ephemeral", key, check_ephemeral_key(key, call))
            elif prefix in _KINDS and mode == "test" and secret:
                account = account_of_headers(
                    request.headers.get("Stripe-Account"), request.headers.get("Stripe-Context")
                )
                call.caller = Caller(_KINDS[prefix], key, account)  # type: ignore[arg-type]
            else:
                raise APIFailure(
                    401,
                    f"Invalid API Key provided: {masked(key)}. The emulator accepts test mode keys "
                    "only (sk_test_... or rk_test_...).",
                )
        return await handler(request)

    return auth
