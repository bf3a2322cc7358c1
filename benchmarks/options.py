"""The command line's options as one typed value, handed to whichever mode runs.

A field left ``None`` was not given: each mode picks its own default for it (a paired run wants more
repetitions than the load table, a rate-limit run more concurrency).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Options"]


@dataclass(frozen=True)
class Options:
    command: str
    quick: bool = False
    n: int | None = None
    reps: int | None = None
    paired_reps: int | None = None
    concurrency: Sequence[int] | None = None
    ops: Sequence[str] | None = None
    warmup: int | None = None
    #: ``--only``: clients and sections of the full run, as given.
    only: Sequence[str] = ()
    #: ``--contenders`` as given, the baseline first; empty when not given (each mode has its own).
    contenders: Sequence[str] = ()
    #: The value given with the mode's flag (``--soak 200000``, ``--rate-limit 100``).
    value: int | None = None

    def warmup_for(self, concurrency: int, n: int) -> int:
        """Requests before each measured run: enough for every caller (every thread, for clients
        with per-thread connections) to have connected, so the run measures a warm pool."""
        if self.warmup is not None:
            return self.warmup
        return max(2 * concurrency, min(n // 5, 500))
