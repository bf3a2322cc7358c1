"""``/v1/identity/verification_reports``: list and retrieve, with the sensitive-field rules, within
the account the request acts for (a report belongs to its session's account)."""

from __future__ import annotations

from functools import partial
from typing import Any

from .._context import Call, Route
from .._paging import field_filter, list_object, page
from .._sensitive import REPORT_EXPANSIONS, listed, refuse_secret_key, report_view
from .._state import State

__all__ = ["routes"]

_PATH = "/v1/identity/verification_reports"


async def retrieve(state: State, call: Call) -> dict[str, Any]:
    refuse_secret_key(call.expand, call.caller)
    return report_view(state.report(call.ids[0], call.account), call.expand)


async def list_reports(state: State, call: Call) -> dict[str, Any]:
    refuse_secret_key(call.expand, call.caller)
    matches = field_filter(call.params, ("client_reference_id", "type", "verification_session"))
    order, table = state.owners.scoped(call.account, state.report_order, state.reports)
    data, has_more = page(order, table, "verification_report", call.params, matches)
    inside = tuple(path[5:] for path in call.expand)
    return list_object(_PATH, [report_view(report, inside) for report in data], has_more)


def routes(state: State) -> list[Route]:
    """The report operations, answered from ``state``."""
    return [
        Route(
            "GET",
            _PATH,
            "list_reports",
            partial(list_reports, state),
            spec_id="GetIdentityVerificationReports",
            expandable=listed(REPORT_EXPANSIONS),
        ),
        Route(
            "GET",
            _PATH + "/{}",
            "retrieve_report",
            partial(retrieve, state),
            spec_id="GetIdentityVerificationReportsReport",
            expandable=REPORT_EXPANSIONS,
        ),
    ]
