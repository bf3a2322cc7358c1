"""Many workers, one Stripe account, on Redis: ``pip install 'stripe-identity[redis]'`` (redis-py).

* :class:`RedisRateLimiter`: a :class:`~stripe_identity.Limiter` whose rate is shared by every
  process that uses the same name on the same Redis (``rate_limit=`` of either client);
* :class:`RedisEventLedger`: an :class:`~stripe_identity.EventLedger` that lets each webhook event be
  handled by one worker, once, whichever endpoint and process its deliveries reach.

::

    from stripe_identity.redis import RedisEventLedger, RedisRateLimiter

    limiter = RedisRateLimiter("redis://localhost:6379/0", "acct_123", rate=100,
                               on_unavailable="local", local_share=0.25)
    client = si.AsyncStripeIdentity(rate_limit=limiter)
    ledger = RedisEventLedger("redis://localhost:6379/0")

Both speak to Redis through redis-py's asyncio client, Redis Cluster included (every key of a
limiter carries its name as a hash tag). Importing ``stripe_identity`` never imports redis; this
module does.
"""

from __future__ import annotations

from ._ledger import RedisEventLedger
from ._limiter import RedisRateLimiter

__all__ = ["RedisEventLedger", "RedisRateLimiter"]
