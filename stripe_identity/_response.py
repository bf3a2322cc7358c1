"""What the request pipeline passes around: one :class:`Request` in, one :class:`Response` out.

These are plain data. The transport is the only place that turns them into HTTP, so middlewares and
services never see aiohttp.

Every call builds a Request and a Response, so they keep their fields in an instance ``__dict__``:
attrs' ``__init__`` of a frozen class then fills them with plain dict stores, where a slotted class
needs a call to ``object.__setattr__`` per field, markedly slower on this hot path.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import attrs

__all__ = ["BodySink", "Request", "Response", "ResponseMeta"]


def _mask_headers(headers: Mapping[str, str]) -> str:
    # Authorization carries the API key: a repr must never show it.
    shown = {k: ("<redacted>" if k.lower() == "authorization" else v) for k, v in headers.items()}
    return repr(shown)


class BodySink(Protocol):
    """Where a streamed success body goes (file downloads), instead of into memory.

    ``start`` runs once per attempt before the first chunk: a sink truncates what an earlier, failed
    attempt wrote, and may refuse a declared ``length`` by raising :class:`~stripe_identity.APIError`.
    """

    async def start(self, length: int | None) -> None: ...

    async def write(self, chunk: bytes) -> None: ...


@attrs.frozen(slots=False)
class Request:
    """One logical API call.

    ``headers`` is a fresh dict per call: a middleware may add or replace headers in place (every
    attempt sees the change). Use :func:`attrs.evolve` to change anything else.

    ``path_template`` names the operation the way OpenTelemetry's ``url.template`` does
    (``/v1/identity/verification_sessions/{session}``), so that metrics and traces group calls by
    operation rather than by id; it is empty when no template is known (``raw_request``, whose path may
    hold ids). ``resend_count`` is 0 on the first attempt and counts the retries.
    """

    method: str
    url: str
    path: str
    headers: dict[str, str] = attrs.field(repr=_mask_headers)
    body: bytes | None = None
    timeout: float | None = None
    max_retries: int = 0
    path_template: str = ""
    resend_count: int = 0
    sink: BodySink | None = attrs.field(default=None, repr=False)

    @property
    def idempotency_key(self) -> str | None:
        """The ``Idempotency-Key`` header (every POST has one), else ``None``."""
        return self.headers.get("Idempotency-Key")


@attrs.frozen(slots=False)
class Response:
    """The outcome of one attempt: the whole body is always read before this exists.

    When the request had a ``sink`` and the status is 2xx, the body went to the sink and ``body`` is
    empty.
    """

    status: int
    headers: Mapping[str, str] = attrs.field(repr=False)
    body: bytes = attrs.field(repr=False)
    request: Request = attrs.field(repr=False)
    elapsed: float = 0.0

    @property
    def request_id(self) -> str | None:
        """The ``Request-Id`` header Stripe puts on every response, if present."""
        return self.headers.get("Request-Id")


@attrs.frozen(slots=False)
class ResponseMeta:
    """The HTTP response behind a returned object: status, headers, ``Request-Id``, idempotency key.

    Every object a client call returns carries one (``last_response``), built when it is decoded.
    """

    http_status: int
    headers: Mapping[str, str] = attrs.field(repr=False)
    request_id: str | None
    idempotency_key: str | None = None

    @classmethod
    def of(cls, response: Response) -> ResponseMeta:
        """The metadata of ``response`` (the idempotency key is the one its request sent)."""
        headers = response.headers
        return cls(
            response.status,
            headers,
            headers.get("Request-Id"),
            response.request.headers.get("Idempotency-Key"),
        )
