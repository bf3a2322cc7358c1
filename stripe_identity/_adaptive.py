"""``AdaptiveRateLimiter``: a token bucket that finds an unknown server limit from its 429s (AIMD).

The bucket itself, its order and its cancellation are :class:`~._limiter.RateLimiter`'s; this
module adds only how the rate moves with each attempt's status.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

from ._limiter import RateLimiter, positive_rate

__all__ = ["AdaptiveRateLimiter"]

# After a cut, the adaptive limiter climbs quickly back to this fraction of the rate the cut started
# from (which drew the 429s: the limit is about there), then probes slowly. Short of 1 so that the
# quick climb itself does not draw the next 429s: settled, about a quarter as many as with 1.
_RECOVERY_GOAL = 0.95


class AdaptiveRateLimiter(RateLimiter):
    """A :class:`RateLimiter` that finds the server's limit from the 429s it gets (AIMD).

    It starts at ``rate``. A 429 multiplies the rate by ``decrease``, at most once per ``window``
    seconds: requests already in flight when the first 429 came back were sent at the old rate, and
    their 429s are the same news. The cut remembers where the limit is: the rate the server admitted
    over the last window (or the rate the cut started from, if lower). Every other response below
    500 raises the rate again, and only then (an idle client learns nothing about the limit): by
    ``increase`` requests per second for each second of 429-free traffic, probing for more; and,
    from a window after the cut, while it is under 95 % of the remembered rate, by ``recovery`` of
    the distance per second. Connection errors and 5xx are neither. The rate stays within
    ``[min_rate, max_rate]``.

    The server's bucket holds a second's worth: held under the limit after a cut, it fills, and what
    fills it past full is lost. Climbing back within a few seconds keeps it from filling.

    The defaults are tuned for a client that does not know its limit ``L`` and starts at ``2 * L``
    with more work than the limit allows (simulated against a server bucket of ``L`` per second,
    ``L`` of 25 to 400, answers 0.02 to 0.5 s late; ``python -m benchmarks --rate-limit`` runs it
    against the emulator):

    * ``decrease=0.7``: two 429 signals, a second or so apart, bring ``2 * L`` below ``L``
      (``2 -> 1.4 -> 0.98``). Halving (TCP Reno's 0.5) gets there in one, but every later cut
      then falls to ``L/2``, further to climb back from.
    * ``recovery=1.0`` per second: back within 5 % of the remembered rate in about three seconds.
      The second half of a 30-second run from ``2 * L`` then got 1.0 of the limit (0.88 with the
      additive climb alone: 30 seconds from ``0.7 * L`` back to ``L``); a faster climb draws more
      429s for nothing, and so did climbing in the window after a cut, or towards the rate the cut
      started from (twice the 429s while converging from ``2 * L``).
    * ``increase=max_rate / 200`` per second: the probe, 1 % of the limit per second with the
      ceiling at ``2 * L``. Settled, under 1 % of requests got a 429; the rest came while converging
      from ``2 * L``. The test suite replays this simulation.
    * ``window=1.0``: Stripe counts by the second, and most API calls finish well within one; make
      it longer if yours take longer, or one congestion event will cut the rate twice.
    * ``min_rate=min(1, rate)``: some 429s are not about the rate at all (``lock_timeout`` on a
      busy object), and they should not drive the rate to nothing. Lower it when many processes
      share one account's limit.

    ``max_rate`` defaults to ``rate``. ``burst`` applies as for :class:`RateLimiter`, and the bucket
    never holds more than the current rate's worth.
    """

    def __init__(
        self,
        rate: float,
        *,
        min_rate: float | None = None,
        max_rate: float | None = None,
        burst: int | None = None,
        decrease: float = 0.7,
        increase: float | None = None,
        recovery: float = 1.0,
        window: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        rate = positive_rate("rate", rate)
        low = min(1.0, rate) if min_rate is None else positive_rate("min_rate", min_rate)
        high = rate if max_rate is None else positive_rate("max_rate", max_rate)
        if not low <= rate <= high:
            raise ValueError(f"need min_rate <= rate <= max_rate, not {low:g} <= {rate:g} <= {high:g}")
        if isinstance(decrease, bool) or not isinstance(decrease, (int, float)) or not 0 < decrease < 1:
            raise ValueError(f"decrease must be a factor between 0 and 1 (exclusive), not {decrease!r}")
        step = high / 200 if increase is None else positive_rate("increase", increase)
        if (
            isinstance(recovery, bool)
            or not isinstance(recovery, (int, float))
            or not 0 < recovery < math.inf
        ):
            raise ValueError(f"recovery must be a positive number per second, not {recovery!r}")
        if (
            isinstance(window, bool)
            or not isinstance(window, (int, float))
            or not 0 <= window < math.inf
        ):
            raise ValueError(f"window must be a non-negative number of seconds, not {window!r}")
        super().__init__(rate, burst, clock=clock)
        self._min_rate = low
        self._max_rate = high
        self._decrease = float(decrease)
        self._increase = step
        self._recovery = float(recovery)
        self._window = float(window)
        self._last_cut = -math.inf
        self._decreases = 0
        #: Where the climb back after a cut aims (95 % of the rate the limit let through).
        self._goal = 0.0
        #: When the answers of the last window came (the rate the server admitted).
        self._answered: deque[float] = deque()

    @property
    def min_rate(self) -> float:
        """The floor that 429s cannot push the rate below (requests per second)."""
        return self._min_rate

    @property
    def max_rate(self) -> float:
        """The ceiling that recovery cannot raise the rate above (requests per second)."""
        return self._max_rate

    @property
    def decreases(self) -> int:
        """How many times a 429 has cut the rate."""
        return self._decreases

    def record(self, status: int | None) -> None:
        """Adjust the rate to how an attempt ended (see the class docstring)."""
        if status is None or status >= 500:
            return
        now = self._clock()
        answered = self._answered
        while answered and answered[0] <= now - self._window:
            answered.popleft()
        rate = self._rate
        if status == 429:
            if now - self._last_cut >= self._window:
                self._last_cut = now
                self._decreases += 1
                admitted = len(answered) / self._window if self._window > 0 else 0.0
                self._goal = _RECOVERY_GOAL * (min(rate, admitted) if admitted else rate)
                self._set_rate(max(self._min_rate, rate * self._decrease))
            return
        answered.append(now)
        if rate < self._max_rate:  # steps per answer: at `rate` answers a second, per second...
            climb = self._increase
            if now - self._last_cut >= self._window:
                climb = max(climb, (self._goal - rate) * self._recovery)
            self._set_rate(min(self._max_rate, rate + climb / rate))
