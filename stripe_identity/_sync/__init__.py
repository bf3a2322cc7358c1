"""The sync facade: ``StripeIdentity``, its services and its pages.

``_client.py`` and ``_resources/`` are generated from the async code by scripts/generate_sync.py;
``_base.py`` (what the sync client adds) and ``_list.py`` (its pages) are written by hand. A lazy
package (see ``_exports``): a service's module is imported when the service is first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._client import (
        StripeIdentity as StripeIdentity,
    )
    from ._list import (
        SyncListObject as SyncListObject,
    )
    from ._resources import (
        EphemeralKeyService as EphemeralKeyService,
        EventService as EventService,
        FileLinkService as FileLinkService,
        FileService as FileService,
        JobService as JobService,
        ThinEventService as ThinEventService,
        VerificationReportService as VerificationReportService,
        VerificationSessionService as VerificationSessionService,
    )
else:
    from .._exports import listing, load

    def __getattr__(name: str) -> Any:
        return load(globals(), name)

    def __dir__() -> list[str]:
        return listing(globals())
