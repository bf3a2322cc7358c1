"""What a newcomer finds without reading the source: help() and tracebacks."""

from __future__ import annotations

import pydoc
import traceback

import pytest

import stripe_identity as si

SERVICES = (
    "verification_sessions",
    "verification_reports",
    "ephemeral_keys",
    "files",
    "file_links",
    "events",
)


@pytest.mark.parametrize("client_class", [si.AsyncStripeIdentity, si.StripeIdentity])
def test_help_lists_every_service_of_a_client(client_class: type) -> None:
    text = pydoc.plain(pydoc.render_doc(client_class))
    for service in SERVICES:
        assert f"{service} = " in text or f"{service}\n" in text, service
    assert "Create, list, retrieve, update, cancel and redact VerificationSessions." in text


EXCEPTIONS = [
    name
    for name in si.__all__
    if isinstance(getattr(si, name), type) and issubclass(getattr(si, name), BaseException)
]


@pytest.mark.parametrize("name", EXCEPTIONS)
def test_tracebacks_name_errors_where_users_import_them(name: str) -> None:
    error_class = getattr(si, name)
    shown = traceback.format_exception_only(error_class("message"))[-1]
    assert shown.startswith(f"stripe_identity.{name}: "), shown
