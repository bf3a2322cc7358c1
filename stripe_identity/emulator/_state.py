"""The emulator's memory: sessions, reports, events, and the rules that move a session along.

Everything here is synchronous and runs on the emulator's event loop, so no operation interleaves
with another; delayed transitions (processing, redaction) are scheduled on that loop.

Status machine, after Stripe's documentation::

    requires_input --submit--> processing --> verified
          ^                         |
          +------ (check failed) ---+        requires_input --cancel--> canceled

Update and cancel need ``requires_input``; redaction needs ``requires_input`` (which it cancels) or
``verified``. While a session is ``requires_input`` it has a ``url``: its verification page on the
emulator, valid until the user submits (a failed check issues a fresh one). A submission's pictures
are File objects (see ``resources/files.py``); redaction deletes them and redacts the session's events.

What a session checks follows from its type and options, or its verification flow (``_checks``,
``_flows``); a failed submission names a code of one of those checks, or a session-level one. Each
object belongs to the account its request acted for (``_accounts``): lookups and lists take that
account, and see nothing of another's. Events carry their cause (``_events``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ._accounts import Owners
from ._checks import SESSION_LEVEL_ERRORS, checks_of, default_error_code, refuse_foreign_code
from ._events import AUTOMATIC, Cause, event_object
from ._failures import APIFailure, invalid, not_found
from ._flows import FlowRegistry
from ._metadata import merged_metadata
from ._objects import IdFactory, new_session, redact_report, redact_session, session_options
from ._reports import Images, failed_report, last_error_reason, verified_outputs, verified_report
from ._sensitive import session_view
from ._spec import LAST_ERROR_CODES
from ._validate import UNSET

if TYPE_CHECKING:
    from .resources.files import FileStore

__all__ = ["State"]

Schedule = Callable[[float, Callable[[], None]], None]
EventSink = Callable[[dict[str, Any]], None]

_CODE_LENGTH = 6  # digits of an email or SMS one-time code


def _without_unset(params: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in params.items() if value is not UNSET}


def _wrong_state(message: str) -> APIFailure:
    # Stripe documents the preconditions but not the error; this one is 400 with no code.
    return APIFailure(400, message)


class State:
    def __init__(
        self,
        ids: IdFactory,
        *,
        api_version: str,
        schedule: Schedule,
        on_event: EventSink,
        files: FileStore,
        page_url: Callable[[str], str],
        owners: Owners,
        flows: FlowRegistry,
        processing_delay: float = 0.0,
        redaction_delay: float = 0.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.ids = ids
        self.files = files
        self.owners = owners
        self.flows = flows
        self.page_url = page_url
        self.api_version = api_version
        self.schedule = schedule
        self.on_event = on_event
        self.processing_delay = processing_delay
        self.redaction_delay = redaction_delay
        self.clock = clock
        self.reset()

    def reset(self) -> None:
        self.sessions: dict[str, dict[str, Any]] = {}
        self.reports: dict[str, dict[str, Any]] = {}
        self.events: dict[str, dict[str, Any]] = {}
        # Insertion order is creation order; lists walk it backwards (newest first).
        self.session_order: list[str] = []
        self.report_order: list[str] = []
        self.event_order: list[str] = []
        # The token of each session's current verification page, and the session of each token.
        self.page_tokens: dict[str, str] = {}
        self.token_sessions: dict[str, str] = {}
        # Where the verification page sends the user back to (not part of the session object).
        self.return_urls: dict[str, str] = {}
        # The one-time codes the current page "sent" (by check: email, phone), for each session.
        self.one_time_codes: dict[str, dict[str, str]] = {}

    def now(self) -> int:
        return int(self.clock())

    # --- lookups ---------------------------------------------------------------------------------

    def session(
        self, session_id: str, account: str | None, param: str = "session", status: int = 404
    ) -> dict[str, Any]:
        """The session, if the request acting for ``account`` may see it."""
        session = self.sessions.get(session_id)
        if session is None or not self.owners.sees(account, session_id):
            raise not_found("verification_session", session_id, param, status)
        return session

    def report(self, report_id: str, account: str | None, param: str = "report") -> dict[str, Any]:
        """The report, if the request acting for ``account`` may see it."""
        report = self.reports.get(report_id)
        if report is None or not self.owners.sees(account, report_id):
            raise not_found("verification_report", report_id, param)
        return report

    # --- operations ------------------------------------------------------------------------------

    def create(self, params: dict[str, Any], account: str | None, cause: Cause) -> dict[str, Any]:
        if params.get("type") in (None, UNSET) and params.get("verification_flow") in (None, UNSET):
            raise APIFailure(
                400,
                "Missing required param: type. You must provide a `type` if not passing "
                "`verification_flow`.",
                code="parameter_missing",
                param="type",
            )
        clean = {k: v for k, v in params.items() if v is not UNSET}
        return_url = clean.get("return_url")
        if return_url is not None:
            parts = urlsplit(return_url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise invalid("return_url", "Not a valid URL", code="url_invalid")
        metadata = merged_metadata({}, clean.get("metadata"))
        clean["metadata"] = metadata
        flow = clean.get("verification_flow")
        # A flow sets the type and the options; Stripe does not say what it does with others
        # given alongside, so they are left aside.
        if flow:
            options = self.flows.options(flow)
        else:
            options = session_options(clean["type"], clean.get("options"))
        if clean.get("provided_details"):
            clean["provided_details"] = _without_unset(clean["provided_details"])
        session_id = self.ids.object_id("vs")
        session = new_session(
            session_id=session_id,
            created=self.now(),
            params=clean,
            options=options,
            client_secret="",
            url="",
        )
        self.owners.claim(session_id, account)
        self._issue_link(session)
        self.sessions[session_id] = session
        if return_url is not None:
            self.return_urls[session_id] = return_url
        self.session_order.append(session_id)
        self._emit("created", session, cause)
        return session

    def update(self, session_id: str, params: dict[str, Any], account: str | None) -> dict[str, Any]:
        session = self.session(session_id, account)
        if session["redaction"] is not None:
            raise _wrong_state("This VerificationSession has been redacted and cannot be updated.")
        if session["status"] != "requires_input":
            raise _wrong_state(
                f"Only VerificationSessions with status `requires_input` can be updated; this "
                f"one's status is `{session['status']}`."
            )
        if "metadata" in params:
            session["metadata"] = merged_metadata(session["metadata"], params["metadata"])
        new_type = params.get("type")
        flow = "verification_flow" in session  # its flow keeps setting its type and options
        if new_type not in (None, UNSET) and not flow:
            session["type"] = new_type
        if not flow and ("options" in params or new_type not in (None, UNSET)):
            options = params.get("options")
            if options is None:
                document = session["options"].get("document")
                options = {"document": document} if document is not None else {}
            session["options"] = session_options(session["type"], options)
            self._issue_codes(session)  # the checks, and so the codes to send, may have changed
        if "provided_details" in params:
            details = _without_unset(params["provided_details"])
            merged = {**(session["provided_details"] or {}), **details}
            session["provided_details"] = dict(sorted(merged.items())) or None
        return session

    def cancel(self, session_id: str, account: str | None, cause: Cause) -> dict[str, Any]:
        session = self.session(session_id, account)
        if session["status"] != "requires_input":
            raise _wrong_state(
                f"Only VerificationSessions with status `requires_input` can be canceled; this "
                f"one's status is `{session['status']}`."
            )
        self._cancel(session, cause)
        return session

    def _cancel(self, session: dict[str, Any], cause: Cause) -> None:
        session["status"] = "canceled"
        self._withdraw_link(session)
        self._emit("canceled", session, cause)

    # --- the verification page -------------------------------------------------------------------

    def _issue_link(self, session: dict[str, Any]) -> None:
        secret, token = self.ids.secret_and_link(session["id"])
        session["client_secret"], session["url"] = secret, self.page_url(token)
        self.page_tokens[session["id"]] = token
        self.token_sessions[token] = session["id"]
        self._issue_codes(session)

    def _issue_codes(self, session: dict[str, Any]) -> None:
        """Draw the one-time codes the page sends for the session's email and phone checks."""
        checks = checks_of(session)
        self.one_time_codes[session["id"]] = {
            check: self.ids.digits(_CODE_LENGTH) for check in ("email", "phone") if check in checks
        }

    def _withdraw_link(self, session: dict[str, Any]) -> None:
        session["client_secret"] = session["url"] = None
        self.page_tokens.pop(session["id"], None)
        self.one_time_codes.pop(session["id"], None)

    def session_for_page(self, token: str) -> tuple[dict[str, Any] | None, bool]:
        """The session a page token belongs to (``None`` if unknown), and whether it is current."""
        session_id = self.token_sessions.get(token)
        if session_id is None or session_id not in self.sessions:
            return None, False
        current = self.page_tokens.get(session_id) == token
        return self.sessions[session_id], current

    def redact(self, session_id: str, account: str | None, cause: Cause) -> dict[str, Any]:
        session = self.session(session_id, account)
        if session["redaction"] is not None:
            return session  # redaction is already under way or done
        if session["status"] not in ("requires_input", "verified"):
            raise _wrong_state(
                f"Only VerificationSessions with status `requires_input` or `verified` can be "
                f"redacted; this one's status is `{session['status']}`."
            )
        if session["status"] == "requires_input":
            self._cancel(session, cause)
        session["redaction"] = {"status": "processing"}
        self.schedule(self.redaction_delay, lambda: self._finish_redaction(session["id"]))
        return session

    def _finish_redaction(self, session_id: str) -> None:
        session = self.sessions.get(session_id)
        if session is None or session["redaction"] != {"status": "processing"}:
            return  # reset() ran in between
        redact_session(session)
        for report in self.reports.values():
            if report["verification_session"] == session_id:
                redact_report(report)
        for event in self.events.values():
            if event["data"]["object"].get("id") == session_id:
                redact_session(event["data"]["object"])
        self.files.delete_for_session(session_id)
        session["redaction"] = {"status": "redacted"}
        self._emit("redacted", session)

    def submit(
        self, session_id: str, outcome: str = "verified", error_code: str | None = None
    ) -> dict[str, Any]:
        """Play the end user submitting the verification flow (of a session of any account)."""
        if outcome not in ("verified", "requires_input"):
            raise invalid("outcome", "Invalid outcome: must be one of verified or requires_input")
        if outcome == "verified" and error_code is not None:
            raise invalid("error_code", "error_code only applies to the requires_input outcome")
        if error_code is not None and error_code not in LAST_ERROR_CODES:
            raise invalid("error_code", f"unknown error_code {error_code!r}")
        session = self.session(session_id, self.owners.account_of(session_id))
        if error_code is not None:
            refuse_foreign_code(session, error_code)
        if session["status"] != "requires_input" or session["redaction"] is not None:
            raise _wrong_state(
                f"Only a VerificationSession in `requires_input` can be submitted; this one's "
                f"status is `{session['status']}`."
            )
        session["status"] = "processing"
        self._withdraw_link(session)
        self._emit("processing", session)

        def finish() -> None:
            self._finish_processing(session_id, outcome, error_code)

        if self.processing_delay > 0:
            self.schedule(self.processing_delay, finish)
        else:
            finish()
        return session

    def _finish_processing(self, session_id: str, outcome: str, error_code: str | None) -> None:
        session = self.sessions.get(session_id)
        if session is None or session["status"] != "processing":
            return
        now = self.now()
        if outcome == "verified":
            report = verified_report(self.ids.object_id("vr"), session, now, self._images(session))
            self._add_report(report)
            session["status"] = "verified"
            session["last_error"] = None
            session["last_verification_report"] = report["id"]
            session["verified_outputs"] = verified_outputs(session)
            self._emit("verified", session)
            return
        code = error_code or default_error_code(session)
        if code not in SESSION_LEVEL_ERRORS:
            report = failed_report(self.ids.object_id("vr"), session, now, code, self._images(session))
            self._add_report(report)
            session["last_verification_report"] = report["id"]
        session["status"] = "requires_input"
        session["last_error"] = {"code": code, "reason": last_error_reason(code)}
        self._issue_link(session)
        self._emit("requires_input", session)

    def _images(self, session: dict[str, Any]) -> Images:
        return Images(*(self.ids.object_id("file") for _ in range(3)))

    def _add_report(self, report: dict[str, Any]) -> None:
        self.reports[report["id"]] = report
        self.report_order.append(report["id"])
        account = self.owners.account_of(report["verification_session"])
        self.owners.claim(report["id"], account)
        # The pictures the report points to become File objects of their own, the session's too.
        self.files.add_report_images(report, account)

    # --- events ----------------------------------------------------------------------------------

    def _emit(self, kind: str, session: dict[str, Any], cause: Cause = AUTOMATIC) -> None:
        """The one place events are made: stored, listed, and handed to ``on_event``."""
        account = self.owners.account_of(session["id"])
        event = event_object(
            event_id=self.ids.object_id("evt"),
            kind=f"identity.verification_session.{kind}",
            # What the session looked like then, as a plain retrieve shows it (nothing expanded).
            obj=session_view(session, (), self.reports),
            created=self.now(),
            api_version=self.api_version,
            cause=cause,
            account=account,
        )
        self.owners.claim(event["id"], account)
        self.events[event["id"]] = event
        self.event_order.append(event["id"])
        self.on_event(event)

    def events_for(self, session_ids: Iterable[str] | None = None) -> list[dict[str, Any]]:
        events = [self.events[event_id] for event_id in self.event_order]
        if session_ids is None:
            return events
        wanted = set(session_ids)
        return [e for e in events if e["data"]["object"].get("id") in wanted]
