"""From a service call to a model: build the :class:`Request`, run the pipeline, decode the answer.

Everything that does not change between calls (headers, URL prefixes, the pipeline of
:func:`build_pipeline`) is prepared once, when the client or a ``with_options`` view is built; a call
copies a small dict, encodes its params and hands the request to that one handler.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar

import attrs

from ._decoding import decode_error, decode_model, decode_raw
from ._encoding import encode_form
from ._errors import AuthenticationError
from ._headers import (
    check_free_text_header,
    check_header_name,
    check_header_value,
    client_user_agent,
    user_agent,
)
from ._ids import check_path
from ._middleware import Handler, Middleware, build_pipeline
from ._models import APIResource, HasId, ListObject, RawObject
from ._options import NO_OPTIONS as _NO_OPTIONS, RequestOptions, to_request_options
from ._response import BodySink, Request, ResponseMeta
from ._retry import RetryMiddleware
from ._settings import Settings

__all__ = ["Base", "Requestor"]


#: Which host a path lives on: the API, or the files host (file contents).
Base = Literal["api", "files"]

_FORM = "application/x-www-form-urlencoded"

M = TypeVar("M", bound=APIResource)
L = TypeVar("L", bound=HasId)


def _no_key() -> AuthenticationError:
    return AuthenticationError(
        "No API key provided. Pass api_key= to the client (or in RequestOptions), "
        "or set the STRIPE_API_KEY environment variable."
    )


def _headers_of(settings: Settings, aiohttp_version: str) -> dict[str, str]:
    headers = {
        "User-Agent": user_agent(aiohttp_version, settings.app_info),
        "Accept": "application/json",
        "Stripe-Version": settings.stripe_version,
    }
    if settings.client_user_agent:
        headers["X-Stripe-Client-User-Agent"] = client_user_agent(aiohttp_version, settings.app_info)
    if settings.api_key:
        headers["Authorization"] = f"Bearer {settings.api_key}"
    if settings.stripe_account is not None:
        headers["Stripe-Account"] = settings.stripe_account
    if settings.stripe_context is not None:
        headers["Stripe-Context"] = settings.stripe_context
    headers.update(settings.default_headers)
    return headers


class Requestor:
    """Holds a client's settings and its pipeline; services call :meth:`request` and friends."""

    def __init__(
        self,
        settings: Settings,
        *,
        transport: Handler,
        pacing: Middleware | None,
        aiohttp_version: str,
    ) -> None:
        self.settings = settings
        self._bases = {"api": settings.api_base, "files": settings.files_base}
        self._api_base = settings.api_base
        self._max_retries = settings.max_retries
        self._timeout = settings.timeout
        self._handler = build_pipeline(
            transport,
            retry=RetryMiddleware(settings.retry_policy),
            pacing=pacing,
            operation_middlewares=settings.operation_middlewares,
            middlewares=settings.middlewares,
        )
        self._get_headers = _headers_of(settings, aiohttp_version)
        self._post_headers = {**self._get_headers, "Content-Type": _FORM}

    def build(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | Any | None,
        opts: RequestOptions,
        template: str = "",
        base: Base = "api",
        sink: BodySink | None = None,
    ) -> Request:
        """The :class:`Request` for one call, with the client's settings and ``opts`` applied."""
        # The key goes wherever the URL points: a path that could leave the base is refused here.
        url = (self._api_base if base == "api" else self._bases[base]) + check_path(path)
        encoded = "" if params is None else encode_form(params)
        is_post = method == "POST"
        headers = (self._post_headers if is_post else self._get_headers).copy()
        if opts is not _NO_OPTIONS:  # most calls pass no options: skip the checks
            _apply(headers, opts, is_post)
        if "Authorization" not in headers:
            raise _no_key()
        body = None
        if is_post:
            body = encoded.encode("ascii")
        elif encoded:
            url = f"{url}?{encoded}"
        return Request(
            method,
            url,
            path,
            headers,
            body,
            opts.timeout if opts.timeout is not None else self._timeout,
            opts.max_retries if opts.max_retries is not None else self._max_retries,
            template or path,
            0,
            sink,
        )

    async def request(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | Any | None,
        opts: RequestOptions | Mapping[str, Any] | None,
        cls: type[M],
        template: str = "",
    ) -> M:
        request = self.build(method, path, params, to_request_options(opts), template)
        return decode_model(await self._handler(request), cls)

    async def request_list(
        self,
        path: str,
        params: Mapping[str, Any] | Any | None,
        opts: RequestOptions | Mapping[str, Any] | None,
        item_cls: type[L],
    ) -> ListObject[L]:
        """GET a list page, bound to this requestor so it can fetch the pages around it."""
        options = to_request_options(opts)
        page_params = _as_dict(params)
        list_type: Any = ListObject[item_cls]  # type: ignore[valid-type]

        async def fetch(next_params: Mapping[str, Any]) -> ListObject[L]:
            request = self.build("GET", path, next_params, options)
            page: ListObject[L] = decode_model(await self._handler(request), list_type)
            object.__setattr__(page, "_fetch", fetch)
            object.__setattr__(page, "_params", next_params)
            return page

        return await fetch(page_params)

    async def request_raw(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | Any | None,
        opts: RequestOptions | Mapping[str, Any] | None,
        base: Base,
    ) -> RawObject:
        """Any endpoint, through the same pipeline: the decoded JSON object, with ``last_response``."""
        request = self.build(method.upper(), path, params, to_request_options(opts), base=base)
        # Any path the caller chose, ids included: no template names it (see Request.path_template).
        return decode_raw(await self._handler(attrs.evolve(request, path_template="")))

    async def stream(
        self,
        path: str,
        opts: RequestOptions | Mapping[str, Any] | None,
        sink: BodySink,
        template: str,
        base: Base = "files",
    ) -> ResponseMeta:
        """GET ``path`` with its success body written to ``sink`` instead of memory."""
        request = self.build("GET", path, None, to_request_options(opts), template, base, sink)
        response = await self._handler(request)
        if not 200 <= response.status < 300:
            raise decode_error(response)
        return ResponseMeta.of(response)


def _apply(headers: dict[str, str], opts: RequestOptions, is_post: bool) -> None:
    if opts.api_key is not None:
        if opts.api_key:
            headers["Authorization"] = f"Bearer {check_header_value('api_key', opts.api_key)}"
        else:  # an empty key is a missing key, not "Bearer "
            headers.pop("Authorization", None)
    if opts.stripe_account is not None:
        headers["Stripe-Account"] = check_header_value("stripe_account", opts.stripe_account)
    if opts.stripe_context is not None:
        headers["Stripe-Context"] = check_header_value("stripe_context", opts.stripe_context)
    if opts.stripe_version is not None:
        headers["Stripe-Version"] = check_header_value("stripe_version", opts.stripe_version)
    if opts.idempotency_key is not None and is_post:
        headers["Idempotency-Key"] = check_header_value("idempotency_key", opts.idempotency_key)
    if opts.headers:
        for name, value in opts.headers.items():
            headers[check_header_name(name)] = check_free_text_header(name, value)


def _as_dict(params: Mapping[str, Any] | Any | None) -> dict[str, Any]:
    """Params as a shallow dict, so that paging can set its cursor on a copy."""
    if params is None:
        return {}
    if isinstance(params, Mapping):
        return dict(params)
    if attrs.has(type(params)):
        return {k: v for k, v in attrs.asdict(params, recurse=False).items() if v is not None}
    raise TypeError(f"params must be a mapping or a params class, not {type(params).__name__}")
