"""Params of the FileLink operations, as attrs classes and as ``TypedDict``s."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, TypedDict

import attrs

from .._models import File
from ._common import CreatedFilter, CreatedFilterDict, ExpandableDict, MetadataParam, Timestamp

__all__ = [
    "FileLinkCreateParams",
    "FileLinkCreateParamsDict",
    "FileLinkListParams",
    "FileLinkListParamsDict",
    "FileLinkRetrieveParams",
    "FileLinkRetrieveParamsDict",
    "FileLinkUpdateParams",
    "FileLinkUpdateParamsDict",
]


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


# ``file`` is the one key the spec requires of any operation here: a total base holds it, so this
# needs no ``Required[...]`` (typing has it from 3.11 only).
class _FileLinkCreateRequired(TypedDict):
    file: str | File


class FileLinkCreateParamsDict(_FileLinkCreateRequired, ExpandableDict, total=False):
    """``FileLinkCreateParams`` as a dict: ``file`` is required (a file model stands for its id)."""

    expires_at: Timestamp
    metadata: MetadataParam


class FileLinkUpdateParamsDict(ExpandableDict, total=False):
    """``FileLinkUpdateParams`` as a dict: ``{"expires_at": "now"}`` expires the link at once."""

    expires_at: Timestamp | Literal["now", ""]
    metadata: MetadataParam


class FileLinkListParamsDict(ExpandableDict, total=False):
    """``FileLinkListParams`` as a dict (a file model stands for its id)."""

    created: Timestamp | CreatedFilterDict
    ending_before: str
    expired: bool
    file: str | File
    limit: int
    starting_after: str


class FileLinkRetrieveParamsDict(ExpandableDict, total=False):
    """``FileLinkRetrieveParams`` as a dict."""
