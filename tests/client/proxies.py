"""What the proxy tests share: the credentials they use, every spelling in which a password could
leak, and the checks that none does."""

from __future__ import annotations

import base64
import ssl
import traceback

import pytest

import stripe_identity as si
from stripe_identity.emulator import Emulator
from tests.conftest import TEST_KEY

__all__ = [
    "PASSWORD",
    "PROXY_VARIABLES",
    "USER",
    "USERINFO",
    "WRONG_USERINFO",
    "assert_no_password",
    "client_for",
    "create_and_retrieve",
    "error_texts",
]

USER, PASSWORD = "user", "pa@ss"
USERINFO = "user:pa%40ss"  # as it is written in a URL
WRONG_USERINFO = "user:wr%40ng-pw"
# Every spelling in which a password could leak: plain, percent-encoded, and inside a Basic token.
SECRETS = (
    "pa@ss",
    "pa%40ss",
    base64.b64encode(b"user:pa@ss").decode(),
    "wr@ng-pw",
    "wr%40ng-pw",
    base64.b64encode(b"user:wr@ng-pw").decode(),
)
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


def assert_no_password(*texts: str, logs: pytest.LogCaptureFixture | None = None) -> None:
    """None of ``texts``, nor any log record (message or traceback), holds a proxy password."""
    everything = list(texts)
    if logs is not None:
        for record in logs.records:
            everything.append(record.getMessage())
            if record.exc_info and record.exc_info[1] is not None:
                everything.append("".join(traceback.format_exception(record.exc_info[1])))
    for text in everything:
        for secret in SECRETS:
            assert secret not in text, f"{secret!r} leaked into {text!r}"


def error_texts(error: BaseException) -> list[str]:
    """What a user could see of an error: str, repr and the traceback, and the repr of every
    exception chained to it (what a debugger or an error tracker shows)."""
    texts = [str(error), "".join(traceback.format_exception(error))]
    seen: list[BaseException] = []
    pending: list[BaseException | None] = [error]
    while pending:
        each = pending.pop()
        if each is not None and all(each is not other for other in seen):
            seen.append(each)
            texts.append(repr(each))
            pending += [each.__cause__, each.__context__]
    return texts


def client_for(
    emu: Emulator, context: ssl.SSLContext | None = None, **kwargs: object
) -> si.AsyncStripeIdentity:
    return si.AsyncStripeIdentity(
        TEST_KEY,
        api_base=emu.api_base,
        ssl_context=context,
        retry_policy=si.RetryPolicy.no_wait(),
        **kwargs,  # type: ignore[arg-type]
    )


async def create_and_retrieve(client: si.AsyncStripeIdentity) -> None:
    created = await client.verification_sessions.create({"type": "document"})
    again = await client.verification_sessions.retrieve(created.id)
    assert again.id == created.id and again.type == "document"
