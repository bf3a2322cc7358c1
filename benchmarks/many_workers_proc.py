"""The worker processes of the many-workers runs (``benchmarks/many_workers.py`` starts them).

``python -m benchmarks.many_workers_proc pacer ...``: one client with a key of its own, paced by a
``RedisRateLimiter``, creating sessions from ``--concurrency`` tasks from the time in the ``go`` file
until ``--seconds`` later. Each paced attempt's slot (Redis's clock) is a line ``slot <time>`` of
``--out``, each failed call a line ``error <class>``, written as it happens: a worker killed mid-run
leaves what it did before.

``python -m benchmarks.many_workers_proc webhook ...``: a webhook endpoint on ``--port``, bound with
SO_REUSEPORT, so that several workers behind one URL share its connections as the kernel spreads
them; on a ``RedisEventLedger``. A handled event writes ``start <id>`` before its work and ``done
<id>`` after completing it; a completion refused for a lost lease writes ``lost <id>``. It answers
each delivery on a fresh connection (``Connection: close``), so that deliveries spread over the
workers, and serves until SIGTERM. ``ready`` is written once it listens.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import time
from pathlib import Path
from typing import IO

__all__ = ["main"]


def _wait_for_go(go: Path) -> float:
    while not go.exists():
        time.sleep(0.005)
    return float(go.read_text())


async def _pacer(args: argparse.Namespace, out: IO[str]) -> None:
    import anyio

    import stripe_identity as si
    from stripe_identity.redis import RedisRateLimiter

    limiter = RedisRateLimiter(args.redis, args.name, args.rate, on_unavailable="raise")

    class Recording:
        async def acquire(self) -> None:
            out.write(f"slot {await limiter.take():.6f}\n")

    async with si.AsyncStripeIdentity(
        args.key, api_base=args.api_base, rate_limit=Recording(), max_retries=0
    ) as client:
        await limiter.take()  # connected, and the scripts loaded, before the clock starts
        out.write("ready\n")
        start = await asyncio.to_thread(_wait_for_go, Path(args.go))
        deadline = start + args.seconds

        async def caller() -> None:
            while time.time() < deadline:
                try:
                    await client.verification_sessions.create({"type": "document"})
                except si.StripeError as exc:
                    out.write(f"error {type(exc).__name__}\n")

        await asyncio.sleep(max(0.0, start - time.time()))
        # At the deadline, callers still waiting for a slot are cut off (and give it back).
        with anyio.move_on_after(max(0.0, deadline - time.time())):
            await asyncio.gather(*(caller() for _ in range(args.concurrency)))
    await limiter.aclose()


async def _webhook(args: argparse.Namespace, out: IO[str]) -> None:
    from aiohttp import web

    import stripe_identity as si
    from stripe_identity.redis import RedisEventLedger

    ledger = RedisEventLedger(args.redis, lease=args.lease, worker=args.name)

    async def endpoint(request: web.Request) -> web.Response:
        response = web.Response(status=await answer(request))
        response.force_close()
        return response

    async def answer(request: web.Request) -> int:
        try:
            event = si.webhooks.construct_event(
                await request.read(), request.headers.get("Stripe-Signature", ""), args.secret
            )
        except si.SignatureVerificationError:
            return 400
        claim = await ledger.claim(event.id)
        if claim.done:
            return 200
        if claim.busy:
            return 409
        out.write(f"start {event.id}\n")
        await asyncio.sleep(args.work)
        try:
            await ledger.complete(claim)
        except si.LeaseLostError:
            out.write(f"lost {event.id}\n")
            return 200
        out.write(f"done {event.id}\n")
        return 200

    app = web.Application()
    app.router.add_post("/hook", endpoint)
    runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", args.port, reuse_port=True).start()
    out.write("ready\n")
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await runner.cleanup()
    await ledger.aclose()


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmarks.many_workers_proc")
    p.add_argument("role", choices=("pacer", "webhook"))
    p.add_argument("--redis", required=True)
    p.add_argument("--name", required=True, help="the budget (pacer) or the worker (webhook)")
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--api-base")
    p.add_argument("--key")
    p.add_argument("--rate", type=float)
    p.add_argument("--seconds", type=float)
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument("--go", help="the file the start time appears in")
    p.add_argument("--port", type=int)
    p.add_argument("--secret")
    p.add_argument("--lease", type=float, default=2.0)
    p.add_argument("--work", type=float, default=0.002, help="seconds each event's work takes")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    with args.out.open("a", buffering=1, encoding="utf-8") as out:  # a line is written as it comes
        asyncio.run((_pacer if args.role == "pacer" else _webhook)(args, out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
