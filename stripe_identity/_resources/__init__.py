"""The async services, one module per API resource, each a thin layer over the shared requestor."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .ephemeral_keys import (
        AsyncEphemeralKeyService as AsyncEphemeralKeyService,
    )
    from .events import (
        AsyncEventService as AsyncEventService,
    )
    from .file_links import (
        AsyncFileLinkService as AsyncFileLinkService,
    )
    from .files import (
        AsyncFileService as AsyncFileService,
    )
    from .jobs import (
        AsyncJobService as AsyncJobService,
    )
    from .thin_events import (
        AsyncThinEventService as AsyncThinEventService,
    )
    from .verification_reports import (
        AsyncVerificationReportService as AsyncVerificationReportService,
    )
    from .verification_sessions import (
        AsyncVerificationSessionService as AsyncVerificationSessionService,
    )
else:
    from .._exports import listing, load

    def __getattr__(name: str) -> Any:
        return load(globals(), name)

    def __dir__() -> list[str]:
        return listing(globals())
