"""Exceptions raised by stripe_identity.

Everything the SDK raises on purpose derives from :class:`StripeError`::

    StripeError
     +-- APIError                    a response we cannot use: 5xx, 409, 3xx, an unreadable body, ...
     +-- APIConnectionError          no response at all: DNS, refused, reset, TLS, too-large body
     |    +-- APITimeoutError        the attempt ran out of time
     +-- AuthenticationError         401, or no API key configured
     +-- PermissionDeniedError       403
     +-- InvalidRequestError         400 and 404: bad params, unknown ids, wrong state
     +-- IdempotencyError            error.type == "idempotency_error" (a key reused with other params)
     +-- RateLimitError              429
     +-- SignatureVerificationError  a webhook whose signature does not check out
     |    +-- WebhookPayloadError    correctly signed, but not JSON or not an event
     +-- EventLoopError              an async client used from two running event loops at once
     +-- SharedStoreError            the store workers share (Redis) could not be reached in time
     +-- LeaseLostError              an event's lease passed to another worker before it completed

Attributes default to ``None`` when they do not apply (a connection error has no ``http_status``).
The classes present themselves as ``stripe_identity.<Name>`` (in tracebacks too), the name to import.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._models import ErrorObject

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "EventLoopError",
    "IdempotencyError",
    "InvalidRequestError",
    "LeaseLostError",
    "PermissionDeniedError",
    "RateLimitError",
    "SharedStoreError",
    "SignatureVerificationError",
    "StripeError",
    "WebhookPayloadError",
]


class StripeError(Exception):
    """Base class of every error this SDK raises on purpose."""

    def __init__(
        self,
        message: str,
        *,
        http_status: int | None = None,
        code: str | None = None,
        param: str | None = None,
        request_id: str | None = None,
        idempotency_key: str | None = None,
        json_body: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        error: ErrorObject | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.http_status = http_status
        self.code = code
        self.param = param
        self.request_id = request_id
        self.idempotency_key = idempotency_key
        self.json_body = json_body
        self.headers = headers
        self.error = error

    @property
    def user_message(self) -> str:
        """The message (stripe-python's spelling, for code written against it)."""
        return self.message

    @property
    def http_body(self) -> str | None:
        """The error body as text, when there was a JSON body (stripe-python's spelling)."""
        if self.json_body is None:
            return None
        import json

        return json.dumps(self.json_body)

    def __str__(self) -> str:
        if self.request_id:
            return f"Request {self.request_id}: {self.message}"
        return self.message

    def __repr__(self) -> str:
        parts = [f"message={self.message!r}"]
        for name in ("http_status", "code", "param", "request_id"):
            value = getattr(self, name)
            if value is not None:
                parts.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(parts)})"


class APIError(StripeError):
    """The API answered, but not with something this SDK can use."""


class APIConnectionError(StripeError):
    """The request did not get a response."""

    def __init__(self, message: str, *, should_retry: bool = True, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        #: False for failures a retry cannot fix (TLS and certificate errors, refused URLs).
        self.should_retry = should_retry


class APITimeoutError(APIConnectionError):
    """An attempt exceeded its timeout."""


class AuthenticationError(StripeError):
    """No API key, or one the API does not accept (401)."""


class PermissionDeniedError(StripeError):
    """The key is valid but may not do this (403)."""


class InvalidRequestError(StripeError):
    """The request was refused as it stands (400, 404): fix it before sending it again."""


class IdempotencyError(StripeError):
    """An idempotency key was reused for a different request."""


class RateLimitError(StripeError):
    """Too many requests (429)."""


class SignatureVerificationError(StripeError):
    """A webhook payload whose signature header does not verify."""

    def __init__(self, message: str, sig_header: str | None = None) -> None:
        super().__init__(message)
        self.sig_header = sig_header


class WebhookPayloadError(SignatureVerificationError):
    """A webhook payload whose signature is valid but which is not JSON, or not an event.

    It derives from :class:`SignatureVerificationError` so that one ``except`` clause still guards an
    endpoint, while its message and type say the signature itself was fine.
    """


class EventLoopError(StripeError, RuntimeError):
    """An async client was called from one event loop while its connections live on another that is
    still running (in another thread).

    A client follows its loop when that loop has ended (``asyncio.run`` twice, one test loop after
    another), but its connection pool cannot serve two running loops at once. It is also a
    ``RuntimeError``, what such misuse raised before.
    """


class SharedStoreError(StripeError):
    """The store that several workers share (Redis, behind a shared rate limiter or an event ledger)
    did not answer in time, or refused the command.

    A shared limiter raises it only when it was built to (``on_unavailable="raise"``); an event
    ledger always does, since nothing local can stand in for what the other workers have claimed.
    The message names the store's address without its password.
    """


class LeaseLostError(StripeError):
    """An event was completed after its lease ran out and another worker claimed it: both handled it.

    The lease (``lease=`` seconds) must be longer than handling an event takes. The event is left as
    the other worker's, which completes it.
    """

    def __init__(self, message: str, event_id: str | None = None) -> None:
        super().__init__(message)
        self.event_id = event_id


for _cls in (
    StripeError,
    APIError,
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    PermissionDeniedError,
    InvalidRequestError,
    IdempotencyError,
    RateLimitError,
    SignatureVerificationError,
    WebhookPayloadError,
    EventLoopError,
    SharedStoreError,
    LeaseLostError,
):
    # Tracebacks and reprs name the class where users import it from, not this private module.
    _cls.__module__ = "stripe_identity"
