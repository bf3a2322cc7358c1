"""Params of the File operations, as attrs classes and as ``TypedDict``s."""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from .._models.files import FilePurposeName
from ._common import CreatedFilter, CreatedFilterDict, ExpandableDict, Timestamp

__all__ = ["FileListParams", "FileListParamsDict", "FileRetrieveParams", "FileRetrieveParamsDict"]


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


class FileListParamsDict(ExpandableDict, total=False):
    """``FileListParams`` as a dict."""

    created: Timestamp | CreatedFilterDict
    ending_before: str
    limit: int
    purpose: FilePurposeName
    starting_after: str


class FileRetrieveParamsDict(ExpandableDict, total=False):
    """``FileRetrieveParams`` as a dict."""
