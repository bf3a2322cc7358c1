"""The sync facade: ``StripeIdentity``, its services and its pages.

``_client.py`` and ``_resources/`` are generated from the async code by scripts/generate_sync.py;
``_base.py`` (what the sync client adds) and ``_list.py`` (its pages) are written by hand.
"""

from __future__ import annotations

from . import _resources
from ._client import StripeIdentity
from ._list import SyncListObject
from ._resources import *  # noqa: F403 - one sync service per async one, listed there

__all__ = ["StripeIdentity", "SyncListObject"]
__all__ += _resources.__all__
