"""The verification page: what a session's ``url`` opens on the emulator, in place of Stripe's flow.

Plain HTML and a form, no JavaScript. It shows what the session asks for and lets the tester choose
the outcome: verified, or a failed check with one of the documented ``last_error`` codes. Submitting
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

from aiohttp import web

from .._context import Call, Route
from .._failures import APIFailure
from .._objects import SESSION_LEVEL_ERRORS, last_error_reason
from .._params import form_text
from .._spec import LAST_ERROR_CODES
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
    "padding:.5rem 1.5rem}.note{color:#697386;font-size:.9rem}"
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


def _requirements(session: dict[str, Any]) -> list[str]:
    document = (session.get("options") or {}).get("document") or {}
    items = []
    if session["type"] == "id_number":
        items.append("your ID number")
    elif session["type"] == "verification_flow":
        items.append(f"the checks of verification flow {session.get('verification_flow')}")
    else:
        allowed = document.get("allowed_types") or ["driving_license", "id_card", "passport"]
        items.append("a photo of one of: " + ", ".join(t.replace("_", " ") for t in allowed))
        if document.get("require_live_capture"):
            items.append("the document captured live with a camera")
        if document.get("require_matching_selfie"):
            items.append("a selfie that matches the document's photo")
        if document.get("require_id_number"):
            items.append("your ID number")
    return items


def _form(session: dict[str, Any]) -> str:
    asks = "".join(f"<li>{html.escape(item)}</li>" for item in _requirements(session))
    options = "".join(
        f"<option value='{code}'>{html.escape(code)}: {html.escape(last_error_reason(code))}</option>"
        for code in sorted(LAST_ERROR_CODES)
    )
    return (
        f"<p>Session <code>{html.escape(session['id'])}</code> ({html.escape(session['type'])}) "
        f"asks for:</p><ul>{asks}</ul>"
        "<form method=post><fieldset><legend>Outcome</legend>"
        "<label><input type=radio name=outcome value=verified checked> Every check passes</label>"
        "<label><input type=radio name=outcome value=requires_input> A check fails, with:</label>"
        f"<select name=error_code aria-label='Error code'>{options}</select>"
        "</fieldset><button type=submit id=submit>Submit</button></form>"
    )


async def show(state: State, call: Call) -> web.StreamResponse:
    session, current = state.session_for_page(call.ids[0])
    if session is None or not current:
        return unusable(session)
    return _page(200, "Verify your identity", _form(session))


async def submit(state: State, call: Call) -> web.StreamResponse:
    session, current = state.session_for_page(call.ids[0])
    if session is None or not current:
        return unusable(session)
    fields = {}
    for pair in form_text(call.body).split("&"):
        name, _, value = pair.partition("=")
        fields[name] = value
    outcome = fields.get("outcome", "verified")
    error_code = fields.get("error_code") if outcome == "requires_input" else None
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
