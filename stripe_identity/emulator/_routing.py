"""Routing on the raw path: each ``{}`` of a pattern is exactly one segment, unescaped afterwards.

aiohttp's router matches the decoded path, where ``vs_1%2F..%2Fx`` would become three segments; here
it stays one id, is looked up, and is not found. Unknown paths and methods get Stripe's answers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import unquote

from aiohttp import web

from ._context import Route, call_of
from ._failures import APIFailure

__all__ = ["Router", "route_middleware"]

Next = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Router:
    """The emulator's routes, registered by each resource module."""

    def __init__(self) -> None:
        self._routes: dict[tuple[str, ...], dict[str, Route]] = {}

    def add(self, *routes: Route) -> None:
        for route in routes:
            key = tuple(route.pattern.split("/"))
            methods = self._routes.setdefault(key, {})
            if route.method in methods:
                raise ValueError(f"two routes for {route.method} {route.pattern}")
            methods[route.method] = route

    def routes(self) -> list[Route]:
        return [route for methods in self._routes.values() for route in methods.values()]

    def resolve(self, method: str, raw_path: str) -> tuple[Route, list[str]]:
        """The route and the (unescaped) ids in the path; or Stripe's 404 / 405."""
        segments = raw_path.split("/")
        for pattern, methods in self._routes.items():
            ids = _match(pattern, segments)
            if ids is None:
                continue
            route = methods.get(method)
            if route is not None:
                return route, ids
            allowed = sorted(methods)
            raise APIFailure(
                405,
                f"Unrecognized request URL ({method}: {raw_path}). This endpoint accepts "
                f"{' and '.join(allowed)} requests.",
                headers={"Allow": ", ".join(allowed)},
            )
        raise APIFailure(
            404,
            f"Unrecognized request URL ({method}: {raw_path}). If you are trying to list objects, "
            "remove the trailing slash. If you are trying to retrieve an object, make sure you "
            "passed a valid (non-empty) identifier in your code. Please see "
            "https://stripe.com/docs or we can help at https://support.stripe.com/.",
        )


def _match(pattern: tuple[str, ...], segments: list[str]) -> list[str] | None:
    if len(pattern) != len(segments):
        return None
    ids = []
    for expected, segment in zip(pattern, segments, strict=True):
        if expected == "{}":
            if not segment:
                return None
            ids.append(unquote(segment))
        elif expected != segment:
            return None
    return ids


def route_middleware(router: Router) -> Any:
    """Find the request's route and ids, and read its body (refusing one that is too large)."""

    @web.middleware
    async def route(request: web.Request, handler: Next) -> web.StreamResponse:
        call = call_of(request)
        raw_path = request.raw_path.partition("?")[0]
        call.route, call.ids = router.resolve(request.method, raw_path)
        try:
            call.body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            raise APIFailure(413, "The request body is too large.") from None
        return await handler(request)

    return route
