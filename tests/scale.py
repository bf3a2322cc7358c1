"""Sizes for the reliability tests: short in the default suite, long under `nox -s reliability`."""

from __future__ import annotations

import os

LONG = os.environ.get("STRIPE_IDENTITY_RELIABILITY") == "long"


def scale(short: int, long: int) -> int:
    return long if LONG else short
