"""The async services, one module per API resource, each a thin layer over the shared requestor."""

from __future__ import annotations

from .ephemeral_keys import AsyncEphemeralKeyService
from .events import AsyncEventService
from .file_links import AsyncFileLinkService
from .files import AsyncFileService
from .jobs import AsyncJobService
from .thin_events import AsyncThinEventService
from .verification_reports import AsyncVerificationReportService
from .verification_sessions import AsyncVerificationSessionService

__all__ = [
    "AsyncEphemeralKeyService",
    "AsyncEventService",
    "AsyncFileLinkService",
    "AsyncFileService",
    "AsyncJobService",
    "AsyncThinEventService",
    "AsyncVerificationReportService",
    "AsyncVerificationSessionService",
]
