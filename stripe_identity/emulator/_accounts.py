"""Connected accounts: which account a request acts for, and which account owns each object.

Every key the emulator accepts is a platform's key. A request acts for the platform itself, or for
one of its connected accounts when it names one:

* ``Stripe-Account: acct_...``, as Connect platforms do;
* ``Stripe-Context: acct_...``, the newer header, which holds a path of account ids joined by ``/``
  (``acct_platform/acct_connected`` for an organization's key): the request acts for the last
  account of the path.

Both at once must name the same account. An id not shaped ``acct_`` + letters and digits is a 400
``account_invalid`` (the code Stripe documents for a bad ``Stripe-Account`` value; the wording is
ours). The emulator keeps no list of accounts: any well-formed id is a connected account.

An object belongs to the account its creating request acted for, and a report, a submission's
files and the events of a session to the session's account. Requests see only their account's
objects: another account's id is not found (404 ``resource_missing``, or 400 when named in params),
and lists leave them out. The verification page, the file links' public URLs and the ``/_emulator``
controls are outside any account: they act on whatever they are given.
"""

from __future__ import annotations

import re
from typing import Any

from ._failures import APIFailure

__all__ = ["Owners", "account_of_headers"]

_ACCOUNT_ID = re.compile(r"acct_[A-Za-z0-9]{1,255}\Z")


def _checked(value: str, header: str) -> str:
    if not _ACCOUNT_ID.match(value):
        shown = value if len(value) <= 60 else value[:57] + "..."
        raise APIFailure(
            400,
            f"The {header} header must name an account id (acct_ followed by letters and digits), "
            f"not {shown!r}.",
            code="account_invalid",
        )
    return value


def account_of_headers(stripe_account: str | None, stripe_context: str | None) -> str | None:
    """The connected account a request acts for (``None``: the platform itself), from its
    ``Stripe-Account`` and ``Stripe-Context`` headers."""
    account = _checked(stripe_account, "Stripe-Account") if stripe_account else None
    if not stripe_context:
        return account
    path = [_checked(segment, "Stripe-Context") for segment in stripe_context.split("/")]
    if account is not None and account != path[-1]:
        raise APIFailure(
            400,
            f"Stripe-Account ({account}) and Stripe-Context ({stripe_context}) name different "
            "accounts: send one of them.",
            code="account_invalid",
        )
    return path[-1]


class Owners:
    """Which connected account each object belongs to (objects of the platform are not listed)."""

    def __init__(self) -> None:
        self._accounts: dict[str, str] = {}

    def reset(self) -> None:
        self._accounts.clear()

    def claim(self, object_id: str, account: str | None) -> None:
        if account is not None:
            self._accounts[object_id] = account

    def account_of(self, object_id: str) -> str | None:
        return self._accounts.get(object_id)

    def sees(self, account: str | None, object_id: str) -> bool:
        """Whether a request acting for ``account`` may see the object."""
        return self._accounts.get(object_id) == account

    def scoped(
        self, account: str | None, order: list[str], table: dict[str, dict[str, Any]]
    ) -> tuple[list[str], dict[str, dict[str, Any]]]:
        """The part of a store (ids in creation order, and the objects by id) ``account`` sees."""
        mine = [object_id for object_id in order if self._accounts.get(object_id) == account]
        return mine, {object_id: table[object_id] for object_id in mine}
