"""Events as Stripe writes them: what caused each one, whose it is, and the API version it speaks.

* ``request``: for a change an API request made (a create, an update, a cancel, the cancel of a
  redaction), ``id`` is the ``Request-Id`` the emulator answered that request with and
  ``idempotency_key`` its ``Idempotency-Key`` header (``null`` without one). Both are ``null`` for
  what happens without an API request: the end user's submission (on the verification page,
  ``Emulator.submit`` or its control route) and what follows it, and a redaction completing.
* ``account``: the connected account the object belongs to (absent for the platform's own events),
  and ``context`` the same id: what a platform needs to fetch the object (see ``_accounts``).
* ``api_version``: the account's default API version when the event was created, the version
  ``data.object`` is rendered in; ``/v1/events`` answers each event with it, whatever version the
  request asks for. A webhook endpoint registered with an ``api_version`` gets its events with that
  version (see ``_webhooks``).
"""

from __future__ import annotations

import copy
from typing import Any

import attrs

from ._context import Call

__all__ = ["AUTOMATIC", "Cause", "cause_of", "event_object"]


@attrs.frozen
class Cause:
    """The API request behind a change, or none (:data:`AUTOMATIC`)."""

    request_id: str | None = None
    idempotency_key: str | None = None

    def request(self) -> dict[str, str | None]:
        """The event's ``request`` field."""
        return {"id": self.request_id, "idempotency_key": self.idempotency_key}


#: What happened without an API request asking for it.
AUTOMATIC = Cause()


def cause_of(call: Call) -> Cause:
    """The cause of the changes an API request makes: its request id and idempotency key."""
    return Cause(call.request_id, call.request.headers.get("Idempotency-Key") or None)


def event_object(
    *,
    event_id: str,
    kind: str,
    obj: dict[str, Any],
    created: int,
    api_version: str,
    cause: Cause,
    account: str | None,
) -> dict[str, Any]:
    """An ``event`` of ``kind`` (``identity.verification_session.created``...) about ``obj``, as it
    looked then (a copy: later changes do not show)."""
    event: dict[str, Any] = {
        "api_version": api_version,
        "created": created,
        "data": {"object": copy.deepcopy(obj)},
        "id": event_id,
        "livemode": False,
        "object": "event",
        "pending_webhooks": 0,
        "request": cause.request(),
        "type": kind,
    }
    if account is not None:
        event["account"] = event["context"] = account
    return dict(sorted(event.items()))
