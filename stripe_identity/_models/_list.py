"""``ListObject``: one page of a list, and the way to the next ones.

Paging follows Stripe's cursors. Forward (the default) asks for ``starting_after=<last id>``; when
the first page was requested with ``ending_before`` (and no ``starting_after``), paging runs backwards
with ``ending_before=<first id>`` and yields each page's items in reverse, so the iteration keeps moving
away from the cursor.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from typing import Any, Generic, Protocol, TypeVar

import attrs

from ._base import APIResource

__all__ = ["HasId", "ListObject"]


class HasId(Protocol):
    """What a list item needs for cursor paging."""

    @property
    def id(self) -> str: ...


T = TypeVar("T", bound=HasId)

PageFetcher = Callable[[Mapping[str, Any]], Awaitable["ListObject[T]"]]


@attrs.frozen(kw_only=True, slots=False, eq=False, repr=False)
class ListObject(APIResource, Generic[T]):
    """A page of ``data``; ``has_more`` says whether the API holds more beyond it."""

    data: list[T]
    has_more: bool
    url: str
    object: str = "list"
    _fetch: PageFetcher[T] | None = attrs.field(default=None, eq=False, repr=False, alias="_fetch")
    _params: Mapping[str, Any] = attrs.field(factory=dict, eq=False, repr=False, alias="_params")

    # Models refuse iteration (StripeObject.__iter__ is None); a page is the one collection.
    def __iter__(self) -> Iterator[T]:  # type: ignore[override]
        """The items of this page only; use :meth:`auto_paging_iter` to walk every page."""
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    @property
    def is_empty(self) -> bool:
        """Whether this page has no items."""
        return not self.data

    @property
    def _backwards(self) -> bool:
        return "ending_before" in self._params and "starting_after" not in self._params

    def _page_items(self) -> Sequence[T]:
        return self.data[::-1] if self._backwards else self.data

    async def next_page(self) -> ListObject[T]:
        """The page after this one (an empty page when there is none)."""
        if not self.has_more or not self.data:
            return self._empty()
        params = {k: v for k, v in self._params.items() if k != "ending_before"}
        params["starting_after"] = self.data[-1].id
        return await self._fetch_page(params)

    async def previous_page(self) -> ListObject[T]:
        """The page before this one (an empty page when there is none)."""
        if not self.has_more or not self.data:
            return self._empty()
        params = {k: v for k, v in self._params.items() if k != "starting_after"}
        params["ending_before"] = self.data[0].id
        return await self._fetch_page(params)

    async def _following_page(self) -> ListObject[T]:
        """The next page in the direction this listing walks."""
        if self._backwards:
            return await self.previous_page()
        return await self.next_page()

    async def auto_paging_iter(self) -> AsyncIterator[T]:
        """Every item of this page and of all the pages after it, fetching one page at a time."""
        page: ListObject[T] = self
        while True:
            for item in page._page_items():
                yield item
            if not page.has_more:
                return
            page = await page._following_page()
            if page.is_empty:
                return

    async def _fetch_page(self, params: Mapping[str, Any]) -> ListObject[T]:
        if self._fetch is None:
            raise RuntimeError("this list was not returned by a client and cannot fetch pages")
        return await self._fetch(params)

    def _empty(self) -> ListObject[T]:
        return ListObject(
            data=[], has_more=False, url=self.url, _fetch=self._fetch, _params=self._params
        )
