"""``events`` and ``ephemeral-keys``: catching up on missed webhooks, and keys for the mobile SDKs."""

from __future__ import annotations

import argparse

from ._api import Operation, Resource, list_options, list_page, param_option, retrieve

__all__ = ["EPHEMERAL_KEYS", "EVENTS"]


def _list_events_options(cmd: argparse.ArgumentParser) -> None:
    list_options(cmd)
    # Free text, not choices: Stripe takes a * wildcard, and types of other products.
    param_option(cmd, "--type", metavar="TYPE", help="only events of this type; * is a wildcard")


def _ephemeral_key_options(cmd: argparse.ArgumentParser) -> None:
    param_option(cmd, "--verification-session", required=True, metavar="ID", help="the session (vs_...)")
    cmd.add_argument(
        "--stripe-version",
        dest="key_version",
        required=True,
        metavar="VERSION",
        help="the API version of the mobile SDK that will use the key",
    )


EVENTS = Resource(
    "events",
    "Event operations, printed as JSON (to catch up on missed webhooks)",
    "events",
    "the event id (evt_...)",
    {
        "list": Operation(
            "list events, newest first", list_page, takes_id=False, options=_list_events_options
        ),
        "retrieve": Operation("retrieve an event", retrieve),
    },
)

EPHEMERAL_KEYS = Resource(
    "ephemeral-keys",
    "EphemeralKey operations, printed as JSON (for Stripe's mobile SDKs)",
    "ephemeral_keys",
    "the ephemeral key id (ephkey_...)",
    {
        "create": Operation(
            "create an ephemeral key for a session (the secret is in the output)",
            lambda s, a, p: s.create(p, {"stripe_version": a.key_version}),
            takes_id=False,
            options=_ephemeral_key_options,
        ),
        "delete": Operation("delete (revoke) an ephemeral key", lambda s, a, p: s.delete(a.id, p)),
    },
)
