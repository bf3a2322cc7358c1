"""Errors the emulator answers with, in Stripe's envelope and wording.

Messages follow the samples collected in ``shared/spec/STRIPE_CONVENTIONS.md``; where Stripe's exact
text is unknown (wrong-state errors, ``limit`` out of range) the wording is ours and carries no
``code``, rather than a guessed one.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "APIFailure",
    "ConnectionReset",
    "forbidden",
    "invalid",
    "invalid_empty",
    "invalid_value",
    "missing",
    "not_found",
    "unknown_params",
]


class APIFailure(Exception):
    """An HTTP error response the emulator sends on purpose."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type_: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type_
        self.code = code
        self.param = param
        self.headers = headers or {}

    def body(self, request_id: str | None = None) -> dict[str, Any]:
        error: dict[str, Any] = {"type": self.type, "message": self.message}
        if self.code is not None:
            error["code"] = self.code
            error["doc_url"] = f"https://stripe.com/docs/error-codes/{self.code.replace('_', '-')}"
        if self.param is not None:
            error["param"] = self.param
        if request_id is not None and self.status != 401:  # Stripe omits it on 401s
            error["request_log_url"] = f"https://dashboard.stripe.com/test/logs/{request_id}"
        return {"error": error}


class ConnectionReset(Exception):
    """Drop the connection instead of answering (an injected fault)."""


def forbidden(message: str, param: str | None = None) -> APIFailure:
    """403: the key is valid but may not do this (Stripe's permission errors have no code)."""
    return APIFailure(403, message, param=param)


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 100 else text[:97] + "..."


def invalid(param: str, message: str, code: str | None = None) -> APIFailure:
    return APIFailure(400, message, code=code, param=param)


def missing(param: str) -> APIFailure:
    return APIFailure(400, f"Missing required param: {param}.", code="parameter_missing", param=param)


def unknown_params(names: list[str]) -> APIFailure:
    if len(names) == 1:
        message = f"Received unknown parameter: {_shown(names[0])}"
    else:
        shown = ", ".join(_shown(name) for name in names[:10])
        more = f" and {len(names) - 10} more" if len(names) > 10 else ""
        message = f"Received unknown parameters: {shown}{more}"
    return APIFailure(400, message, code="parameter_unknown", param=_shown(names[0]))


def not_found(kind: str, object_id: str, param: str, status: int = 404) -> APIFailure:
    return APIFailure(
        status,
        f"No such {kind}: '{_shown(object_id)}'",
        code="resource_missing",
        param=param,
    )


def invalid_value(param: str, what: str, value: Any, code: str | None = None) -> APIFailure:
    return APIFailure(400, f"Invalid {what}: {_shown(value)}", code=code, param=param)


def invalid_empty(param: str) -> APIFailure:
    return APIFailure(
        400,
        f"You passed an empty string for '{param}'. We assume empty values are an attempt to "
        f"unset a parameter; however '{param}' cannot be unset. You should remove '{param}' from "
        "your request or supply a non-empty value.",
        code="parameter_invalid_empty",
        param=param,
    )
