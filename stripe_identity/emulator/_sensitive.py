"""What a response may show of a session's and a report's results, following Stripe's access rules.

* ``verified_outputs`` appears only when expanded (``verified_outputs``, or any path inside it);
* the sensitive fields (a session's ``verified_outputs.dob``, ``.id_number``, ``.sex``,
  ``.unparsed_place_of_birth``, ``.unparsed_sex``; a report's ``document.number``, ``.dob``,
  ``.expiration_date``, ``.sex``, place of birth, and ``id_number.dob``, ``.id_number``) are ``null``
  unless expanded by their full path, which only a restricted key (``rk_test_...``) may do. The same
  expansion with a secret key is refused: Stripe documents the rule but not its error, so the emulator
  answers 403 ``invalid_request_error`` naming the ``expand[i]`` param (see ``refuse_secret_key``);
* whatever is expanded, redacted data stays as the redaction left it.

Paths read the same through a session (``last_verification_report.document.number``) and, on lists,
behind ``data.``. Expanding a path inside ``last_verification_report`` expands the report too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ._context import Caller
from ._failures import forbidden

__all__ = [
    "REPORT_EXPANSIONS",
    "SESSION_EXPANSIONS",
    "listed",
    "refuse_secret_key",
    "report_view",
    "session_view",
]

_OUTPUTS = "verified_outputs"
_REPORT = "last_verification_report"

SESSION_SENSITIVE = ("dob", "id_number", "sex", "unparsed_place_of_birth", "unparsed_sex")
REPORT_SENSITIVE = {
    "document": ("dob", "expiration_date", "number", "sex", "unparsed_place_of_birth", "unparsed_sex"),
    "id_number": ("dob", "id_number"),
}

_REPORT_PATHS = frozenset(
    f"{check}.{field}" for check, fields in REPORT_SENSITIVE.items() for field in fields
)
_SESSION_PATHS = frozenset(f"{_OUTPUTS}.{field}" for field in SESSION_SENSITIVE) | frozenset(
    f"{_REPORT}.{path}" for path in _REPORT_PATHS
)

#: What a session operation may expand (lists add ``data.`` in front: see :func:`listed`).
SESSION_EXPANSIONS = frozenset({_REPORT, _OUTPUTS}) | _SESSION_PATHS
#: What a report operation may expand.
REPORT_EXPANSIONS = _REPORT_PATHS
_SENSITIVE = _SESSION_PATHS | _REPORT_PATHS


def listed(expansions: Iterable[str]) -> frozenset[str]:
    """The same expansions on a list, where each starts with ``data.``."""
    return frozenset(f"data.{path}" for path in expansions)


def refuse_secret_key(expand: Iterable[str], caller: Caller | None) -> None:
    """Only a restricted key may expand a sensitive field."""
    if caller is not None and caller.is_restricted:
        return
    for index, path in enumerate(expand):
        bare = path.removeprefix("data.")
        if bare in _SENSITIVE:
            raise forbidden(
                f"Expanding {path} needs a restricted API key (rk_...) with access to sensitive "
                "verification results; secret keys cannot read this field. See "
                "https://docs.stripe.com/identity/access-verification-results",
                param=f"expand[{index}]",
            )


def _hidden(obj: Mapping[str, Any] | None, fields: Iterable[str], shown: set[str]) -> Any:
    """``obj`` with each of ``fields`` not in ``shown`` set to ``null``."""
    if obj is None:
        return None
    out = dict(obj)
    for field in fields:
        if field in out and field not in shown:
            out[field] = None
    return out


def report_view(report: Mapping[str, Any], expand: Iterable[str]) -> dict[str, Any]:
    """A report as a response shows it, given the expansions (relative to the report)."""
    wanted = set(expand)
    view = dict(report)
    for check, fields in REPORT_SENSITIVE.items():
        if view.get(check) is not None:
            shown = {field for field in fields if f"{check}.{field}" in wanted}
            view[check] = _hidden(view[check], fields, shown)
    return view


def session_view(
    session: Mapping[str, Any], expand: Iterable[str], reports: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    """A session as a response shows it, given the expansions (relative to the session)."""
    wanted = set(expand)
    view = dict(session)
    outputs = view.pop(_OUTPUTS, None)
    if any(path == _OUTPUTS or path.startswith(f"{_OUTPUTS}.") for path in wanted):
        shown = {field for field in SESSION_SENSITIVE if f"{_OUTPUTS}.{field}" in wanted}
        view[_OUTPUTS] = _hidden(outputs, SESSION_SENSITIVE, shown)
    inside = {path[len(_REPORT) + 1 :] for path in wanted if path.startswith(f"{_REPORT}.")}
    report_id = view.get(_REPORT)
    if report_id is not None and (_REPORT in wanted or inside):
        view[_REPORT] = report_view(reports[report_id], inside)
    return dict(sorted(view.items()))
