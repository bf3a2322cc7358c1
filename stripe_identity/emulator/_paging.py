"""Lists as Stripe pages them: newest first, ``limit`` 1-100, one cursor at a time, and filters.

Objects are dicts kept in a table, with their ids in creation order beside it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ._failures import invalid, not_found
from ._validate import UNSET

__all__ = ["Matcher", "created_matches", "field_filter", "list_object", "page"]

Matcher = Callable[[dict[str, Any]], bool]


def _given(value: Any) -> bool:
    return value is not None and value is not UNSET


def page(
    order: list[str],
    table: dict[str, dict[str, Any]],
    kind: str,
    params: dict[str, Any],
    matches: Matcher,
) -> tuple[list[dict[str, Any]], bool]:
    """One page newest first, honouring ``limit``, ``starting_after`` and ``ending_before``."""
    limit = params.get("limit", 10)
    if not 1 <= limit <= 100:
        raise invalid("limit", "Invalid limit: must be between 1 and 100")
    after: Any = params.get("starting_after")
    before: Any = params.get("ending_before")
    if _given(after) and _given(before):
        raise invalid(
            "starting_after",
            "Received both starting_after and ending_before parameters. Please pass in only one.",
        )
    positions: Iterable[int] = range(len(order) - 1, -1, -1)  # newest first
    if _given(after):
        positions = range(_position(order, table, kind, after, "starting_after") - 1, -1, -1)
    elif _given(before):
        cursor = _position(order, table, kind, before, "ending_before")
        # Walk up from the cursor, then present the page newest first.
        newer = [table[order[i]] for i in range(cursor + 1, len(order))]
        found = [item for item in newer if matches(item)]
        return found[:limit][::-1], len(found) > limit
    found = []
    for index in positions:
        item = table[order[index]]
        if matches(item):
            if len(found) == limit:
                return found, True
            found.append(item)
    return found, False


def _position(
    order: list[str], table: dict[str, dict[str, Any]], kind: str, cursor: str, param: str
) -> int:
    if cursor not in table:
        raise not_found(kind, cursor, param, status=400)
    return order.index(cursor)


def list_object(url: str, data: list[dict[str, Any]], has_more: bool) -> dict[str, Any]:
    return {"object": "list", "data": data, "has_more": has_more, "url": url}


def created_matches(created: Any) -> Matcher:
    if not _given(created):
        return lambda item: True
    if isinstance(created, int):
        return lambda item: bool(item["created"] == created)
    bounds = {k: v for k, v in created.items() if v is not UNSET}

    def check(item: dict[str, Any]) -> bool:
        value = item["created"]
        return (
            ("gt" not in bounds or value > bounds["gt"])
            and ("gte" not in bounds or value >= bounds["gte"])
            and ("lt" not in bounds or value < bounds["lt"])
            and ("lte" not in bounds or value <= bounds["lte"])
        )

    return check


def field_filter(params: dict[str, Any], names: tuple[str, ...], *more: Matcher) -> Matcher:
    """Items whose fields equal the params of those names, created in range, and passing ``more``."""
    wanted = {name: params[name] for name in names if _given(params.get(name))}
    created = created_matches(params.get("created"))

    def matches(item: dict[str, Any]) -> bool:
        return (
            created(item)
            and all(item.get(k) == v for k, v in wanted.items())
            and all(extra(item) for extra in more)
        )

    return matches
