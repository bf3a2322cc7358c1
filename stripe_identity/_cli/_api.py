"""The API commands' framework: a :class:`Resource` is a command, its :class:`Operation` s the
subcommands; each call's result prints as JSON on stdout.

``stripe-identity <command> <operation> [id] [options]`` parses, builds the params (``-d`` pairs,
then the options made by :func:`param_option`), opens a sync client from ``--api-key`` and
``--api-base``, and calls the operation on the client's service.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, quote_plus

from .._defaults import DEFAULT_API_BASE
from .._encoding import FormDecodeError, decode_form
from ._status import EPILOG, EXIT_OK, UsageError
from ._values import count, key_value, page_size

__all__ = [
    "Operation",
    "Resource",
    "add_resource",
    "api_options",
    "list_options",
    "list_page",
    "open_client",
    "param_option",
    "params_of",
    "print_json",
    "retrieve",
]

#: ``call(service, args, params)``: what to print as JSON, or ``None`` when it printed its output.
Call = Callable[[Any, argparse.Namespace, dict[str, Any]], Any]


@dataclass(frozen=True)
class Operation:
    """One API subcommand: ``call(service, args, params)`` returns what to print as JSON.

    An operation that does more than one call and print (a bulk job) gives ``run`` instead: the
    whole command, from the parsed arguments to the exit status.
    """

    help: str
    call: Call | None = None
    takes_id: bool = True
    #: Adds the operation's own options; those added by :func:`param_option` become params.
    options: Callable[[argparse.ArgumentParser], None] | None = None
    run: Callable[[argparse.Namespace], int] | None = None


@dataclass(frozen=True)
class Resource:
    """An API resource as a command: ``stripe-identity <command> <operation> [id] [options]``."""

    command: str
    help: str
    service: str  # the client's attribute: "verification_sessions"
    id_help: str
    operations: dict[str, Operation] = field(default_factory=dict)


_PARAM = "param_"


def param_option(cmd: argparse.ArgumentParser, flag: str, **kwargs: Any) -> None:
    """An option whose value is sent as the param of the same name (``--client-reference-id``)."""
    name = flag.lstrip("-").replace("-", "_")
    cmd.add_argument(flag, dest=_PARAM + name, **kwargs)


def params_of(args: argparse.Namespace) -> dict[str, Any]:
    """The params of an API call: ``-d`` pairs, then the options of :func:`param_option`."""
    parts = [f"{quote(key, safe='[]')}={quote_plus(value)}" for key, value in args.data or []]
    try:
        params = decode_form("&".join(parts))
    except FormDecodeError as exc:
        raise UsageError(f"-d: {exc}") from None
    for dest, value in vars(args).items():
        if not dest.startswith(_PARAM) or value is None:
            continue
        name = dest[len(_PARAM) :]
        if isinstance(value, list) and all(isinstance(item, tuple) for item in value):
            existing = params.get(name)
            params[name] = {**(existing if isinstance(existing, dict) else {}), **dict(value)}
        else:
            params[name] = value
    return params


# --- what operations share ------------------------------------------------------------------------


def retrieve(service: Any, args: argparse.Namespace, params: dict[str, Any]) -> Any:
    """The ``retrieve ID`` operation every resource has."""
    return service.retrieve(args.id, params)


def list_page(service: Any, args: argparse.Namespace, params: dict[str, Any]) -> Any:
    """A ``list`` operation: one page, or with ``--all`` every item of every page."""
    page = service.list(params)
    if args.all:
        return [item.to_dict() for item in page.auto_paging_iter()]
    return page.to_dict()


def list_options(cmd: argparse.ArgumentParser) -> None:
    """The options of every ``list`` operation: ``--limit`` and ``--all``."""
    param_option(cmd, "--limit", type=page_size, metavar="N", help="items per page, 1 to 100")
    cmd.add_argument(
        "--all", action="store_true", help="follow every page and print one JSON array of the items"
    )


# --- the client, and the output -------------------------------------------------------------------


def api_options(cmd: argparse.ArgumentParser) -> None:
    """The options of every command that calls the API: the key, the URL, retries, ``-d``..."""
    cmd.add_argument(
        "--api-key",
        default=os.environ.get("STRIPE_API_KEY"),
        metavar="KEY",
        help="secret or restricted key (default: $STRIPE_API_KEY)",
    )
    cmd.add_argument(
        "--api-base",
        default=os.environ.get("STRIPE_API_BASE") or DEFAULT_API_BASE,
        metavar="URL",
        help=f"the API's URL, an emulator's say (default: $STRIPE_API_BASE or {DEFAULT_API_BASE})",
    )
    cmd.add_argument(
        "--allow-insecure-http",
        action="append",
        metavar="HOST",
        help="let plain http:// reach this host (an emulator in a Compose network, say); the key "
        "then travels in clear text (repeatable; default: $STRIPE_INSECURE_HTTP_HOSTS)",
    )
    cmd.add_argument(
        "--stripe-account", default=None, metavar="ACCOUNT", help="act as this connected account"
    )
    cmd.add_argument(
        "--max-retries", type=count, default=2, metavar="N", help="retries after the first attempt"
    )
    cmd.add_argument(
        "-d",
        "--data",
        action="append",
        type=key_value,
        metavar="KEY=VALUE",
        help="a param in Stripe's bracket syntax, e.g. metadata[user]=42 (repeatable)",
    )
    cmd.add_argument(
        "--expand", action="append", dest=_PARAM + "expand", metavar="FIELD", help="expand a field"
    )


def open_client(args: argparse.Namespace, **settings: Any) -> Any:
    """The sync client the options of :func:`api_options` describe, with ``settings`` added."""
    from .._sync import StripeIdentity

    try:
        return StripeIdentity(
            args.api_key or None,
            api_base=args.api_base,
            stripe_account=args.stripe_account,
            max_retries=args.max_retries,
            allow_insecure_http=args.allow_insecure_http,
            **settings,
        )
    except ValueError as exc:  # an api_base the client refuses (not a URL, plain http to a remote)
        raise UsageError(f"--api-base: {exc}") from None


def print_json(data: Any) -> None:
    """``data`` as indented JSON on stdout."""
    # Text as it is where stdout speaks Unicode; elsewhere (PYTHONIOENCODING=ascii, a latin-1
    # terminal) JSON's own \u escapes, which every encoding can carry.
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "").replace("_", "")
    json.dump(data, sys.stdout, indent=2, ensure_ascii=not encoding.startswith("utf"))
    sys.stdout.write("\n")
    sys.stdout.flush()  # a closed pipe shows up here, inside main(), not at interpreter exit


def _run(args: argparse.Namespace) -> int:
    params = params_of(args)  # bad input is a usage error before anything is sent
    operation: Operation = args.operation
    assert operation.call is not None
    with open_client(args) as client:
        result = operation.call(getattr(client, args.service), args, params)
    if result is not None:
        print_json(result.to_dict() if hasattr(result, "to_dict") else result)
    return EXIT_OK


# --- the subparsers -------------------------------------------------------------------------------


def add_resource(commands: Any, resource: Resource) -> None:
    """``resource`` as a command of ``commands`` (a subparsers action), one subcommand per operation."""
    group = commands.add_parser(resource.command, help=resource.help, epilog=EPILOG)
    operations = group.add_subparsers(dest="operation_name", required=True, metavar="OPERATION")
    for name, operation in resource.operations.items():
        cmd = operations.add_parser(
            name,
            help=operation.help,
            description=operation.help[:1].upper() + operation.help[1:] + ".",
            epilog=EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        if operation.takes_id:
            cmd.add_argument("id", help=resource.id_help)
        api_options(cmd)
        if operation.options is not None:
            operation.options(cmd)
        cmd.set_defaults(run=operation.run or _run, service=resource.service, operation=operation)
