"""File and FileLink: the document and selfie images a VerificationReport points to."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import attrs

from ._base import APIResource
from ._list import ListObject

__all__ = ["File", "FileLink"]

#: The purposes the spec lists today (a params filter takes only these).
FilePurposeName = Literal[
    "account_requirement",
    "additional_verification",
    "business_icon",
    "business_logo",
    "customer_signature",
    "dispute_evidence",
    "document_provider_identity_document",
    "finance_report_run",
    "financial_account_statement",
    "identity_document",
    "identity_document_downloadable",
    "issuing_regulatory_reporting",
    "pci_document",
    "platform_terms_of_service",
    "selfie",
    "sigma_scheduled_query",
    "tax_document_user_upload",
    "terminal_android_apk",
    "terminal_reader_splashscreen",
    "terminal_wifi_certificate",
    "terminal_wifi_private_key",
]
FilePurpose = FilePurposeName | str


@attrs.frozen(kw_only=True, slots=False, eq=False, repr=False)
class FileLink(APIResource):
    """A URL that serves a file's contents without an API key until ``expires_at``.

    Identity images need a restricted key to link, and their links must expire within 30 seconds:
    hand the ``url`` to the browser that shows the image, do not download it on your server.
    """

    id: str
    object: Literal["file_link"] | str
    created: int
    expired: bool
    file: str | File
    livemode: bool
    metadata: Mapping[str, str]
    expires_at: int | None = None
    url: str | None = None

    @property
    def file_id(self) -> str:
        """The file's id whether or not ``file`` was expanded."""
        return self.file if isinstance(self.file, str) else self.file.id


@attrs.frozen(kw_only=True, slots=False, eq=False, repr=False)
class File(APIResource):
    """A file held by Stripe: for Identity, a document image or a selfie.

    ``url`` is where the contents live on the files host (it needs an API key: use
    ``client.files.download``), or ``None`` when the purpose does not allow downloading.
    """

    id: str
    object: Literal["file"] | str
    created: int
    purpose: FilePurpose
    size: int
    expires_at: int | None = None
    filename: str | None = None
    links: ListObject[FileLink] | None = None
    title: str | None = None
    type: str | None = None
    url: str | None = None
