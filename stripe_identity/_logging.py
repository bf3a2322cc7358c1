"""``STRIPE_LOG``: the switch stripe-python users already know, read when a client is made.

``STRIPE_LOG=debug`` or ``info`` sets the ``stripe_identity`` logger to that level. Where the
application has configured no logging at all, it also adds a handler that writes to stderr; where it
has, the records go to the application's handlers instead. Unset or any other value changes nothing.
"""

from __future__ import annotations

import logging
import os

__all__ = ["LOGGER_NAME", "configure_from_env"]

LOGGER_NAME = "stripe_identity"

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}


class _EnvHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler STRIPE_LOG installs (a class of its own, so it is installed once)."""


def configure_from_env() -> None:
    level = _LEVELS.get(os.environ.get("STRIPE_LOG", "").strip().lower())
    if level is None:
        return
    logger = logging.getLogger(LOGGER_NAME)
    logger.setLevel(level)
    if logger.handlers or logging.getLogger().handlers:
        return  # someone configured logging: their handlers get the records
    handler = _EnvHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
