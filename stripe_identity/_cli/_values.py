"""Option values, checked as argparse parses them: each ``type=`` here turns text into a value or
raises :class:`argparse.ArgumentTypeError`, which argparse reports as a usage error naming the option.

:func:`choices` gives an option the values of one of the SDK's ``Literal`` types, so the command
offers what the models and params define, in one place.
"""

from __future__ import annotations

import argparse
import datetime
import math
import typing
from collections.abc import Callable
from typing import Any

from .._models._common import VerificationSessionStatusName

__all__ = [
    "base_url",
    "choices",
    "count",
    "http_url",
    "key_value",
    "page_size",
    "per_second",
    "port",
    "rate",
    "rate_limits",
    "seconds",
    "statuses",
    "timestamp",
    "verification_flows",
]


def choices(alias: Any) -> list[str]:
    """The values of a ``Literal[...]`` alias, as an option's ``choices=``.

    An open enum, ``Literal[...] | str`` (the models' fields), gives its ``Literal`` member's values.
    """
    if typing.get_origin(alias) is typing.Literal:
        return list(typing.get_args(alias))
    literals = [arg for arg in typing.get_args(alias) if typing.get_origin(arg) is typing.Literal]
    if len(literals) != 1:
        raise TypeError(f"{alias!r} is neither a Literal nor a union with one Literal")
    return list(typing.get_args(literals[0]))


def _number(text: str, kind: Callable[[str], float]) -> float:
    try:
        value = kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value


def seconds(text: str) -> float:
    """A duration in seconds: a finite number, 0 or more."""
    value = _number(text, float)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative: give 0 or more seconds")
    return value


def rate(text: str) -> float:
    """A probability: a number from 0 to 1."""
    value = _number(text, float)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text} is not a rate between 0 and 1")
    return value


def _integer(text: str, low: int, high: int | None, what: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < low or (high is not None and value > high):
        bounds = f"from {low} to {high}" if high is not None else f"of {low} or more"
        raise argparse.ArgumentTypeError(f"{text} is not {what} (a whole number {bounds})")
    return value


def port(text: str) -> int:
    """A TCP port number; 0 asks for any free port."""
    return _integer(text, 0, 65535, "a port number")


def count(text: str) -> int:
    """A whole number, 0 or more."""
    return _integer(text, 0, None, "a count")


def page_size(text: str) -> int:
    """A page size, as Stripe's ``limit`` takes it: 1 to 100."""
    return _integer(text, 1, 100, "a page size")


def rate_limits(text: str) -> Any:
    """The emulator's limits: ``test``, ``live`` or N requests per second per key."""
    from ..emulator import RateLimits

    try:
        return RateLimits.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def verification_flows(text: str) -> dict[str, Any]:
    """A JSON file of verification flows (flow id to flow), read and checked."""
    from ..emulator._flows import read_flows_file

    try:
        return read_flows_file(text)
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"cannot read {text}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _url(text: str, query: bool) -> str:
    from ..emulator._urls import http_url as checked

    try:
        return checked(text, "the URL", query=query)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def http_url(text: str) -> str:
    """An absolute ``http://`` or ``https://`` URL with a host."""
    return _url(text, query=True)


def base_url(text: str) -> str:
    """An absolute ``http://`` or ``https://`` URL with a host, and no query or fragment."""
    return _url(text, query=False)


def key_value(text: str) -> tuple[str, str]:
    """``KEY=VALUE``, with a non-empty key."""
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key, value


def per_second(text: str) -> float:
    """A rate of requests per second: a finite number above 0."""
    value = _number(text, float)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text} is not a rate: give more than 0 requests per second")
    return value


def timestamp(text: str) -> int:
    """A moment, as unix seconds: ISO 8601 with a time zone (``2026-09-01T00:00:00Z``), a date
    (``2026-09-01``, midnight UTC), or unix seconds."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    try:
        # Python 3.10 reads no "Z"; every version reads "+00:00".
        when = datetime.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a time: give ISO 8601 (2026-09-01T00:00:00Z), a date or unix seconds"
        ) from None
    if len(text) == 10:  # a date alone: that day's start in UTC
        when = when.replace(tzinfo=datetime.timezone.utc)
    if when.tzinfo is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} has no time zone: end it with Z for UTC, or an offset such as +02:00"
        )
    return int(when.timestamp())


def statuses(text: str) -> list[str]:
    """Comma-separated VerificationSession statuses, each one the SDK knows."""
    known = choices(VerificationSessionStatusName)
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in known]
    if not names or unknown:
        raise argparse.ArgumentTypeError(
            f"{', '.join(unknown) or repr(text)}: not a status (give some of {', '.join(known)})"
        )
    return names
