"""Stripe's rate limits, as the emulator enforces them: a request is admitted or refused before it runs.

A request needs one token from every bucket that applies to it: its caller's global bucket, plus
its endpoint's bucket or, on the Files API, the Files read or write bucket. If any of them is empty
the request is refused and takes nothing from the others; a refused request is answered 429 and
never runs. Buckets belong to one caller in one mode, refill continuously, and hold one second's
worth of tokens, so a caller may send a second's worth at once after a quiet second and then
keeps to the rate. The caller is each API key (``scope="key"``, the default), or the emulated
account as a whole (``scope="account"``): every key shares one set of buckets, as Stripe counts
per account, so that several processes with keys of their own still meet one limit.

The emulator answers a refusal with Stripe's error envelope::

    {"error": {"type": "invalid_request_error", "code": "rate_limit",
               "message": rate_limit_message(reason, limits)}}

This module is pure logic: the caller passes the time, so tests need no sleeping.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import attrs
from aiohttp import web

from ._context import call_of
from ._failures import APIFailure

__all__ = [
    "FILES",
    "REASONS",
    "SCOPES",
    "RateLimitChecker",
    "RateLimits",
    "caller_key",
    "endpoint_group",
    "rate_limit_message",
    "rate_limit_middleware",
]

FILES = "files"
"""The endpoint group of the Files API (see :func:`endpoint_group`)."""

REASONS = ("global", "endpoint", "files_read", "files_write")
"""The limits a request can be refused by, as :meth:`RateLimitChecker.admit` names them."""

SCOPES = ("key", "account")
"""Whose buckets a request draws from: its API key's, or the whole emulated account's."""

_FILES_PATH = "/v1/files"

# Refills are float arithmetic: 0.999999999 of a token is a token.
_EPSILON = 1e-9


def _per_second(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"rate limits are positive whole numbers of requests per second, not {value!r}")
    return value


def _scope(value: object) -> str:
    if value not in SCOPES:
        raise ValueError(f"the rate limit scope is 'key' or 'account', not {value!r}")
    return str(value)


def _required_per_second(value: object) -> int:
    limit = _per_second(value)
    if limit is None:
        raise ValueError("the global rate limit is required")
    return limit


@attrs.frozen(kw_only=True)
class RateLimits:
    """Requests per second each caller may make, per mode.

    * ``per_second``: all of a caller's requests together (Stripe's global limit);
    * ``per_endpoint``: requests to any one endpoint, that is one operation (``create``, ``list``
      and ``retrieve`` are three endpoints, whatever the ids in the path); ``None`` for no such limit;
    * ``files_read``, ``files_write``: Files API reads (GET) and writes (everything else), shared by
      all its endpoints; they replace the per-endpoint limit there, as Stripe lists the Files API's
      own limits as the exception to the default. Files requests count against ``per_second`` too;
    * ``scope``: ``"key"``, each API key has its own buckets; ``"account"``, all the keys of the
      emulated account share them (a connected account, ``Stripe-Account``, still has its own).

    Stripe documents (docs.stripe.com/rate-limits) the global 100 per second in live mode and 25 in
    test mode (sandboxes), the "default limit of 25 requests per second" per endpoint, and 20 reads
    plus 20 writes per second for the Files API, each applied separately in live and test mode.
    It does not document how it counts: one bucket per limit holding a second's worth is ours.
    """

    name: str = "custom"
    per_second: int = attrs.field(converter=_required_per_second)
    per_endpoint: int | None = attrs.field(default=None, converter=_per_second)
    files_read: int | None = attrs.field(default=None, converter=_per_second)
    files_write: int | None = attrs.field(default=None, converter=_per_second)
    scope: str = attrs.field(default="key", converter=_scope)

    @classmethod
    def test(cls) -> RateLimits:
        """Stripe's limits in test mode: what a sandbox key gets."""
        return cls(name="test", per_second=25, per_endpoint=25, files_read=20, files_write=20)

    @classmethod
    def live(cls) -> RateLimits:
        """Stripe's limits in live mode (the per-endpoint default and the Files API's are the same
        figures as in test mode; only the global limit is higher)."""
        return cls(name="live", per_second=100, per_endpoint=25, files_read=20, files_write=20)

    @classmethod
    def scaled(cls, per_second: int) -> RateLimits:
        """``per_second`` requests per second per caller, and no lower limit for any endpoint: for
        tests and benchmarks that want a limit, but not Stripe's small one."""
        return cls(name=str(per_second), per_second=per_second)

    def account_wide(self) -> RateLimits:
        """These limits, shared by every API key of the account (``scope="account"``)."""
        return attrs.evolve(self, scope="account")

    @classmethod
    def parse(cls, text: str) -> RateLimits:
        """The limits a command-line flag names: ``test``, ``live``, or a number of requests per
        second (``200``) for :meth:`scaled`."""
        value = text.strip().lower()
        if value == "test":
            return cls.test()
        if value == "live":
            return cls.live()
        if re.fullmatch(r"[0-9]+", value) and int(value) > 0:
            return cls.scaled(int(value))
        raise ValueError(
            f"rate limits are 'test', 'live', or a positive whole number of requests per second "
            f"(such as '200'), not {text!r}"
        )


def caller_key(api_key: str, stripe_account: str | None = None, scope: str = "key") -> str:
    """Whose buckets a request draws from.

    The API key's own (``scope="key"``), or the emulated account's in the key's mode
    (``scope="account"``); or, when a Connect platform acts for a connected account (the
    ``Stripe-Account`` header), that account's in the key's mode, since Stripe counts limits per
    account and apart for live and test mode. (Stripe does not spell out whose limit such requests
    count against; the connected account's is our reading.)
    """
    mode = "live" if api_key.split("_")[1:2] == ["live"] else "test"
    if stripe_account:
        return f"{stripe_account}:{mode}"
    return api_key if scope == "key" else f"account:{mode}"


def endpoint_group(raw_path: str, operation: str | None) -> str | None:
    """The endpoint a request counts against: :data:`FILES` on the Files API, else ``operation``.

    The Files API is ``/v1/files`` and ``/v1/files/{id}``: the resource Stripe's rate limit table
    links to. File links (``/v1/file_links``) are a resource of their own in the API reference, so
    they get the per-endpoint default like any other. ``operation`` is ``None`` for a request that
    matched no endpoint; it then counts against the global limit only.
    """
    if raw_path == _FILES_PATH or raw_path.startswith(_FILES_PATH + "/"):
        return FILES
    return operation


class _Bucket:
    __slots__ = ("rate", "tokens", "updated")

    def __init__(self, rate: int, now: float) -> None:
        self.rate = rate
        self.tokens = float(rate)
        self.updated = now

    def has_token(self, now: float) -> bool:
        elapsed = now - self.updated
        if elapsed > 0:  # a clock that steps back earns nothing, and loses nothing
            self.tokens = min(float(self.rate), self.tokens + elapsed * self.rate)
            self.updated = now
        return self.tokens >= 1.0 - _EPSILON


class RateLimitChecker:
    """Admits or refuses requests under one :class:`RateLimits`, and counts both for ``stats``."""

    def __init__(self, limits: RateLimits) -> None:
        self.limits = limits
        self.admitted = 0
        self.limited: Counter[str] = Counter()
        self._buckets: dict[tuple[str, str], _Bucket] = {}

    def admit(self, key: str, endpoint: str | None, is_write: bool, now: float) -> str | None:
        """``None`` if the request may run (and its tokens are taken), else the refusing limit.

        ``key`` is :func:`caller_key`'s; ``endpoint`` is :func:`endpoint_group`'s; ``is_write`` tells
        Files API writes from reads; ``now`` is in seconds on any clock that does not step back.
        When several limits refuse, the broadest is named (one of :data:`REASONS`): ``global`` is
        the one that only slowing down overall will fix.
        """
        buckets = self._applicable(key, endpoint, is_write, now)
        for reason, bucket in buckets:
            if not bucket.has_token(now):
                self.limited[reason] += 1
                return reason
        for _, bucket in buckets:
            bucket.tokens -= 1.0
        self.admitted += 1
        return None

    def _applicable(
        self, key: str, endpoint: str | None, is_write: bool, now: float
    ) -> list[tuple[str, _Bucket]]:
        limits = self.limits
        wanted: list[tuple[str, str, int]] = [("global", "global", limits.per_second)]
        if endpoint == FILES:
            if is_write and limits.files_write is not None:
                wanted.append(("files_write", "files_write", limits.files_write))
            elif not is_write and limits.files_read is not None:
                wanted.append(("files_read", "files_read", limits.files_read))
        elif endpoint is not None and limits.per_endpoint is not None:
            wanted.append(("endpoint", "endpoint:" + endpoint, limits.per_endpoint))
        found: list[tuple[str, _Bucket]] = []
        for reason, name, rate in wanted:
            bucket = self._buckets.get((key, name))
            if bucket is None:
                # A bucket nobody has used is full: creating it now takes nothing from anyone.
                bucket = self._buckets[key, name] = _Bucket(rate, now)
            found.append((reason, bucket))
        return found

    def stats(self) -> dict[str, Any]:
        return {
            "limits": self.limits.name,
            "admitted": self.admitted,
            "limited": {reason: self.limited[reason] for reason in REASONS},
        }

    def reset(self) -> None:
        """Full buckets and zero counts, as after start-up."""
        self._buckets.clear()
        self.admitted = 0
        self.limited.clear()


_WHAT = {
    "global": ("requests from this account", "per_second"),
    "endpoint": ("requests to this endpoint", "per_endpoint"),
    "files_read": ("reads from the Files API", "files_read"),
    "files_write": ("writes to the Files API", "files_write"),
}


def rate_limit_message(reason: str, limits: RateLimits | None = None) -> str:
    """The ``message`` of a 429 for a request refused by ``reason``; with ``limits``, it says the
    figure too."""
    what, field = _WHAT.get(reason, ("requests", ""))
    figure = getattr(limits, field, None) if field else None
    allowed = f" (at most {figure} a second)" if figure is not None else ""
    return (
        f"Too many {what} arrived too quickly{allowed}. Slow down, spread requests out over time, "
        "and retry after a pause that grows with each 429. See https://stripe.com/docs/rate-limits "
        "for the limits."
    )


def rate_limit_middleware(checker: RateLimitChecker | None) -> Any:
    """Refuse, with 429 ``rate_limit`` and before it runs, a request over its caller's limits."""

    @web.middleware
    async def rate_limit(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        call = call_of(request)
        if checker is None or call.route is None or call.route.kind not in ("api", "files"):
            return await handler(request)
        assert call.caller is not None
        reason = checker.admit(
            caller_key(call.caller.key, call.caller.account, checker.limits.scope),
            endpoint_group(request.raw_path.partition("?")[0], call.operation),
            request.method != "GET",
            time.monotonic(),
        )
        if reason is not None:
            raise APIFailure(429, rate_limit_message(reason, checker.limits), code="rate_limit")
        return await handler(request)

    return rate_limit
