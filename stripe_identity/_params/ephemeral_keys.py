"""Params of the ephemeral key operations, as attrs classes and as ``TypedDict``s."""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from .._models import VerificationSession
from ._common import ExpandableDict

__all__ = [
    "EphemeralKeyCreateParams",
    "EphemeralKeyCreateParamsDict",
    "EphemeralKeyDeleteParams",
    "EphemeralKeyDeleteParamsDict",
]


@attrs.frozen(kw_only=True)
class EphemeralKeyCreateParams:
    """Params of ``POST /v1/ephemeral_keys``: give ``verification_session`` for Identity.

    ``customer`` and ``issuing_card`` are the same endpoint's other uses, kept because the spec has
    them. The call also needs an explicit API version: ``opts={"stripe_version": ...}``.
    """

    verification_session: str | None = None
    customer: str | None = None
    issuing_card: str | None = None
    expand: Sequence[str] | None = None


@attrs.frozen(kw_only=True)
class EphemeralKeyDeleteParams:
    """Params of ``DELETE /v1/ephemeral_keys/{key}``."""

    expand: Sequence[str] | None = None


class EphemeralKeyCreateParamsDict(ExpandableDict, total=False):
    """``EphemeralKeyCreateParams`` as a dict: ``{"verification_session": "vs_..."}``."""

    verification_session: str | VerificationSession
    customer: str
    issuing_card: str


class EphemeralKeyDeleteParamsDict(ExpandableDict, total=False):
    """``EphemeralKeyDeleteParams`` as a dict."""
