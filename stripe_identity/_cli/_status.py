"""The command's exit statuses, the epilog that lists them, and the error for bad input.

Every module of the command imports these; none of them imports the command's other modules.
"""

from __future__ import annotations

__all__ = [
    "EPILOG",
    "EXIT_CLOSED_PIPE",
    "EXIT_ERROR",
    "EXIT_INCOMPLETE",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_STATUSES",
    "EXIT_USAGE",
    "UsageError",
]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INCOMPLETE = 3
EXIT_INTERRUPTED = 130
EXIT_CLOSED_PIPE = 141

EXIT_STATUSES = {
    EXIT_OK: "success (the emulator also exits 0 when stopped with Ctrl-C or SIGTERM)",
    EXIT_ERROR: (
        "the API answered with an error (JSON on stderr), the network failed, or a file or the "
        "output could not be written"
    ),
    EXIT_USAGE: "usage error: an unknown option, a value out of range, a malformed -d or --api-base",
    EXIT_INCOMPLETE: (
        "a bulk job went through every session, but some failed (listed in its summary): run it "
        "again to retry them"
    ),
    EXIT_INTERRUPTED: "interrupted (Ctrl-C); a bulk job with a checkpoint resumes when run again",
    EXIT_CLOSED_PIPE: "stdout was closed early (piped into head, say): output stops quietly",
}

#: Ends every command's ``--help``.
EPILOG = "exit status:\n" + "\n".join(f"  {code:<4} {text}" for code, text in EXIT_STATUSES.items())


class UsageError(Exception):
    """Input the command cannot use: reported on one line, exit status 2."""
