"""``raw``: any endpoint, through the same pipeline as the typed operations, printed as JSON."""

from __future__ import annotations

import argparse
from typing import Any

from .._errors import StripeError
from .._ids import check_path
from .._requestor import Base
from ._api import api_options, open_client, params_of, print_json
from ._status import EPILOG, EXIT_OK, UsageError
from ._values import choices

__all__ = ["add_raw"]

#: What ``raw_request`` sends: the methods the API's endpoints use.
METHODS = ["GET", "POST", "DELETE"]


def _run(args: argparse.Namespace) -> int:
    params = params_of(args)
    try:
        check_path(args.path)
    except StripeError as exc:
        raise UsageError(exc.message) from None
    with open_client(args) as client:
        result = client.raw_request(args.method, args.path, params or None, base=args.base)
    print_json(dict(result))
    return EXIT_OK


def add_raw(commands: Any) -> None:
    """The ``raw`` command, in ``commands`` (a subparsers action)."""
    raw = commands.add_parser(
        "raw",
        help="call any endpoint, printed as JSON",
        description="Call any endpoint through the same pipeline (retries, idempotency, errors).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    raw.add_argument("method", type=str.upper, choices=METHODS, help="the method")
    raw.add_argument("path", help="e.g. /v1/events/evt_...")
    raw.add_argument(
        "--base", choices=choices(Base), default="api", help="the API (default) or the files host"
    )
    api_options(raw)
    raw.set_defaults(run=_run)
