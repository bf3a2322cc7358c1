"""From a service call to a model: build the :class:`Request`, run the pipeline, decode the answer.

Everything that does not change between calls (headers, URL prefix, the middleware chain) is prepared
once, when the client is built; a call copies a small dict and encodes its params.
"""

from __future__ import annotations

import os
import platform
from collections.abc import Mapping
from importlib.metadata import version
from typing import Any, TypeVar

import attrs

from ._decode import decode_model
from ._encoding import encode_form
from ._errors import AuthenticationError
from ._list import ListObject
from ._middleware import Handler
from ._models import APIResource, VerificationReport, VerificationSession
from ._options import NO_OPTIONS as _NO_OPTIONS
from ._options import RequestOptions, to_request_options
from ._response import Request
from ._version import __version__

__all__ = [
    "DEFAULT_STRIPE_VERSION",
    "Requestor",
    "USER_AGENT",
    "check_header_value",
]

#: The API version of the spec this SDK was built from.
DEFAULT_STRIPE_VERSION = "2026-09-30.endive"

USER_AGENT = (
    f"stripe-identity-python/{__version__} aiohttp/{version('aiohttp')} "
    f"{platform.python_implementation()}/{platform.python_version()}"
)

_FORM = "application/x-www-form-urlencoded"

M = TypeVar("M", bound=APIResource)
#: What a list can hold: the objects that have ids to page by.
L = TypeVar("L", VerificationSession, VerificationReport)


def _no_key() -> AuthenticationError:
    return AuthenticationError(
        "No API key provided. Pass api_key= to the client (or in RequestOptions), "
        "or set the STRIPE_API_KEY environment variable."
    )


def check_header_value(name: str, value: str) -> str:
    """Refuse values that would corrupt the request's headers (the value itself is not echoed)."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, not {type(value).__name__}")
    if not value.isprintable() or any(c.isspace() for c in value) or not value.isascii():
        if name == "api_key":
            raise AuthenticationError(
                "The API key contains whitespace or non-printable characters; "
                "copy it again from the Dashboard."
            )
        raise ValueError(f"{name} contains whitespace or non-printable characters")
    return value


class Requestor:
    """Holds a client's settings and its pipeline; services call :meth:`request`."""

    def __init__(
        self,
        *,
        api_key: str | None,
        api_base: str,
        stripe_version: str | None,
        stripe_account: str | None,
        max_retries: int,
        timeout: float | None,
        handler: Handler,
    ) -> None:
        if api_key is None:
            api_key = os.environ.get("STRIPE_API_KEY") or None
        if api_key is not None:
            check_header_value("api_key", api_key)
        self._api_base = api_base.rstrip("/")
        self._max_retries = max_retries
        self._timeout = timeout
        self._handler = handler
        headers = {
            "User-Agent": USER_AGENT,
            "Accept": "application/json",
            "Stripe-Version": check_header_value(
                "stripe_version", stripe_version or DEFAULT_STRIPE_VERSION
            ),
        }
        if api_key is not None:
            headers["Authorization"] = f"Bearer {api_key}"
        if stripe_account is not None:
            headers["Stripe-Account"] = check_header_value("stripe_account", stripe_account)
        self._get_headers = headers
        self._post_headers = {**headers, "Content-Type": _FORM}

    def build(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | Any | None,
        opts: RequestOptions,
    ) -> Request:
        """The :class:`Request` for one call, with the client's settings and ``opts`` applied."""
        encoded = "" if params is None else encode_form(params)
        is_post = method == "POST"
        headers = (self._post_headers if is_post else self._get_headers).copy()
        if opts is not _NO_OPTIONS:  # most calls pass no options: skip the five checks
            if opts.api_key is not None:
                headers["Authorization"] = f"Bearer {check_header_value('api_key', opts.api_key)}"
            if opts.stripe_account is not None:
                headers["Stripe-Account"] = check_header_value("stripe_account", opts.stripe_account)
            if opts.stripe_version is not None:
                headers["Stripe-Version"] = check_header_value("stripe_version", opts.stripe_version)
            if opts.idempotency_key is not None and is_post:
                headers["Idempotency-Key"] = check_header_value("idempotency_key", opts.idempotency_key)
        if "Authorization" not in headers:
            raise _no_key()
        url = self._api_base + path
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
        )

    async def request(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | Any | None,
        opts: RequestOptions | Mapping[str, Any] | None,
        cls: type[M],
    ) -> M:
        request = self.build(method, path, params, to_request_options(opts))
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
            return await self._list_page(path, next_params, options, list_type, fetch)

        return await self._list_page(path, page_params, options, list_type, fetch)

    async def _list_page(
        self,
        path: str,
        params: Mapping[str, Any],
        opts: RequestOptions,
        list_type: Any,
        fetch: Any,
    ) -> ListObject[L]:
        request = self.build("GET", path, params, opts)
        page: ListObject[L] = decode_model(await self._handler(request), list_type)
        object.__setattr__(page, "_fetch", fetch)
        object.__setattr__(page, "_params", params)
        return page


def _as_dict(params: Mapping[str, Any] | Any | None) -> dict[str, Any]:
    """Params as a shallow dict, so that paging can set its cursor on a copy."""
    if params is None:
        return {}
    if isinstance(params, Mapping):
        return dict(params)
    if attrs.has(type(params)):
        return {k: v for k, v in attrs.asdict(params, recurse=False).items() if v is not None}
    raise TypeError(f"params must be a mapping or a params class, not {type(params).__name__}")
