"""Per-request options that override the client's settings for one call."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

__all__ = ["NO_OPTIONS", "RequestOptions", "to_request_options"]


def _mask(value: str | None) -> str:
    return "None" if value is None else "'<redacted>'"


def _frozen_headers(value: Mapping[str, str] | None) -> Mapping[str, str] | None:
    return None if value is None else dict(value)


@attrs.frozen(kw_only=True)
class RequestOptions:
    """Overrides for a single request; ``None`` keeps the client's setting.

    ``idempotency_key`` is used as given on a POST (and reused by its retries); without one the SDK
    picks a UUID4 per call. ``stripe_context`` is sent as ``Stripe-Context`` (organization keys);
    ``headers`` are added to the request (and may replace the client's ``default_headers``).
    """

    api_key: str | None = attrs.field(default=None, repr=_mask)
    stripe_account: str | None = None
    stripe_context: str | None = None
    stripe_version: str | None = None
    idempotency_key: str | None = None
    max_retries: int | None = None
    timeout: float | None = None
    headers: Mapping[str, str] | None = attrs.field(default=None, converter=_frozen_headers)

    def __attrs_post_init__(self) -> None:
        if self.max_retries is not None and (
            not isinstance(self.max_retries, int) or self.max_retries < 0
        ):
            raise ValueError(f"max_retries must be a non-negative int, not {self.max_retries!r}")
        if self.timeout is not None and not self.timeout > 0:
            raise ValueError(f"timeout must be a positive number of seconds, not {self.timeout!r}")
        key = self.idempotency_key
        if key is not None and not (0 < len(key) <= 255):
            raise ValueError("idempotency_key must be 1 to 255 characters long")


#: The options of a call that gave none (shared: RequestOptions is immutable).
NO_OPTIONS = RequestOptions()
_OPTION_NAMES = frozenset(f.name for f in attrs.fields(RequestOptions))


def to_request_options(opts: RequestOptions | Mapping[str, Any] | None) -> RequestOptions:
    """Accept ``RequestOptions``, a mapping with the same keys, or ``None``."""
    if opts is None:
        return NO_OPTIONS
    if isinstance(opts, RequestOptions):
        return opts
    if isinstance(opts, Mapping):
        unknown = set(opts) - _OPTION_NAMES
        if unknown:
            raise TypeError(
                f"unknown request option(s) {sorted(unknown)}; expected some of {sorted(_OPTION_NAMES)}"
            )
        return RequestOptions(**opts)
    raise TypeError(f"opts must be RequestOptions or a mapping, not {type(opts).__name__}")
