"""The verification page: what a session's ``url`` opens on the emulator, in place of Stripe's flow.

Plain HTML and a form, no JavaScript. It shows what the session asks for (its checks) and lets the
tester choose the outcome: verified, or a failed check with one of the ``last_error`` codes of the
checks the session runs, or a session-level one (a code of another check is refused with a 400
page). A session with an email or phone check gets a field for each one-time code, and the page
shows the code it "sent", since the emulator sends no email or SMS: a verified outcome needs each
typed as sent (a wrong one shows the form again, 400, and changes nothing). Submitting
drives the same code as ``Emulator.submit`` (same events, same report), then, like Stripe, sends the
browser to the session's ``return_url`` (303), or shows a done page when it has none. A link that is
unknown answers 404, one already used or withdrawn 410: error pages, never a 500.

In modal mode (``?modal=1``, how the Stripe.js stand-in of ``stripe_js`` opens it in a frame), a
submission never leaves the frame: the done page tells the page around it, with one
``postMessage``, that the session was submitted (the one script this page has).
"""

from __future__ import annotations

import html
from functools import partial
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from .._checks import SESSION_LEVEL_ERRORS, accepted_error_codes, checks_of
from .._context import Call, Route
from .._failures import APIFailure
from .._params import form_text
from .._reports import contact_of, last_error_reason
from .._state import State

__all__ = ["MODAL_QUERY", "routes", "unusable"]

MODAL_QUERY = "modal=1"

_TELL_THE_MODAL = (
    "<script>parent.postMessage({source: 'stripe-identity-emulator', type: 'submitted'}, '*')</script>"
)

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;"
    "color:#1a1f36}h1{font-size:1.4rem}fieldset{margin:1rem 0;border:1px solid #ccd;"
    "border-radius:6px}label{display:block;margin:.4rem 0}button{font-size:1rem;"
    "padding:.5rem 1.5rem}.note{color:#697386;font-size:.9rem}.problem{color:#b3093c}"
)


def _page(status: int, title: str, body: str) -> web.Response:
    text = (
        f"<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<meta name=viewport content='width=device-width,initial-scale=1'>"
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}"
        "<p class=note>Stripe Identity emulator: a local stand-in for Stripe's verification flow.</p>"
        "</body></html>"
    )
    return web.Response(status=status, text=text, content_type="text/html")


def unusable(session: dict[str, Any] | None) -> web.Response:
    if session is None:
        return _page(
            404, "Unknown verification link", "<p>This link does not belong to any session.</p>"
        )
    status = html.escape(session["status"])
    return _page(
        410,
        "This verification link has expired",
        f"<p>It was already used, or withdrawn: the session is now <b>{status}</b>. "
        "Ask the site that sent you here for a new link.</p>",
    )


def _requirements(session: dict[str, Any], checks: tuple[str, ...]) -> list[str]:
    document = (session.get("options") or {}).get("document") or {}
    items = []
    if "document" in checks:
        allowed = document.get("allowed_types") or ["driving_license", "id_card", "passport"]
        items.append("a photo of one of: " + ", ".join(t.replace("_", " ") for t in allowed))
        if document.get("require_live_capture"):
            items.append("the document captured live with a camera")
    if "selfie" in checks:
        items.append("a selfie that matches the document's photo")
    if "id_number" in checks:
        items.append("your ID number")
    for check in ("email", "phone"):
        if check in checks:
            where = contact_of(session, check)
            items.append(f"the one-time code sent to your {_CONTACT[check]} {where}")
    if "matching" in checks:
        items.append("your name and date of birth, matched against the details on file")
    return items


_CONTACT = {"email": "email address", "phone": "phone number"}


def _code_fields(session: dict[str, Any], codes: dict[str, str]) -> str:
    """A field for each one-time code, and the code itself: the emulator sends no email or SMS."""
    fields = []
    for check, code in codes.items():
        where = html.escape(contact_of(session, check))
        fields.append(
            f"<fieldset><legend>Code sent to your {_CONTACT[check]}</legend>"
            f"<p class=note>The emulator sends nothing: the code it sent to {where} is "
            f"<b id={check}-sent>{code}</b>.</p>"
            f"<label>Code <input name={check}_code id={check}_code inputmode=numeric "
            "autocomplete=one-time-code></label></fieldset>"
        )
    return "".join(fields)


def _form(state: State, session: dict[str, Any], problem: str | None = None) -> str:
    checks = checks_of(session)
    asks = "".join(f"<li>{html.escape(item)}</li>" for item in _requirements(session, checks))
    options = "".join(
        f"<option value='{code}'>{html.escape(code)}: {html.escape(last_error_reason(code))}</option>"
        for code in accepted_error_codes(session)
    )
    flow = session.get("verification_flow")
    shown_flow = f", verification flow <code>{html.escape(flow)}</code>" if flow else ""
    warning = f"<p class=problem role=alert>{html.escape(problem)}</p>" if problem else ""
    return (
        f"{warning}<p>Session <code>{html.escape(session['id'])}</code> "
        f"({html.escape(session['type'])}{shown_flow}) asks for:</p><ul>{asks}</ul>"
        f"<p class=note>Checks: {', '.join(checks)}.</p>"
        f"<form method=post>{_code_fields(session, state.one_time_codes.get(session['id'], {}))}"
        "<fieldset><legend>Outcome</legend>"
        "<label><input type=radio name=outcome value=verified checked> Every check passes</label>"
        "<label><input type=radio name=outcome value=requires_input> A check fails, with:</label>"
        f"<select name=error_code aria-label='Error code'>{options}</select>"
        "</fieldset><button type=submit id=submit>Submit</button></form>"
    )


async def show(state: State, call: Call) -> web.StreamResponse:
    session, current = state.session_for_page(call.ids[0])
    if session is None or not current:
        return unusable(session)
    return _page(200, "Verify your identity", _form(state, session))


def _wrong_code(state: State, session: dict[str, Any], fields: dict[str, str]) -> str | None:
    """What is wrong with the one-time codes typed (``None``: each matches the one sent)."""
    for check, sent in state.one_time_codes.get(session["id"], {}).items():
        if fields.get(f"{check}_code", "").strip() != sent:
            return (
                f"The code you typed for your {_CONTACT[check]} does not match the one sent to "
                f"{contact_of(session, check)}: type it again."
            )
    return None


async def submit(state: State, call: Call) -> web.StreamResponse:
    session, current = state.session_for_page(call.ids[0])
    if session is None or not current:
        return unusable(session)
    fields = dict(parse_qsl(form_text(call.body), keep_blank_values=True))
    outcome = fields.get("outcome", "verified")
    error_code = fields.get("error_code") if outcome == "requires_input" else None
    if outcome == "verified":
        problem = _wrong_code(state, session, fields)
        if problem is not None:  # nothing submitted: the same link asks again
            return _page(400, "Verify your identity", _form(state, session, problem))
    try:
        state.submit(session["id"], outcome, error_code or None)
    except APIFailure as failure:
        return _page(400, "This submission was refused", f"<p>{html.escape(failure.message)}</p>")
    modal = call.request.query_string == MODAL_QUERY
    return_url = state.return_urls.get(session["id"])
    if return_url is not None and not modal:
        return web.Response(status=303, headers={"Location": return_url})
    shown = html.escape(session["status"])
    level = " (no report: the session as a whole failed)" if error_code in SESSION_LEVEL_ERRORS else ""
    told = _TELL_THE_MODAL if modal else ""
    return _page(200, "Thank you", f"<p>Your submission was received: <b>{shown}</b>{level}.</p>{told}")


def routes(state: State) -> list[Route]:
    """The page of each session's ``url``, over the sessions of ``state``."""
    return [
        Route("GET", "/verify/{}", "verification_page", partial(show, state), kind="public"),
        Route("POST", "/verify/{}", "verification_page_submit", partial(submit, state), kind="public"),
    ]
