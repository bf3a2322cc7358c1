"""Params of the ephemeral key, file, file link and event operations, as the spec defines them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import attrs

from ._common import CreatedFilter, MetadataParam, Timestamp

__all__ = [
    "EphemeralKeyCreateParams",
    "EphemeralKeyDeleteParams",
    "EventListParams",
    "EventRetrieveParams",
    "FileLinkCreateParams",
    "FileLinkListParams",
    "FileLinkRetrieveParams",
    "FileLinkUpdateParams",
    "FileListParams",
    "FileRetrieveParams",
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


@attrs.frozen(kw_only=True)
class EventListParams:
    """Params of ``GET /v1/events`` (``type`` accepts a ``*`` wildcard; ``types`` up to 20 names)."""

    created: Timestamp | CreatedFilter | None = None
    delivery_success: bool | None = None
    ending_before: str | None = None
    expand: Sequence[str] | None = None
    limit: int | None = None
    starting_after: str | None = None
    type: str | None = None
    types: Sequence[str] | None = None


@attrs.frozen(kw_only=True)
class EventRetrieveParams:
    """Params of ``GET /v1/events/{id}``."""

    expand: Sequence[str] | None = None


@attrs.frozen(kw_only=True)
class FileListParams:
    """Params of ``GET /v1/files``."""

    created: Timestamp | CreatedFilter | None = None
    ending_before: str | None = None
    expand: Sequence[str] | None = None
    limit: int | None = None
    purpose: str | None = None
    starting_after: str | None = None


@attrs.frozen(kw_only=True)
class FileRetrieveParams:
    """Params of ``GET /v1/files/{file}``."""

    expand: Sequence[str] | None = None


@attrs.frozen(kw_only=True)
class FileLinkCreateParams:
    """Params of ``POST /v1/file_links`` (Identity images: ``expires_at`` within 30 seconds)."""

    file: str
    expires_at: Timestamp | None = None
    expand: Sequence[str] | None = None
    metadata: MetadataParam | None = None


@attrs.frozen(kw_only=True)
class FileLinkUpdateParams:
    """Params of ``POST /v1/file_links/{link}``: ``expires_at="now"`` expires it at once."""

    expires_at: Timestamp | Literal["now", ""] | None = None
    expand: Sequence[str] | None = None
    metadata: MetadataParam | None = None


@attrs.frozen(kw_only=True)
class FileLinkListParams:
    """Params of ``GET /v1/file_links``."""

    created: Timestamp | CreatedFilter | None = None
    ending_before: str | None = None
    expand: Sequence[str] | None = None
    expired: bool | None = None
    file: str | None = None
    limit: int | None = None
    starting_after: str | None = None


@attrs.frozen(kw_only=True)
class FileLinkRetrieveParams:
    """Params of ``GET /v1/file_links/{link}``."""

    expand: Sequence[str] | None = None
