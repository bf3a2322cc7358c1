"""The ephemeral key, file, file link and event params as ``TypedDict``s, for plain-dict callers.

Same contract as ``_verification_dicts``: each ``<Name>ParamsDict`` mirrors the attrs class
``<Name>Params``, closes the spec's enums, and is for type checkers only (any mapping still works).
"""

from __future__ import annotations

from typing import Literal, TypedDict

from .._models import File, VerificationSession
from .._models._files import FilePurposeName
from ._common import CreatedFilterDict, ExpandableDict, MetadataParam, Timestamp

__all__ = [
    "EphemeralKeyCreateParamsDict",
    "EphemeralKeyDeleteParamsDict",
    "EventListParamsDict",
    "EventRetrieveParamsDict",
    "FileLinkCreateParamsDict",
    "FileLinkListParamsDict",
    "FileLinkRetrieveParamsDict",
    "FileLinkUpdateParamsDict",
    "FileListParamsDict",
    "FileRetrieveParamsDict",
]


class EphemeralKeyCreateParamsDict(ExpandableDict, total=False):
    """``EphemeralKeyCreateParams`` as a dict: ``{"verification_session": "vs_..."}``."""

    verification_session: str | VerificationSession
    customer: str
    issuing_card: str


class EphemeralKeyDeleteParamsDict(ExpandableDict, total=False):
    """``EphemeralKeyDeleteParams`` as a dict."""


class EventListParamsDict(ExpandableDict, total=False):
    """``EventListParams`` as a dict (``type`` takes a ``*`` wildcard)."""

    created: Timestamp | CreatedFilterDict
    delivery_success: bool
    ending_before: str
    limit: int
    starting_after: str
    type: str
    types: list[str] | tuple[str, ...]


class EventRetrieveParamsDict(ExpandableDict, total=False):
    """``EventRetrieveParams`` as a dict."""


class FileListParamsDict(ExpandableDict, total=False):
    """``FileListParams`` as a dict."""

    created: Timestamp | CreatedFilterDict
    ending_before: str
    limit: int
    purpose: FilePurposeName
    starting_after: str


class FileRetrieveParamsDict(ExpandableDict, total=False):
    """``FileRetrieveParams`` as a dict."""


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
