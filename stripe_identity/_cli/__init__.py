"""The ``stripe-identity`` command (also ``python -m stripe_identity``).

    stripe-identity demo                         # the whole flow against the embedded emulator
    stripe-identity emulator --port 12111        # serve the emulator until Ctrl-C
    stripe-identity sessions create --type document -d metadata[user]=42
    stripe-identity sessions list --status verified --all
    stripe-identity reports retrieve vr_...
    stripe-identity files download file_... -o front.png   # a restricted key (rk_...) for images
    stripe-identity file-links create file_... --expires-in 30
    stripe-identity events list --type 'identity.verification_session.*' --all
    stripe-identity ephemeral-keys create --verification-session vs_... --stripe-version 2020-08-27
    stripe-identity raw GET /v1/files/file_... --base files

API commands print JSON on stdout; errors print a JSON error on stderr and exit 1. They read the key
from ``--api-key`` or ``STRIPE_API_KEY`` and the URL from ``--api-base`` or ``STRIPE_API_BASE``.

Every command runs inside :func:`main`, which turns what can go wrong into one line on stderr and an
exit status (:data:`EXIT_STATUSES`), never a traceback. The modules:

* ``_status``: the exit statuses, and :class:`UsageError` for input the command cannot use;
* ``_values``: the checking ``type=`` of options (:func:`~._values.seconds`, :func:`~._values.rate`...),
  and :func:`~._values.choices`, an option's choices from one of the SDK's ``Literal`` types;
* ``_api``: the API commands' framework (:class:`Resource`, :class:`Operation`, the client, JSON out);
* ``_verification``, ``_files``, ``_events``: the API resources; ``_raw``: any endpoint;
* ``_emulator``: the ``emulator`` and ``demo`` commands.

To add a command: an API resource is one more :class:`Resource` in :data:`RESOURCES` (its operations'
options added by ``param_option`` become params); anything else is a subparser, added in
:func:`_parser`, whose ``run`` is a function of the parsed arguments returning the exit status and
raising :class:`UsageError` for bad input. Give every option a ``help=``, a checking ``type=`` to
every number, and take an enum's ``choices=`` from the SDK's ``Literal`` with ``choices(...)``
rather than listing its values again. Import heavy modules (the client, the emulator) inside the
function that needs them, so that ``--help`` and usage errors stay quick.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from .._errors import StripeError
from .._version import __version__
from ._api import Operation, Resource, add_resource
from ._emulator import ListenError, add_demo, add_emulator
from ._events import EPHEMERAL_KEYS, EVENTS
from ._files import FILE_LINKS, FILES
from ._raw import add_raw
from ._status import (
    EPILOG,
    EXIT_CLOSED_PIPE,
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_STATUSES,
    EXIT_USAGE,
    UsageError,
)
from ._verification import REPORTS, SESSIONS

__all__ = ["EXIT_STATUSES", "RESOURCES", "Operation", "Resource", "UsageError", "main"]

#: The API commands, in the order ``--help`` lists them.
RESOURCES: list[Resource] = [SESSIONS, REPORTS, FILES, FILE_LINKS, EVENTS, EPHEMERAL_KEYS]


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors on one line (and a pointer to ``--help``) instead of the usage."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="stripe-identity",
        description="Stripe Identity from the command line, and a local emulator of its API.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_demo(commands)
    add_emulator(commands)
    for resource in RESOURCES:
        add_resource(commands, resource)
    add_raw(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return its exit status (see ``stripe-identity --help``)."""
    try:
        args = _parser().parse_args(argv)
        run: Callable[[argparse.Namespace], int] = args.run
        return run(args)
    except UsageError as exc:
        print(f"stripe-identity: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except StripeError as exc:
        json.dump(_error_json(exc), sys.stderr, indent=2)
        sys.stderr.write("\n")
        return EXIT_ERROR
    except ListenError as exc:
        print(f"stripe-identity: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("stripe-identity: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (| head): stop quietly.
        _silence_stdout()
        return EXIT_CLOSED_PIPE
    except OSError as exc:  # a file that cannot be written, a full disk behind stdout...
        where = f": {exc.filename}" if exc.filename else ""
        print(f"stripe-identity: error: {exc.strerror or exc}{where}", file=sys.stderr)
        _silence_stdout()
        return EXIT_ERROR


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


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's final flush of what could not be written
    does not fail again with "Exception ignored ..."."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
