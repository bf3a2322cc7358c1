"""``SyncListObject``: a page from the sync client, paging through its portal.

Hand-written: it wraps :class:`ListObject` and crosses the portal once per page, never per item.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Generic, TypeVar

from stripe_identity._models import HasId, ListObject
from stripe_identity._portal import PortalRunner
from stripe_identity._response import ResponseMeta

__all__ = ["SyncListObject"]

T = TypeVar("T", bound=HasId)


class SyncListObject(Generic[T]):
    """A page of ``data`` returned by the sync client; ``has_more`` says whether more exist.

    The sync twin of :class:`ListObject`: the same data (it wraps the async page, ``async_page``),
    with ``next_page()``, ``previous_page()`` and ``auto_paging_iter()`` that block instead of being
    awaited.
    """

    __slots__ = ("_page", "_runner")

    def __init__(self, runner: PortalRunner, page: ListObject[T]) -> None:
        self._runner = runner
        self._page = page

    @property
    def async_page(self) -> ListObject[T]:
        """The async page this one wraps."""
        return self._page

    @property
    def data(self) -> list[T]:
        """The items of this page."""
        return self._page.data

    @property
    def has_more(self) -> bool:
        """Whether the API holds more items beyond this page."""
        return self._page.has_more

    @property
    def url(self) -> str:
        """The list's path, e.g. ``/v1/identity/verification_sessions``."""
        return self._page.url

    @property
    def object(self) -> str:
        """Always ``"list"``."""
        return self._page.object

    @property
    def last_response(self) -> ResponseMeta:
        """The HTTP response this page came from."""
        return self._page.last_response

    @property
    def is_empty(self) -> bool:
        """Whether this page has no items."""
        return self._page.is_empty

    @property
    def extra_fields(self) -> Mapping[str, Any]:
        """Fields of the list object that this version of the SDK does not model."""
        return self._page.extra_fields

    def to_dict(self) -> dict[str, Any]:
        """The page as plain JSON-compatible data."""
        return self._page.to_dict()

    def __iter__(self) -> Iterator[T]:
        return iter(self._page)

    def __len__(self) -> int:
        return len(self._page)

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, SyncListObject):
            return self._page == other._page
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Sync{self._page!r}"

    def next_page(self) -> SyncListObject[T]:
        """The page after this one (an empty page when there is none)."""
        return SyncListObject(self._runner, self._runner.call(self._page.next_page))

    def previous_page(self) -> SyncListObject[T]:
        """The page before this one (an empty page when there is none)."""
        return SyncListObject(self._runner, self._runner.call(self._page.previous_page))

    def auto_paging_iter(self) -> Iterator[T]:
        """Every item of this page and of all the pages after it, fetching one page at a time."""
        page = self._page
        while True:
            yield from page._page_items()
            if not page.has_more:
                return
            page = self._runner.call(page._following_page)
            if page.is_empty:
                return
