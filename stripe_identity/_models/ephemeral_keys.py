"""EphemeralKey: what a mobile app needs to start a VerificationSession's native flow."""

from __future__ import annotations

from typing import Literal

import attrs

from ._base import APIResource

__all__ = ["EphemeralKey"]


@attrs.frozen(kw_only=True, slots=False, eq=False, repr=False)
class EphemeralKey(APIResource):
    """A short-lived key bound to one VerificationSession, for Stripe's iOS and Android SDKs.

    Hand ``secret`` (with the session id) to the app; it is single-use and expires at ``expires``.
    ``secret`` is present on the object ``create`` returns only, and never shown in a ``repr``.
    """

    id: str
    object: Literal["ephemeral_key"] | str
    created: int
    expires: int
    livemode: bool
    secret: str | None = attrs.field(default=None, repr=False)
