"""The ``stripe-identity`` command (also ``python -m stripe_identity``).

    stripe-identity demo                         # the whole flow against the embedded emulator
    stripe-identity emulator --port 12111        # serve the emulator until Ctrl-C
    stripe-identity sessions create --type document -d metadata[user]=42
    stripe-identity sessions list --status verified --all
    stripe-identity reports retrieve vr_...

API commands print JSON on stdout; errors print a JSON error on stderr and exit 1. They read the key
from ``--api-key`` or ``STRIPE_API_KEY`` and the URL from ``--api-base`` or ``STRIPE_API_BASE``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote, quote_plus

from ._client import DEFAULT_API_BASE
from ._encoding import FormDecodeError, decode_form
from ._errors import StripeError
from ._sync import StripeIdentity
from ._version import __version__

__all__ = ["main"]


def _pairs(values: Sequence[str]) -> dict[str, Any]:
    """``["metadata[a]=1", "expand[]=x"]`` -> params, with Stripe's bracket syntax."""
    parts = []
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise SystemExit(f"stripe-identity: -d expects KEY=VALUE, got {item!r}")
        parts.append(f"{quote(key, safe='[]')}={quote_plus(value)}")
    try:
        return decode_form("&".join(parts))
    except FormDecodeError as exc:
        raise SystemExit(f"stripe-identity: {exc}") from None


def _params(args: argparse.Namespace) -> dict[str, Any]:
    params = _pairs(args.data or [])
    for name in ("type", "client_reference_id", "status", "verification_session", "limit"):
        value = getattr(args, name, None)
        if value is not None:
            params[name] = value
    for item in getattr(args, "metadata", None) or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"stripe-identity: --metadata expects KEY=VALUE, got {item!r}")
        params.setdefault("metadata", {})[key] = value
    if getattr(args, "expand", None):
        params["expand"] = args.expand
    return params


def _print(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def _error_json(exc: StripeError) -> dict[str, Any]:
    error = {
        "type": type(exc).__name__,
        "message": exc.message,
        "http_status": exc.http_status,
        "code": exc.code,
        "param": exc.param,
        "request_id": exc.request_id,
    }
    return {"error": {k: v for k, v in error.items() if v is not None}}


def _run_api(args: argparse.Namespace) -> int:
    client = StripeIdentity(
        args.api_key or None,
        api_base=args.api_base,
        stripe_account=args.stripe_account,
        max_retries=args.max_retries,
    )
    try:
        with client:
            action: Callable[[StripeIdentity, argparse.Namespace], Any] = args.action
            result = action(client, args)
    except StripeError as exc:
        json.dump(_error_json(exc), sys.stderr, indent=2)
        sys.stderr.write("\n")
        return 1
    if result is not None:
        _print(result)
    return 0


def _list(service: Any, args: argparse.Namespace) -> Any:
    page = service.list(_params(args))
    if args.all:
        return [item.to_dict() for item in page.auto_paging_iter()]
    return page.to_dict()


_SESSION_ACTIONS: dict[str, Callable[[StripeIdentity, argparse.Namespace], Any]] = {
    "create": lambda c, a: c.verification_sessions.create(_params(a)).to_dict(),
    "list": lambda c, a: _list(c.verification_sessions, a),
    "retrieve": lambda c, a: c.verification_sessions.retrieve(a.id, _params(a)).to_dict(),
    "update": lambda c, a: c.verification_sessions.update(a.id, _params(a)).to_dict(),
    "cancel": lambda c, a: c.verification_sessions.cancel(a.id, _params(a)).to_dict(),
    "redact": lambda c, a: c.verification_sessions.redact(a.id, _params(a)).to_dict(),
}
_REPORT_ACTIONS: dict[str, Callable[[StripeIdentity, argparse.Namespace], Any]] = {
    "list": lambda c, a: _list(c.verification_reports, a),
    "retrieve": lambda c, a: c.verification_reports.retrieve(a.id, _params(a)).to_dict(),
}


def _run_emulator(args: argparse.Namespace) -> int:
    from .emulator import Emulator, Faults

    faults = Faults(
        server_error=args.fault_5xx,
        rate_limit=args.fault_429,
        reset_before_commit=args.fault_reset_before,
        reset_after_commit=args.fault_reset_after,
        retry_after=args.retry_after,
    )

    async def serve() -> None:
        emulator = Emulator(
            host=args.host,
            port=args.port,
            faults=faults,
            latency=args.latency,
            seed=args.seed,
            webhook_url=args.webhook_url,
            webhook_secret=args.webhook_secret,
            processing_delay=args.processing_delay,
            redaction_delay=args.redaction_delay,
            rate_limits=args.rate_limits,
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        async with emulator:
            print(f"Stripe Identity emulator listening on {emulator.api_base}", flush=True)
            print(
                f"  use it with: AsyncStripeIdentity('sk_test_...', api_base='{emulator.api_base}')",
                flush=True,
            )
            if args.webhook_url:
                print(f"  signed webhook events go to {args.webhook_url}", flush=True)
            print("  press Ctrl-C to stop", flush=True)
            await stop.wait()
        print("emulator stopped", flush=True)

    asyncio.run(serve())
    return 0


def _run_demo(args: argparse.Namespace) -> int:
    from ._demo import run_demo

    return run_demo()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stripe-identity",
        description="Stripe Identity from the command line, and a local emulator of its API.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", help="walk through the API against the embedded emulator")
    demo.set_defaults(run=_run_demo)

    emu = commands.add_parser("emulator", help="serve the emulator until interrupted")
    emu.add_argument("--host", default="127.0.0.1")
    emu.add_argument("--port", type=int, default=12111)
    emu.add_argument("--seed", default=None, help="make ids and faults reproducible")
    emu.add_argument("--latency", type=float, default=0.0, help="seconds added to each request")
    emu.add_argument("--fault-5xx", type=float, default=0.0, metavar="RATE")
    emu.add_argument("--fault-429", type=float, default=0.0, metavar="RATE")
    emu.add_argument("--retry-after", type=float, default=None, metavar="SECONDS")
    emu.add_argument("--fault-reset-before", type=float, default=0.0, metavar="RATE")
    emu.add_argument("--fault-reset-after", type=float, default=0.0, metavar="RATE")
    emu.add_argument("--processing-delay", type=float, default=0.0, metavar="SECONDS")
    emu.add_argument("--redaction-delay", type=float, default=0.0, metavar="SECONDS")
    emu.add_argument("--webhook-url", default=None)
    emu.add_argument("--webhook-secret", default=None)
    emu.add_argument(
        "--rate-limits",
        type=_rate_limits,
        default=None,
        metavar="test|live|N",
        help="answer 429 rate_limit past Stripe's test or live limits, or N requests/s per key",
    )
    emu.set_defaults(run=_run_emulator)

    for name, actions, id_name in (
        ("sessions", _SESSION_ACTIONS, "session"),
        ("reports", _REPORT_ACTIONS, "report"),
    ):
        kind = "VerificationSession" if name == "sessions" else "VerificationReport"
        group = commands.add_parser(name, help=f"{kind} operations, printed as JSON")
        sub = group.add_subparsers(dest="operation", required=True)
        for operation, action in actions.items():
            cmd = sub.add_parser(operation)
            _api_options(cmd)
            if operation not in ("create", "list"):
                cmd.add_argument("id", help=f"the {id_name} id")
            cmd.add_argument(
                "-d",
                "--data",
                action="append",
                metavar="KEY=VALUE",
                help="a param in Stripe's bracket syntax, e.g. metadata[user]=42",
            )
            cmd.add_argument("--expand", action="append", metavar="FIELD")
            if name == "sessions" and operation in ("create", "update"):
                cmd.add_argument("--type", choices=["document", "id_number"])
                cmd.add_argument("--metadata", action="append", metavar="KEY=VALUE")
            if name == "sessions" and operation == "create":
                cmd.add_argument("--client-reference-id")
            if operation == "list":
                cmd.add_argument("--limit", type=int)
                cmd.add_argument("--all", action="store_true", help="follow every page")
                if name == "sessions":
                    cmd.add_argument(
                        "--status",
                        choices=["canceled", "processing", "requires_input", "verified"],
                    )
                else:
                    cmd.add_argument("--verification-session")
            cmd.set_defaults(run=_run_api, action=action)
    return parser


def _rate_limits(text: str) -> Any:
    """``--rate-limits``: a bad value is a usage error (argparse prints it and exits 2)."""
    from .emulator import RateLimits

    try:
        return RateLimits.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _api_options(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument(
        "--api-key", default=os.environ.get("STRIPE_API_KEY"), help="defaults to $STRIPE_API_KEY"
    )
    cmd.add_argument(
        "--api-base",
        default=os.environ.get("STRIPE_API_BASE", DEFAULT_API_BASE),
        help="defaults to $STRIPE_API_BASE or https://api.stripe.com",
    )
    cmd.add_argument("--stripe-account", default=None)
    cmd.add_argument("--max-retries", type=int, default=2)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except ValueError as exc:  # a configuration the client refuses (e.g. http:// to a remote host)
        print(f"stripe-identity: {exc}", file=sys.stderr)
        return 2
    return code
