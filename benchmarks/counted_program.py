"""The program ``--instructions`` runs under callgrind: one client, a warm-up, then N requests.

``python -m benchmarks.counted_program CONTENDER API_BASE OP CONCURRENCY N`` builds the contender
(``si-async@/tmp/before`` imports the SDK from that tree), sends ``2 * CONCURRENCY * 10`` requests to
warm the pool and the SDK's caches, then N more in a closed loop. callgrind counts the whole process;
the mode runs it for two values of N and divides the difference, so start-up and warm-up cancel out.
Any failed request is an error (exit 1): a count of failures would measure the wrong thing.
"""

from __future__ import annotations

import asyncio
import sys

from .clients import Contender, make_async
from .workloads import run_async


async def _load(contender: Contender, api_base: str, op: str, concurrency: int, n: int) -> None:
    client = make_async(contender.spec.name, api_base, contender.options)
    await client.start()
    call = client.get if op == "GET" else client.post
    try:
        for count in (2 * concurrency * 10, n):
            outcome = await run_async(call, count, concurrency)
            if outcome.errors:
                raise SystemExit(f"{outcome.errors} of {count} requests failed: {outcome.first_error}")
    finally:
        await client.close()


def main(argv: list[str]) -> None:
    key, api_base, op, concurrency, n = argv
    contender = Contender.parse(key)
    if contender.sdk_path:
        sys.path.insert(0, contender.sdk_path)  # before the client imports stripe_identity
    asyncio.run(_load(contender, api_base, op, int(concurrency), int(n)))


if __name__ == "__main__":
    main(sys.argv[1:])
