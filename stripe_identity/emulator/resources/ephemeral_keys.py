"""``/v1/ephemeral_keys``: the keys Stripe's mobile Identity SDKs start a session's flow from.

A key is made for one VerificationSession and needs an explicit ``Stripe-Version`` header (the API
version of the mobile SDK that will read it; Stripe's server SDKs insist on it, and the emulator
refuses a request without it with 400 naming ``stripe_version``). Its ``secret`` (``ek_test_...``)
works as a bearer key for one thing only: retrieving that session. It stops working when the key
is deleted or after an hour. A key belongs to its session's account: its secret acts for that
account whatever header comes with it, and only that account's requests may delete it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from .._context import Call, Route
from .._failures import APIFailure, invalid, invalid_empty, missing, not_found
from .._objects import IdFactory
from .._state import State
from .._validate import UNSET

__all__ = ["EphemeralKeyStore", "routes"]

_PATH = "/v1/ephemeral_keys"
LIFETIME = 3600


class EphemeralKeyStore:
    """Every ephemeral key (each for a session of ``state``), and the secret of each."""

    def __init__(self, ids: IdFactory, clock: Callable[[], int], state: State) -> None:
        self.ids = ids
        self.clock = clock
        self.state = state
        self.reset()

    def reset(self) -> None:
        self.objects: dict[str, dict[str, Any]] = {}
        self.sessions: dict[str, str] = {}  # key id -> session id
        self.secrets: dict[str, str] = {}  # secret -> key id

    def create(self, call: Call) -> dict[str, Any]:
        if not call.request.headers.get("Stripe-Version"):
            raise invalid(
                "stripe_version",
                "Creating an ephemeral key needs an explicit API version: send the Stripe-Version "
                "header with the version of the mobile SDK that will use the key.",
            )
        params = call.params
        for other, kind in (("customer", "customer"), ("issuing_card", "issuing.card")):
            if params.get(other) not in (None, UNSET):  # "" (UNSET) asks for no owner
                raise not_found(kind, params[other], other, status=400)
        session_id = params.get("verification_session")
        if session_id is UNSET:
            raise invalid_empty("verification_session")
        if not session_id:
            raise missing("verification_session")
        self.state.session(session_id, call.account, param="verification_session", status=400)
        now = self.clock()
        key_id, secret = self.ids.object_id("ephkey"), f"ek_test_{self.ids.token(64)}"
        key = {
            "created": now,
            "expires": now + LIFETIME,
            "id": key_id,
            "livemode": False,
            "object": "ephemeral_key",
        }
        self.state.owners.claim(key_id, call.account)
        self.objects[key_id] = key
        self.sessions[key_id] = session_id
        self.secrets[secret] = key_id
        return {**key, "secret": secret}

    def delete(self, key_id: str, account: str | None) -> dict[str, Any]:
        if key_id not in self.objects or not self.state.owners.sees(account, key_id):
            raise not_found("ephemeral_key", key_id, "key")
        key = self.objects.pop(key_id)
        self.sessions.pop(key_id, None)
        for secret in [s for s, k in self.secrets.items() if k == key_id]:
            del self.secrets[secret]
        return key

    def authorize(self, secret: str, call: Call) -> str | None:
        """Let an ephemeral key's secret through only to retrieve its own session; the account
        the key acts for (its session's)."""
        key_id = self.secrets.get(secret)
        key = self.objects.get(key_id) if key_id is not None else None
        if key is None or self.clock() >= key["expires"]:
            raise APIFailure(401, "Invalid API Key provided: this ephemeral key was deleted or expired.")
        if call.operation != "retrieve" or call.ids != [self.sessions[key["id"]]]:
            raise APIFailure(
                403, "An ephemeral key may only retrieve the VerificationSession it was created for."
            )
        return self.state.owners.account_of(key["id"])


async def create(keys: EphemeralKeyStore, call: Call) -> dict[str, Any]:
    return keys.create(call)


async def delete(keys: EphemeralKeyStore, call: Call) -> dict[str, Any]:
    return keys.delete(call.ids[0], call.account)


def routes(keys: EphemeralKeyStore) -> list[Route]:
    """The ephemeral key operations, answered from ``keys``."""
    return [
        Route("POST", _PATH, "create_ephemeral_key", partial(create, keys), spec_id="PostEphemeralKeys"),
        Route(
            "DELETE",
            _PATH + "/{}",
            "delete_ephemeral_key",
            partial(delete, keys),
            spec_id="DeleteEphemeralKeysKey",
        ),
    ]
