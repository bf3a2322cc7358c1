"""The request side of Stripe's spec, as packaged by scripts/extract_emulator_schema.py."""

from __future__ import annotations

import json
import pathlib
from typing import Any

__all__ = ["API_VERSION", "LAST_ERROR_CODES", "SCHEMA"]

SCHEMA: dict[str, Any] = json.loads(
    pathlib.Path(__file__).with_name("_schema.json").read_text(encoding="utf-8")
)

#: The values of ``last_error.code`` a failed submission may carry.
LAST_ERROR_CODES: frozenset[str] = frozenset(SCHEMA["last_error_codes"])

#: The API version the emulator speaks: its ``Stripe-Version`` header and its events' ``api_version``.
API_VERSION: str = SCHEMA["api_version"]
