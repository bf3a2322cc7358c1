"""``emulator`` and ``demo``: the emulator served until interrupted, and a walk through the API on it.

Both import the emulator when they run, not when the command starts.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import logging
import signal
import sys
from typing import Any

from ._status import EPILOG, EXIT_OK, UsageError
from ._values import base_url, http_url, port, rate, rate_limits, seconds, verification_flows

__all__ = ["ListenError", "add_demo", "add_emulator"]


def _options(emu: argparse.ArgumentParser) -> None:
    emu.add_argument(
        "--host",
        default="127.0.0.1",
        help="the address to listen on (default: 127.0.0.1; 0.0.0.0 for every interface)",
    )
    emu.add_argument(
        "--public-url",
        type=base_url,
        default=None,
        metavar="URL",
        help="the URL others reach it at (http://emulator:12111 in Docker Compose, say), used in "
        "session.url and file links (default: http://127.0.0.1:PORT with --host 0.0.0.0)",
    )
    emu.add_argument(
        "--port",
        type=port,
        default=12111,
        help="the port to listen on, 0 for any free one (default: 12111)",
    )
    emu.add_argument("--seed", default=None, help="make ids and faults reproducible")
    emu.add_argument(
        "--latency", type=seconds, default=0.0, metavar="SECONDS", help="seconds added to each request"
    )
    emu.add_argument(
        "--fault-5xx",
        type=rate,
        default=0.0,
        metavar="RATE",
        help="share of requests answered 500, 502 or 503, from 0 to 1",
    )
    emu.add_argument(
        "--fault-429",
        type=rate,
        default=0.0,
        metavar="RATE",
        help="share of requests answered 429 (rate limited), from 0 to 1",
    )
    emu.add_argument(
        "--retry-after",
        type=seconds,
        default=None,
        metavar="SECONDS",
        help="send Retry-After: SECONDS with the injected 429s",
    )
    emu.add_argument(
        "--fault-reset-before",
        type=rate,
        default=0.0,
        metavar="RATE",
        help="share of requests whose connection is reset before they take effect, from 0 to 1",
    )
    emu.add_argument(
        "--fault-reset-after",
        type=rate,
        default=0.0,
        metavar="RATE",
        help="share of requests whose connection is reset after they took effect, from 0 to 1",
    )
    emu.add_argument(
        "--processing-delay",
        type=seconds,
        default=0.0,
        metavar="SECONDS",
        help="how long a submitted session stays processing",
    )
    emu.add_argument(
        "--redaction-delay",
        type=seconds,
        default=0.0,
        metavar="SECONDS",
        help="how long a redaction stays processing",
    )
    emu.add_argument(
        "--webhook-url",
        type=http_url,
        default=None,
        metavar="URL",
        help="post signed events to this endpoint (each retried for about a minute if it fails)",
    )
    emu.add_argument(
        "--webhook-secret",
        default=None,
        metavar="SECRET",
        help="the whsec_... secret that signs them (with --webhook-url)",
    )
    emu.add_argument(
        "--event-destination-url",
        type=http_url,
        default=None,
        metavar="URL",
        help="post signed thin event notifications (v1.identity.verification_session.*) here",
    )
    emu.add_argument(
        "--event-destination-secret",
        default=None,
        metavar="SECRET",
        help="the whsec_... secret that signs them (with --event-destination-url)",
    )
    emu.add_argument(
        "--verification-flows",
        type=verification_flows,
        default=None,
        metavar="FILE.json",
        help="the verification flows sessions can be created from: a JSON object of flow id to "
        '{"type": ..., "options": {...}} (default: the emulator\'s two, '
        "vf_emulator_document_email_phone and vf_emulator_id_number_phone)",
    )
    emu.add_argument(
        "--rate-limits",
        type=rate_limits,
        default=None,
        metavar="test|live|N",
        help="answer 429 rate_limit past Stripe's test or live limits, or N requests/s per key",
    )
    emu.add_argument(
        "--rate-limit-scope",
        choices=("key", "account"),
        default="key",
        help="with --rate-limits: each API key has its own limits (key, the default), or all keys "
        "of the account share them (account), as Stripe counts",
    )
    emu.add_argument(
        "--webhook-duplicates",
        type=rate,
        default=0.0,
        metavar="RATE",
        help="share of webhook deliveries made twice, from 0 to 1 (reproducible with --seed)",
    )


def _run_emulator(args: argparse.Namespace) -> int:
    emulator = _emulator(args)
    _log_to_stderr()
    asyncio.run(_serve(emulator, args))
    return EXIT_OK


def _emulator(args: argparse.Namespace) -> Any:
    from ..emulator import Emulator, Faults

    if (args.webhook_url is None) != (args.webhook_secret is None):
        raise UsageError("--webhook-url and --webhook-secret go together")
    if (args.event_destination_url is None) != (args.event_destination_secret is None):
        raise UsageError("--event-destination-url and --event-destination-secret go together")
    destinations = []
    if args.event_destination_url is not None:
        destinations.append((args.event_destination_url, args.event_destination_secret))
    if args.webhook_duplicates and args.webhook_url is None:
        raise UsageError("--webhook-duplicates needs --webhook-url")
    limits = args.rate_limits
    if args.rate_limit_scope == "account":
        if limits is None:
            raise UsageError("--rate-limit-scope needs --rate-limits")
        limits = limits.account_wide()
    rates = (args.fault_5xx, args.fault_429, args.fault_reset_before, args.fault_reset_after)
    if sum(rates) > 1:
        raise UsageError(f"the --fault-* rates add up to {sum(rates):g}, more than 1")
    faults = Faults(
        server_error=args.fault_5xx,
        rate_limit=args.fault_429,
        reset_before_commit=args.fault_reset_before,
        reset_after_commit=args.fault_reset_after,
        retry_after=args.retry_after,
    )
    return Emulator(
        host=args.host,
        port=args.port,
        faults=faults,
        latency=args.latency,
        seed=args.seed,
        webhook_url=args.webhook_url,
        webhook_secret=args.webhook_secret,
        processing_delay=args.processing_delay,
        redaction_delay=args.redaction_delay,
        rate_limits=limits,
        public_url=args.public_url,
        event_destinations=destinations,
        verification_flows=args.verification_flows,
        webhook_duplicates=args.webhook_duplicates,
    )


async def _serve(emulator: Any, args: argparse.Namespace) -> None:
    """Serve until SIGINT or SIGTERM, then stop cleanly (exit status 0 either way)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await emulator.start()
    except OSError as exc:
        raise ListenError(args.host, args.port, exc) from None
    try:
        _banner(emulator, args.public_url)
        if args.webhook_url:
            print(f"  signed webhook events go to {args.webhook_url}", flush=True)
        if args.event_destination_url:
            print(f"  signed thin events go to {args.event_destination_url}", flush=True)
        print("  press Ctrl-C to stop", flush=True)
        await stop.wait()
    finally:
        await emulator.stop()
    print("emulator stopped", flush=True)


def _banner(emulator: Any, public_url: str | None) -> None:
    from ..emulator._urls import is_wildcard

    print(f"Stripe Identity emulator listening on {emulator.public_url}", flush=True)
    if public_url is not None:
        print(f"  bound to {emulator.host} port {emulator.port}", flush=True)
    elif is_wildcard(emulator.host):
        print(
            f"  bound to every interface ({emulator.host}); links advertise {emulator.public_url},"
            " which only this machine reaches: give --public-url for other machines or containers",
            flush=True,
        )
    print(
        f"  use it with: AsyncStripeIdentity('sk_test_...', api_base='{emulator.public_url}')",
        flush=True,
    )


def _log_to_stderr() -> None:
    """One line per request, and every failed webhook delivery, on stderr (stdout stays for the
    banner); ``--quiet``-style silence is ``2>/dev/null``."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%H:%M:%S"))
    logger = logging.getLogger("stripe_identity.emulator")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


class ListenError(Exception):
    """The emulator could not listen where it was told to (a network error: exit status 1)."""

    def __init__(self, host: str, port: int, error: OSError) -> None:
        if error.errno == errno.EADDRINUSE:
            reason = "the port is in use (choose another with --port, or --port 0 for any free one)"
        elif error.errno == errno.EADDRNOTAVAIL:
            reason = "this machine has no such address"
        else:
            reason = error.strerror or str(error)
        super().__init__(f"cannot listen on {host}:{port}: {reason}")


def _run_demo(args: argparse.Namespace) -> int:
    from .._demo import run_demo

    return run_demo()


def add_emulator(commands: Any) -> None:
    """The ``emulator`` command, in ``commands`` (a subparsers action)."""
    emu = commands.add_parser(
        "emulator",
        help="serve the emulator until interrupted",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _options(emu)
    emu.set_defaults(run=_run_emulator)


def add_demo(commands: Any) -> None:
    """The ``demo`` command, in ``commands`` (a subparsers action)."""
    demo = commands.add_parser(
        "demo", help="walk through the API against the embedded emulator", epilog=EPILOG
    )
    demo.set_defaults(run=_run_demo)
