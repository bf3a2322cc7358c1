"""Event destinations: where the emulator pushes signed thin event notifications.

An :class:`EventDestination` is Stripe's webhook-endpoint kind of event destination with the thin
payload: a URL, the secret that signs each notification (the same ``Stripe-Signature`` scheme as
webhooks), the event types it takes and whose events it takes. Delivery is the webhooks' own
(:class:`~._webhooks.WebhookSender`): each notification on its own task, retried on the same
schedule, logged the same way; a destination has its own sender, so a failing one holds up no other.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from ._thin_events import THIN_TYPES, notification_of
from ._urls import http_url
from ._webhooks import WebhookEndpoint, WebhookRetries, WebhookSender

__all__ = ["Destinations", "EventDestination"]

#: Stripe's values of ``events_from``: the account's own events, and its connected accounts'.
_SOURCES = frozenset({"@self", "@accounts"})


def _url(value: object) -> str:
    return http_url(value, "an event destination's url")


def _check_secret(value: object) -> None:
    if not isinstance(value, str) or not value:
        raise ValueError("an event destination needs a signing secret (whsec_...)")


def _types(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        raise TypeError("enabled_events is a list of event types, not one string")
    types = tuple(value)
    unknown = sorted(set(types) - THIN_TYPES - {"*"})
    if unknown:
        raise ValueError(
            f"the emulator emits no thin event of type {unknown[0]!r}; it emits "
            f"{', '.join(sorted(THIN_TYPES))} (or '*' for all of them)"
        )
    if not types:
        raise ValueError("enabled_events names at least one event type (or '*')")
    return types


def _sources(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        raise TypeError("events_from is a list such as ['@self'], not one string")
    sources = tuple(value)
    if not sources or not set(sources) <= _SOURCES:
        raise ValueError(f"events_from takes '@self' and/or '@accounts', not {list(sources)!r}")
    return sources


@attrs.frozen(eq=False)
class EventDestination:
    """A webhook endpoint that receives thin event notifications.

    * ``url``, ``secret``: where notifications are posted, and what signs them (never in a repr);
    * ``enabled_events``: the thin event types it takes (``v1.identity.verification_session.*``
      names; ``"*"``, the default, for all six);
    * ``events_from``: ``"@self"`` for the events of the account whose key made the calls,
      ``"@accounts"`` for those of its connected accounts (made with ``Stripe-Account``).
    """

    url: str = attrs.field(converter=_url)
    secret: str = attrs.field(repr=False, validator=lambda _, __, value: _check_secret(value))
    enabled_events: tuple[str, ...] = attrs.field(default=("*",), converter=_types)
    events_from: tuple[str, ...] = attrs.field(default=("@self",), converter=_sources)

    def wants(self, event: dict[str, Any]) -> bool:
        """Whether a thin event is one this destination takes."""
        if "*" not in self.enabled_events and event["type"] not in self.enabled_events:
            return False
        source = "@accounts" if event["context"] else "@self"
        return source in self.events_from


def destination_of(value: EventDestination | tuple[str, str]) -> EventDestination:
    """An :class:`EventDestination`, or a ``(url, secret)`` pair made into one."""
    if isinstance(value, EventDestination):
        return value
    if isinstance(value, tuple) and len(value) == 2:
        return EventDestination(*value)
    raise TypeError("an event destination is an EventDestination or a (url, secret) pair")


class Destinations:
    """The emulator's event destinations, each delivered to by a sender of its own."""

    def __init__(self, destinations: Sequence[EventDestination], retries: WebhookRetries) -> None:
        self.senders = [
            (
                destination,
                WebhookSender(
                    [WebhookEndpoint(destination.url, destination.secret)],
                    retries,
                    track_pending=False,
                ),
            )
            for destination in destinations
        ]

    def deliver(self, event: dict[str, Any]) -> None:
        """Post the notification of a thin event to every destination that takes it."""
        for destination, sender in self.senders:
            if destination.wants(event):
                sender.enqueue(notification_of(event))

    async def start(self) -> None:
        for _, sender in self.senders:
            await sender.start()

    async def stop(self) -> None:
        for _, sender in self.senders:
            await sender.stop()

    def reset(self) -> None:
        for _, sender in self.senders:
            sender.reset()

    def stats(self) -> dict[str, int]:
        """The webhook counters, summed over every destination."""
        totals: dict[str, int] = {}
        for _, sender in self.senders:
            for name, value in sender.stats().items():
                totals[name] = totals.get(name, 0) + value
        return totals
