"""What the suite treats as a leaked secret, and how fuzz data keeps clear of it.

Every test runs under a check (``no_secrets_in_logs_or_errors`` in ``conftest.py``) that fails it when
text shaped like an API key or a webhook secret reaches a log record or an error: whatever produced
it, such text can only be a credential the SDK or the emulator let slip.

Fuzzed data breaks that premise. Hypothesis draws strings from the constants of the code under test
too, so it will sooner or later send ``sk_test_emulator`` (the pytest plugin's key) as a param name or
a path id, and the emulator rightly names it back in a 400. Property tests therefore reject inputs
that already look like a secret (:func:`looks_like_secret` with ``hypothesis.assume``) instead of
weakening the check for every other test.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["SECRET_PATTERN", "looks_like_secret"]

# Unmasked API keys and webhook secrets: none may ever reach a log record or an error.
SECRET_PATTERN = re.compile(r"\b(?:sk|rk)_(?:test|live)_[A-Za-z0-9]{6,}|\bwhsec_[A-Za-z0-9_]{6,}")


def looks_like_secret(*values: Any) -> bool:
    """Whether any of ``values`` (searched through their repr, nested containers included, and as
    decoded text when bytes) holds text the leak check would read as a secret."""
    for value in values:
        text = value.decode("utf-8", "replace") if isinstance(value, bytes) else repr(value)
        if SECRET_PATTERN.search(text):
            return True
    return False
