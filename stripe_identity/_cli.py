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
exit status (:data:`EXIT_STATUSES`), never a traceback. To add a command: an API resource is one more
:class:`Resource` in :data:`RESOURCES`; anything else is a subparser whose ``run`` is a function of
the parsed arguments returning the exit status, raising :class:`UsageError` for bad input. Give every
option a ``help=``, and a checking ``type=`` (:func:`seconds`, :func:`rate`...) to every number.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import json
import logging
import math
import os
import signal
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn
from urllib.parse import quote, quote_plus

from ._client import DEFAULT_API_BASE
from ._encoding import FormDecodeError, decode_form
from ._errors import StripeError
from ._ids import check_path
from ._version import __version__

__all__ = ["EXIT_STATUSES", "RESOURCES", "Operation", "Resource", "UsageError", "main"]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_CLOSED_PIPE = 141

EXIT_STATUSES = {
    EXIT_OK: "success (the emulator also exits 0 when stopped with Ctrl-C or SIGTERM)",
    EXIT_ERROR: (
        "the API answered with an error (JSON on stderr), the network failed, or a file or the "
        "output could not be written"
    ),
    EXIT_USAGE: "usage error: an unknown option, a value out of range, a malformed -d or --api-base",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C)",
    EXIT_CLOSED_PIPE: "stdout was closed early (piped into head, say): output stops quietly",
}

EPILOG = "exit status:\n" + "\n".join(f"  {code:<4} {text}" for code, text in EXIT_STATUSES.items())


class UsageError(Exception):
    """Input the command cannot use: reported on one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors on one line (and a pointer to ``--help``) instead of the usage."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


# --- checked values for options ------------------------------------------------------------------


def _number(text: str, kind: Callable[[str], float]) -> float:
    try:
        value = kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value


def seconds(text: str) -> float:
    """A duration in seconds: a finite number, 0 or more."""
    value = _number(text, float)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative: give 0 or more seconds")
    return value


def rate(text: str) -> float:
    """A probability: a number from 0 to 1."""
    value = _number(text, float)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text} is not a rate between 0 and 1")
    return value


def _integer(text: str, low: int, high: int | None, what: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < low or (high is not None and value > high):
        bounds = f"from {low} to {high}" if high is not None else f"of {low} or more"
        raise argparse.ArgumentTypeError(f"{text} is not {what} (a whole number {bounds})")
    return value


def port(text: str) -> int:
    """A TCP port number; 0 asks for any free port."""
    return _integer(text, 0, 65535, "a port number")


def count(text: str) -> int:
    """A whole number, 0 or more."""
    return _integer(text, 0, None, "a count")


def page_size(text: str) -> int:
    """A page size, as Stripe's ``limit`` takes it: 1 to 100."""
    return _integer(text, 1, 100, "a page size")


def rate_limits(text: str) -> Any:
    """The emulator's limits: ``test``, ``live`` or N requests per second per key."""
    from .emulator import RateLimits

    try:
        return RateLimits.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _url(text: str, query: bool) -> str:
    from .emulator._urls import http_url as checked

    try:
        return checked(text, "the URL", query=query)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def http_url(text: str) -> str:
    """An absolute ``http://`` or ``https://`` URL with a host."""
    return _url(text, query=True)


def base_url(text: str) -> str:
    """An absolute ``http://`` or ``https://`` URL with a host, and no query or fragment."""
    return _url(text, query=False)


def key_value(text: str) -> tuple[str, str]:
    """``KEY=VALUE``, with a non-empty key."""
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key, value


# --- API commands ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    """One API subcommand: ``call(service, args, params)`` returns what to print as JSON."""

    help: str
    call: Callable[[Any, argparse.Namespace, dict[str, Any]], Any]
    takes_id: bool = True
    #: Adds the operation's own options; those added by :func:`param_option` become params.
    options: Callable[[argparse.ArgumentParser], None] | None = None


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


def _params(args: argparse.Namespace) -> dict[str, Any]:
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


def _to_json(result: Any) -> Any:
    return result.to_dict() if hasattr(result, "to_dict") else result


def _list(service: Any, args: argparse.Namespace, params: dict[str, Any]) -> Any:
    page = service.list(params)
    if args.all:
        return [item.to_dict() for item in page.auto_paging_iter()]
    return page.to_dict()


def _list_options(cmd: argparse.ArgumentParser) -> None:
    param_option(cmd, "--limit", type=page_size, metavar="N", help="items per page, 1 to 100")
    cmd.add_argument(
        "--all", action="store_true", help="follow every page and print one JSON array of the items"
    )


def _session_options(cmd: argparse.ArgumentParser) -> None:
    param_option(cmd, "--type", choices=["document", "id_number"], help="the verification check")
    param_option(
        cmd,
        "--metadata",
        action="append",
        type=key_value,
        metavar="KEY=VALUE",
        help="a metadata entry (repeatable)",
    )


def _create_session_options(cmd: argparse.ArgumentParser) -> None:
    _session_options(cmd)
    param_option(cmd, "--client-reference-id", metavar="ID", help="your id for the user or session")
    param_option(cmd, "--return-url", metavar="URL", help="where the user goes after verifying")


def _list_sessions_options(cmd: argparse.ArgumentParser) -> None:
    _list_options(cmd)
    param_option(
        cmd,
        "--status",
        choices=["canceled", "processing", "requires_input", "verified"],
        help="only sessions in this status",
    )
    param_option(cmd, "--client-reference-id", metavar="ID", help="only sessions with this reference")


def _list_reports_options(cmd: argparse.ArgumentParser) -> None:
    _list_options(cmd)
    param_option(cmd, "--verification-session", metavar="ID", help="only this session's reports")
    param_option(cmd, "--type", choices=["document", "id_number"], help="only reports of this check")
    param_option(cmd, "--client-reference-id", metavar="ID", help="only reports with this reference")


def _download(files: Any, args: argparse.Namespace, params: dict[str, Any]) -> Any:
    if args.output is not None:
        folder = os.path.dirname(os.path.abspath(args.output))
        if not os.path.isdir(folder):
            raise UsageError(f"-o: the folder {folder} does not exist")
        size = files.download_to(args.id, args.output)
        return {"file": args.id, "path": args.output, "size": size}
    if sys.stdout.isatty():
        raise UsageError("not writing a binary file to a terminal: use -o PATH")
    out = sys.stdout.buffer
    files.download_to(args.id, out)
    out.flush()
    return None  # the bytes were the output


def _download_options(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument(
        "-o",
        "--output",
        metavar="PATH",
        help="write the file here (it appears only once complete); without it, to stdout",
    )


def _create_link(links: Any, args: argparse.Namespace, params: dict[str, Any]) -> Any:
    params = {**params, "file": args.file}
    if args.expires_in is not None:
        params["expires_at"] = int(time.time()) + args.expires_in
    return links.create(params)


def _link_options(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("file", help="the file id (file_...)")
    cmd.add_argument(
        "--expires-in",
        type=count,
        metavar="SECONDS",
        help="expire the link this many seconds from now (Identity images: 30 at most)",
    )


def _list_events_options(cmd: argparse.ArgumentParser) -> None:
    _list_options(cmd)
    param_option(cmd, "--type", metavar="TYPE", help="only events of this type; * is a wildcard")


def _ephemeral_key_options(cmd: argparse.ArgumentParser) -> None:
    param_option(cmd, "--verification-session", required=True, metavar="ID", help="the session (vs_...)")
    cmd.add_argument(
        "--stripe-version",
        dest="key_version",
        required=True,
        metavar="VERSION",
        help="the API version of the mobile SDK that will use the key",
    )


RESOURCES: list[Resource] = [
    Resource(
        "sessions",
        "VerificationSession operations, printed as JSON",
        "verification_sessions",
        "the VerificationSession id (vs_...)",
        {
            "create": Operation(
                "create a VerificationSession",
                lambda s, a, p: s.create(p),
                takes_id=False,
                options=_create_session_options,
            ),
            "list": Operation(
                "list VerificationSessions, newest first",
                _list,
                takes_id=False,
                options=_list_sessions_options,
            ),
            "retrieve": Operation("retrieve a VerificationSession", lambda s, a, p: s.retrieve(a.id, p)),
            "update": Operation(
                "update a session in requires_input",
                lambda s, a, p: s.update(a.id, p),
                options=_session_options,
            ),
            "cancel": Operation("cancel a session in requires_input", lambda s, a, p: s.cancel(a.id, p)),
            "redact": Operation(
                "redact a session's personal data (irreversible)", lambda s, a, p: s.redact(a.id, p)
            ),
        },
    ),
    Resource(
        "reports",
        "VerificationReport operations, printed as JSON",
        "verification_reports",
        "the VerificationReport id (vr_...)",
        {
            "list": Operation(
                "list VerificationReports, newest first",
                _list,
                takes_id=False,
                options=_list_reports_options,
            ),
            "retrieve": Operation("retrieve a VerificationReport", lambda s, a, p: s.retrieve(a.id, p)),
        },
    ),
    Resource(
        "files",
        "File metadata and contents (Identity images need a restricted key)",
        "files",
        "the file id (file_...)",
        {
            "retrieve": Operation("retrieve a file's metadata", lambda s, a, p: s.retrieve(a.id, p)),
            "download": Operation("download a file's contents", _download, options=_download_options),
        },
    ),
    Resource(
        "file-links",
        "FileLink operations, printed as JSON",
        "file_links",
        "the file link id (link_...)",
        {
            "create": Operation(
                "create a link to a file", _create_link, takes_id=False, options=_link_options
            ),
            "retrieve": Operation("retrieve a file link", lambda s, a, p: s.retrieve(a.id, p)),
        },
    ),
    Resource(
        "events",
        "Event operations, printed as JSON (to catch up on missed webhooks)",
        "events",
        "the event id (evt_...)",
        {
            "list": Operation(
                "list events, newest first", _list, takes_id=False, options=_list_events_options
            ),
            "retrieve": Operation("retrieve an event", lambda s, a, p: s.retrieve(a.id, p)),
        },
    ),
    Resource(
        "ephemeral-keys",
        "EphemeralKey operations, printed as JSON (for Stripe's mobile SDKs)",
        "ephemeral_keys",
        "the ephemeral key id (ephkey_...)",
        {
            "create": Operation(
                "create an ephemeral key for a session (the secret is in the output)",
                lambda s, a, p: s.create(p, {"stripe_version": a.key_version}),
                takes_id=False,
                options=_ephemeral_key_options,
            ),
            "delete": Operation("delete (revoke) an ephemeral key", lambda s, a, p: s.delete(a.id, p)),
        },
    ),
]


def _api_options(cmd: argparse.ArgumentParser) -> None:
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


def _client(args: argparse.Namespace) -> Any:
    from ._sync import StripeIdentity

    try:
        return StripeIdentity(
            args.api_key or None,
            api_base=args.api_base,
            stripe_account=args.stripe_account,
            max_retries=args.max_retries,
            allow_insecure_http=args.allow_insecure_http,
        )
    except ValueError as exc:  # an api_base the client refuses (not a URL, plain http to a remote)
        raise UsageError(f"--api-base: {exc}") from None


def _run_api(args: argparse.Namespace) -> int:
    params = _params(args)  # bad input is a usage error before anything is sent
    with _client(args) as client:
        operation: Operation = args.operation
        result = operation.call(getattr(client, args.service), args, params)
    if result is not None:
        _print(_to_json(result))
    return EXIT_OK


def _run_raw(args: argparse.Namespace) -> int:
    params = _params(args)
    try:
        check_path(args.path)
    except StripeError as exc:
        raise UsageError(exc.message) from None
    with _client(args) as client:
        result = client.raw_request(args.method, args.path, params or None, base=args.base)
    _print(dict(result))
    return EXIT_OK


def _raw_command(commands: Any) -> None:
    raw = commands.add_parser(
        "raw",
        help="call any endpoint, printed as JSON",
        description="Call any endpoint through the same pipeline (retries, idempotency, errors).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    raw.add_argument("method", type=str.upper, choices=["GET", "POST", "DELETE"], help="the method")
    raw.add_argument("path", help="e.g. /v1/events/evt_...")
    raw.add_argument(
        "--base", choices=["api", "files"], default="api", help="the API (default) or the files host"
    )
    _api_options(raw)
    raw.set_defaults(run=_run_raw)


def _print(data: Any) -> None:
    # Text as it is where stdout speaks Unicode; elsewhere (PYTHONIOENCODING=ascii, a latin-1
    # terminal) JSON's own \u escapes, which every encoding can carry.
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "").replace("_", "")
    json.dump(data, sys.stdout, indent=2, ensure_ascii=not encoding.startswith("utf"))
    sys.stdout.write("\n")
    sys.stdout.flush()  # a closed pipe shows up here, inside main(), not at interpreter exit


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


# --- the emulator and the demo ---------------------------------------------------------------------


def _emulator_options(emu: argparse.ArgumentParser) -> None:
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
        "--rate-limits",
        type=rate_limits,
        default=None,
        metavar="test|live|N",
        help="answer 429 rate_limit past Stripe's test or live limits, or N requests/s per key",
    )


def _run_emulator(args: argparse.Namespace) -> int:
    from .emulator import Emulator, Faults

    if (args.webhook_url is None) != (args.webhook_secret is None):
        raise UsageError("--webhook-url and --webhook-secret go together")
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
        public_url=args.public_url,
    )

    _log_to_stderr()

    async def serve() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        try:
            await emulator.start()
        except OSError as exc:
            raise _ListenError(args.host, args.port, exc) from None
        try:
            _banner(emulator, args.public_url)
            if args.webhook_url:
                print(f"  signed webhook events go to {args.webhook_url}", flush=True)
            print("  press Ctrl-C to stop", flush=True)
            await stop.wait()
        finally:
            await emulator.stop()
        print("emulator stopped", flush=True)

    asyncio.run(serve())
    return EXIT_OK


def _banner(emulator: Any, public_url: str | None) -> None:
    from .emulator._urls import is_wildcard

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


class _ListenError(Exception):
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
    from ._demo import run_demo

    return run_demo()


# --- the parser, and main() ------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="stripe-identity",
        description="Stripe Identity from the command line, and a local emulator of its API.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser(
        "demo", help="walk through the API against the embedded emulator", epilog=EPILOG
    )
    demo.set_defaults(run=_run_demo)

    emu = commands.add_parser(
        "emulator",
        help="serve the emulator until interrupted",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _emulator_options(emu)
    emu.set_defaults(run=_run_emulator)

    for resource in RESOURCES:
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
            _api_options(cmd)
            if operation.options is not None:
                operation.options(cmd)
            cmd.set_defaults(run=_run_api, service=resource.service, operation=operation)
    _raw_command(commands)
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
    except _ListenError as exc:
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


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's final flush of what could not be written
    does not fail again with "Exception ignored ..."."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
