"""Everything that turns bytes from the API (or a webhook) into what the caller gets.

Five entry points, used by every part of the SDK that reads JSON:

* :func:`decode_model`: a response into a model (a session, a page of them...), with the response's
  metadata attached;
* :func:`decode_raw`: a response into a plain dict, for ``raw_request``;
* :func:`decode_error`: a non-2xx response into the typed error it stands for;
* :func:`decode_event`: a webhook payload into an :class:`~stripe_identity.Event`;
* :func:`decode_event_notification`: an event destination's thin payload into an
  :class:`~stripe_identity.EventNotification`.

Whatever the API, a proxy or a sender puts in front of them, the caller gets a model or a
:class:`StripeError` carrying the status and ``Request-Id``: never a JSON or ``TypeError``. The
decoders themselves are compiled per model (:mod:`._engine`) from what :mod:`._types` says each field
type is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

import orjson

from .._errors import (
    APIError,
    AuthenticationError,
    IdempotencyError,
    InvalidRequestError,
    PermissionDeniedError,
    RateLimitError,
    StripeError,
)
from .._models import APIResource, ErrorObject, RawObject
from .._response import Response, ResponseMeta
from ._engine import structure

if TYPE_CHECKING:
    from .._models import Event, EventNotification

__all__ = [
    "decode_error",
    "decode_event",
    "decode_event_notification",
    "decode_model",
    "decode_raw",
    "structure",
]

T = TypeVar("T", bound=APIResource)

_set = object.__setattr__


def decode_model(response: Response, cls: type[T]) -> T:
    """The model in a 2xx response, or the error a non-2xx response describes."""
    data = _json_of(response)
    try:
        obj: T = structure(data, cls)
    except Exception as exc:  # TypeError, KeyError...: all mean "not the documented shape"
        raise _unusable(response, f"an unexpected shape ({type(exc).__name__}: {exc})") from None
    _set(obj, "_last_response", ResponseMeta.of(response))
    return obj


def decode_raw(response: Response) -> RawObject:
    """The JSON object in a 2xx response, as a dict; or the error a non-2xx response describes."""
    data = _json_of(response)
    if not isinstance(data, dict):
        raise _unusable(response, f"a JSON {type(data).__name__} instead of an object")
    obj = RawObject(data)
    obj.last_response = ResponseMeta.of(response)
    return obj


def decode_event(payload: bytes | dict[str, Any]) -> Event:
    """A webhook payload (bytes, or its JSON object) as an event; ``ValueError`` (with the reason)
    when it is not one."""
    from .._models.events import Event  # a webhook's models, not every response's

    data = _payload_json(payload)
    if data.get("object") == "v2.core.event":
        raise ValueError(
            "the payload is a thin event notification: read it with parse_event_notification"
        )
    if data.get("object") != "event":
        raise ValueError("the payload is not an event object")
    try:
        event: Event = structure(data, Event)
    except Exception as exc:
        raise ValueError(f"the payload is a malformed event ({type(exc).__name__}: {exc})") from None
    return event


def decode_event_notification(payload: bytes | dict[str, Any]) -> EventNotification:
    """An event destination's thin payload (bytes, or its JSON object) as a notification;
    ``ValueError`` (with the reason) when it is not one."""
    from .._models.thin_events import EventNotification

    data = _payload_json(payload)
    if data.get("object") == "event":
        raise ValueError("the payload is a snapshot event, not a thin one: read it with construct_event")
    if data.get("object") != "v2.core.event":
        raise ValueError("the payload is not a thin event notification (object 'v2.core.event')")
    try:
        notification: EventNotification = structure(data, EventNotification)
    except Exception as exc:
        raise ValueError(
            f"the payload is a malformed notification ({type(exc).__name__}: {exc})"
        ) from None
    return notification


def _payload_json(payload: bytes | dict[str, Any]) -> dict[str, Any]:
    if isinstance(payload, dict):
        return payload
    try:
        data = orjson.loads(payload)
    except orjson.JSONDecodeError:
        raise ValueError("the payload is not JSON") from None
    if not isinstance(data, dict):
        raise ValueError("the payload is not a JSON object")
    return data


def _json_of(response: Response) -> Any:
    if not 200 <= response.status < 300:
        raise decode_error(response)
    try:
        return orjson.loads(response.body)
    except orjson.JSONDecodeError:
        raise _unusable(response, "a body that is not JSON") from None


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


def _redact_key(text: str, api_key: str | None) -> str:
    """Replace any echo of the API key (a proxy might echo headers) with a masked form."""
    if api_key and api_key in text:
        return text.replace(api_key, api_key[:8] + "*" * 4)
    return text


_ERRORS_BY_STATUS: dict[int, type[StripeError]] = {
    400: InvalidRequestError,
    404: InvalidRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    429: RateLimitError,
}


def decode_error(response: Response) -> StripeError:
    """The error a non-2xx response stands for, from its status and (if any) Stripe error body."""
    status = response.status
    text = _redact_key(response.body.decode("utf-8", "replace"), _api_key_of(response))
    body: Any
    try:
        body = orjson.loads(text)
    except orjson.JSONDecodeError:
        body = None
    error: ErrorObject | None = None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        try:
            error = structure(body["error"], ErrorObject)
        except Exception:  # a malformed error object still leaves us the status and the body
            error = None
    if error is not None and error.message:
        message = error.message
    elif body is None and text.strip():
        snippet = text.strip()[:200].encode("unicode_escape").decode("ascii")
        message = f"HTTP {status} with a body that is not JSON: {snippet}"
    else:
        message = f"HTTP {status} with no error message"
    if error is not None and error.type == "idempotency_error":
        cls: type[StripeError] = IdempotencyError
    else:
        cls = _ERRORS_BY_STATUS.get(status, APIError)
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
