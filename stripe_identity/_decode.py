"""Turning a :class:`Response` into a model, or into the typed error it stands for.

Whatever the API (or a proxy in front of it) sends back, the caller gets a model or a
:class:`StripeError` carrying the status and ``Request-Id``: never a JSON or cattrs exception.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import orjson

from ._converter import converter
from ._errors import (
    APIError,
    AuthenticationError,
    IdempotencyError,
    InvalidRequestError,
    PermissionDeniedError,
    RateLimitError,
    StripeError,
)
from ._models import APIResource, ErrorObject, RawObject
from ._response import Response, ResponseMeta

__all__ = ["decode_model", "decode_raw", "error_from_response", "redact_key"]

T = TypeVar("T", bound=APIResource)

_set = object.__setattr__
# The converter's hook per model class, looked up once instead of dispatched on every response.
_HOOKS: dict[Any, Callable[[Any, Any], Any]] = {}


def decode_model(response: Response, cls: type[T]) -> T:
    """The model in a 2xx response, or the error a non-2xx response describes."""
    if not 200 <= response.status < 300:
        raise error_from_response(response)
    try:
        data = orjson.loads(response.body)
    except orjson.JSONDecodeError:
        raise _unusable(response, "a body that is not JSON") from None
    hook = _HOOKS.get(cls)
    if hook is None:
        hook = _HOOKS[cls] = converter.get_structure_hook(cls)
    try:
        obj: T = hook(data, cls)
    except Exception as exc:  # cattrs, TypeError, KeyError...: all mean "not the documented shape"
        raise _unusable(response, f"an unexpected shape ({type(exc).__name__}: {exc})") from None
    # ResponseMeta is built when last_response is first read (see PendingMeta).
    key = response.request.headers.get("Idempotency-Key")
    _set(obj, "_last_response", (response.status, response.headers, key))
    return obj


def decode_raw(response: Response) -> RawObject:
    """The JSON object in a 2xx response, as a dict; or the error a non-2xx response describes."""
    if not 200 <= response.status < 300:
        raise error_from_response(response)
    try:
        data = orjson.loads(response.body)
    except orjson.JSONDecodeError:
        raise _unusable(response, "a body that is not JSON") from None
    if not isinstance(data, dict):
        raise _unusable(response, f"a JSON {type(data).__name__} instead of an object")
    obj = RawObject(data)
    obj.last_response = ResponseMeta.of(response)
    return obj


def _unusable(response: Response, what: str) -> APIError:
    return APIError(
        f"HTTP {response.status} response to {response.request.method} {response.request.path} "
        f"has {what}",
        http_status=response.status,
        request_id=response.request_id,
        idempotency_key=response.request.idempotency_key,
        headers=response.headers,
    )


def _api_key_of(response: Response) -> str | None:
    auth = response.request.headers.get("Authorization", "")
    return auth[7:] if auth.startswith("Bearer ") and len(auth) > 7 else None


def redact_key(text: str, api_key: str | None) -> str:
    """Replace any echo of the API key (a proxy might echo headers) with a masked form."""
    if api_key and api_key in text:
        return text.replace(api_key, api_key[:8] + "*" * 4)
    return text


def error_from_response(response: Response) -> StripeError:
    """Build the error for a non-2xx response from its status and (if any) Stripe error body."""
    status = response.status
    text = redact_key(response.body.decode("utf-8", "replace"), _api_key_of(response))
    body: Any
    try:
        body = orjson.loads(text)
    except orjson.JSONDecodeError:
        body = None
    error: ErrorObject | None = None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        try:
            error = converter.structure(body["error"], ErrorObject)
        except Exception:  # a malformed error object still leaves us the status and the body
            error = None
    if error is not None and error.message:
        message = error.message
    elif body is None and text.strip():
        snippet = text.strip()[:200].encode("unicode_escape").decode("ascii")
        message = f"HTTP {status} with a body that is not JSON: {snippet}"
    else:
        message = f"HTTP {status} with no error message"

    cls: type[StripeError]
    if error is not None and error.type == "idempotency_error":
        cls = IdempotencyError
    elif status in (400, 404):
        cls = InvalidRequestError
    elif status == 401:
        cls = AuthenticationError
    elif status == 403:
        cls = PermissionDeniedError
    elif status == 429:
        cls = RateLimitError
    else:
        cls = APIError
    return cls(
        message,
        http_status=status,
        code=error.code if error else None,
        param=error.param if error else None,
        request_id=response.request_id,
        idempotency_key=response.request.idempotency_key,
        json_body=body if isinstance(body, dict) else None,
        headers=response.headers,
        error=error,
    )
