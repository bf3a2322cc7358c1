"""``sessions`` and ``reports``: the VerificationSession and VerificationReport operations."""

from __future__ import annotations

import argparse

from .._models._common import VerificationSessionStatusName
from .._params.verification_sessions import SessionTypeName
from ._api import Operation, Resource, list_options, list_page, param_option, retrieve
from ._jobs import export_options, redact_options, run_export, run_redact
from ._values import choices, key_value

__all__ = ["REPORTS", "SESSIONS"]


def _session_options(cmd: argparse.ArgumentParser) -> None:
    param_option(cmd, "--type", choices=choices(SessionTypeName), help="the verification check")
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
    list_options(cmd)
    param_option(
        cmd,
        "--status",
        choices=choices(VerificationSessionStatusName),
        help="only sessions in this status",
    )
    param_option(cmd, "--client-reference-id", metavar="ID", help="only sessions with this reference")


def _list_reports_options(cmd: argparse.ArgumentParser) -> None:
    list_options(cmd)
    param_option(cmd, "--verification-session", metavar="ID", help="only this session's reports")
    param_option(cmd, "--type", choices=choices(SessionTypeName), help="only reports of this check")
    param_option(cmd, "--client-reference-id", metavar="ID", help="only reports with this reference")


SESSIONS = Resource(
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
            list_page,
            takes_id=False,
            options=_list_sessions_options,
        ),
        "retrieve": Operation("retrieve a VerificationSession", retrieve),
        "update": Operation(
            "update a session in requires_input",
            lambda s, a, p: s.update(a.id, p),
            options=_session_options,
        ),
        "cancel": Operation("cancel a session in requires_input", lambda s, a, p: s.cancel(a.id, p)),
        "redact": Operation(
            "redact a session's personal data, or every selected session's (irreversible)",
            takes_id=False,
            options=redact_options,
            run=run_redact,
        ),
        "export": Operation(
            "export the selected sessions as JSON lines or CSV",
            takes_id=False,
            options=export_options,
            run=run_export,
        ),
    },
)

REPORTS = Resource(
    "reports",
    "VerificationReport operations, printed as JSON",
    "verification_reports",
    "the VerificationReport id (vr_...)",
    {
        "list": Operation(
            "list VerificationReports, newest first",
            list_page,
            takes_id=False,
            options=_list_reports_options,
        ),
        "retrieve": Operation("retrieve a VerificationReport", retrieve),
    },
)
