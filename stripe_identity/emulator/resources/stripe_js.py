"""A stand-in for Stripe.js's ``verifyIdentity``, so a page built for the modal flow runs locally.

Stripe's modal flow loads Stripe.js (``<script src="https://js.stripe.com/v3/">``), and calls
``Stripe(publishableKey).verifyIdentity(clientSecret)``, which shows Stripe's flow over the page and
resolves once the user has submitted. Pointing that one script tag at the emulator instead::

    <script src="http://127.0.0.1:12111/v3/stripe-identity-standin.js"></script>

defines a global ``Stripe`` whose ``verifyIdentity`` opens the session's verification page in a
modal frame and resolves with ``{}`` once the tester has submitted it (whatever outcome they picked:
the result reaches the server by webhook, as on Stripe), or with ``{error: {code:
"session_cancelled", ...}}`` when the tester closes the modal first. Nothing else of Stripe.js is
there.

    GET /v3/stripe-identity-standin.js               the script
    GET /v3/identity-modal?client_secret=...         the frame: 303 to the session's page, in modal
                                                     mode (it tells the modal when it is submitted)

The secret travels in the query, which the request log leaves out, like Stripe.js's own request
does not put it in a path. A secret that is unknown, used or withdrawn gets the verification page's
own error pages (404, 410).
"""

from __future__ import annotations

from functools import partial

from aiohttp import web

from .._context import Call, Route
from .._state import State
from .verify_page import MODAL_QUERY, unusable

__all__ = ["SCRIPT_PATH", "routes"]

SCRIPT_PATH = "/v3/stripe-identity-standin.js"
_FRAME_PATH = "/v3/identity-modal"

# A classic script (not a module), as Stripe.js is: it defines the global `Stripe` when it runs.
# The frame's origin is the script's own, so it follows the emulator's public URL.
_SCRIPT = """\
// Stripe Identity emulator: a stand-in for Stripe.js's verifyIdentity, for local development.
(() => {
  "use strict";
  const origin = new URL(document.currentScript.src).origin;
  const SOURCE = "stripe-identity-emulator";

  function verifyIdentity(clientSecret) {
    return new Promise((resolve) => {
      const overlay = document.createElement("div");
      overlay.id = "stripe-identity-standin";
      overlay.style.cssText =
        "position:fixed;inset:0;z-index:2147483647;display:flex;flex-direction:column;" +
        "align-items:center;justify-content:center;background:rgba(26,31,54,.6)";
      const frame = document.createElement("iframe");
      frame.title = "Verify your identity";
      frame.src = origin + "FRAME_PATH?client_secret=" + encodeURIComponent(String(clientSecret));
      frame.style.cssText =
        "width:min(40rem,95vw);height:min(34rem,80vh);border:0;border-radius:8px;background:#fff";
      const close = document.createElement("button");
      close.type = "button";
      close.textContent = "Close";
      close.style.cssText = "margin-top:.75rem;font-size:1rem;padding:.4rem 1.2rem";

      function finish(result) {
        window.removeEventListener("message", onMessage);
        overlay.remove();
        resolve(result);
      }
      function onMessage(event) {
        if (event.origin !== origin || event.source !== frame.contentWindow) return;
        if (event.data && event.data.source === SOURCE && event.data.type === "submitted") finish({});
      }
      window.addEventListener("message", onMessage);
      close.addEventListener("click", () =>
        finish({
          error: {
            type: "invalid_request_error",
            code: "session_cancelled",
            message: "The verification was closed before it was submitted.",
          },
        })
      );
      overlay.append(frame, close);
      document.body.append(overlay);
    });
  }

  window.Stripe = function Stripe(publishableKey) {
    if (typeof publishableKey !== "string" || publishableKey === "") {
      throw new Error("Stripe(): a publishable key is required (any pk_test_... does here)");
    }
    return { verifyIdentity };
  };
})();
""".replace("FRAME_PATH", _FRAME_PATH)


async def script(call: Call) -> web.StreamResponse:
    return web.Response(
        text=_SCRIPT,
        content_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Access-Control-Allow-Origin": "*"},
    )


async def frame(state: State, call: Call) -> web.StreamResponse:
    secret = call.request.query.get("client_secret", "")
    session_id = secret.partition("_secret_")[0]
    session = state.sessions.get(session_id)
    if session is None:
        return unusable(None)
    if not secret or session.get("client_secret") != secret or session.get("url") is None:
        return unusable(session)
    return web.Response(status=303, headers={"Location": f"{session['url']}?{MODAL_QUERY}"})


def routes(state: State) -> list[Route]:
    """The stand-in script, and the frame it opens, over the sessions of ``state``."""
    return [
        Route("GET", SCRIPT_PATH, "stripe_js", script, kind="public"),
        Route("GET", _FRAME_PATH, "stripe_js_modal", partial(frame, state), kind="public"),
    ]
