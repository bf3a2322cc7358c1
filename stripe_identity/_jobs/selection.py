"""Which sessions a bulk job covers, and how it walks them.

A :class:`Selection` is the list endpoint's own filters (``created``, ``client_reference_id``,
``related_customer`` ...) plus the statuses to keep. The endpoint filters on one ``status`` at most:
one status is sent as that filter, several are kept by the job as it reads each page. The job owns
the paging, so ``starting_after`` and ``ending_before`` are refused, and the expansions are the job's
to choose.

Sessions are walked newest first, 100 to a page, from a cursor (the id of the last session already
handled); :meth:`Selection.key` is the selection in one canonical string, which a checkpoint records
to recognise the same job when it is run again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from .._encoding import encode_form
from .._models import VerificationSession
from .._requestor import _as_dict

if TYPE_CHECKING:
    # Typing only: the services import the jobs (client.jobs), not the other way round.
    from .._resources.verification_sessions import AsyncVerificationSessionService

__all__ = ["PAGE_SIZE", "REDACTABLE", "Selection", "count_selected", "skip_reason"]

#: Sessions per list call: the most the endpoint gives, so the fewest requests.
PAGE_SIZE = 100

#: The statuses Stripe redacts (a ``requires_input`` session is canceled as it is redacted).
REDACTABLE = ("requires_input", "verified")

_OWNED = ("starting_after", "ending_before", "expand")


@attrs.frozen
class Selection:
    """The list filters a job sends, and the statuses it keeps (``None``: every status)."""

    filters: Mapping[str, Any]
    statuses: tuple[str, ...] | None = None

    @classmethod
    def of(cls, params: Mapping[str, Any] | Any | None, statuses: Sequence[str] | None) -> Selection:
        """The selection of a job's ``params`` (list params) and ``statuses``; bad input raises
        ``ValueError`` or ``TypeError`` before anything is sent."""
        filters = _as_dict(params)
        owned = [name for name in _OWNED if filters.get(name) is not None]
        if owned:
            raise ValueError(
                f"a bulk job pages and expands by itself: leave {', '.join(owned)} out of its params"
            )
        filters.pop("limit", None)
        if statuses is not None:
            if isinstance(statuses, str) or not all(isinstance(s, str) and s for s in statuses):
                raise TypeError("statuses must be a list of status names, such as ['verified']")
            if not statuses:
                raise ValueError("statuses is empty: it would select no session (None selects all)")
            if filters.get("status") is not None:
                raise ValueError("give the status in params or in statuses, not in both")
            wanted = tuple(sorted(set(statuses)))
            if len(wanted) == 1:
                filters["status"] = wanted[0]
                wanted = ()
            return cls({k: v for k, v in filters.items() if v is not None}, wanted or None)
        return cls({k: v for k, v in filters.items() if v is not None}, None)

    def key(self) -> str:
        """The selection as one canonical string (the filters' form encoding, keys sorted)."""
        statuses = {"statuses": list(self.statuses)} if self.statuses else {}
        return encode_form({**self.filters, **statuses})

    def selects(self, session: VerificationSession) -> bool:
        """Whether a listed session is one of the job's (the statuses the API could not filter)."""
        return self.statuses is None or session.status in self.statuses

    def list_params(self, after: str | None, expand: Sequence[str] = ()) -> Any:
        """The params of the first list call (the filters checked by :meth:`of`, as a mapping)."""
        params = {**self.filters, "limit": PAGE_SIZE}
        if after is not None:
            params["starting_after"] = after
        if expand:
            params["expand"] = list(expand)
        return params

    async def sessions(
        self,
        service: AsyncVerificationSessionService,
        after: str | None,
        expand: Sequence[str] = (),
    ) -> AsyncIterator[VerificationSession]:
        """Every listed session after ``after`` (all of them from ``None``), newest first; the caller
        keeps or drops each with :meth:`selects`.

        At most one page is held: each session is let go once handed over, and the next page is
        fetched with nothing of the last one kept (walking a page's ``auto_paging_iter`` would hold
        the old page while it fetches the new one, twice the memory).
        """
        while True:
            page = await service.list(self.list_params(after, expand))
            more, left = page.has_more, page.data[::-1]
            del page
            if not left:
                return
            after = left[0].id
            while left:
                yield left.pop()
            if not more:
                return


def skip_reason(session: VerificationSession) -> str | None:
    """Why a selected session is not redacted (``None``: it is to be redacted).

    ``already_redacted`` once a redaction is under way or done; ``status:<status>`` for a status
    Stripe does not redact (``processing`` and ``canceled`` today).
    """
    if session.redaction is not None:
        return "already_redacted"
    if session.status not in REDACTABLE:
        return f"status:{session.status}"
    return None


async def count_selected(
    service: AsyncVerificationSessionService,
    selection: Selection,
    after: str | None,
    on_page: Callable[[int], None],
) -> int:
    """How many sessions after ``after`` the selection keeps; ``on_page(count_so_far)`` after each
    page, so a long count shows progress too."""
    counted = 0
    while True:
        page = await service.list(selection.list_params(after))
        counted += sum(1 for session in page.data if selection.selects(session))
        more, after = page.has_more, page.data[-1].id if page.data else None
        del page
        on_page(counted)
        if not more or after is None:
            return counted
