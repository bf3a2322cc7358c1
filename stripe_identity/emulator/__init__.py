"""A local, stateful emulator of the Stripe Identity API, shipped with the SDK.

It answers the VerificationSession and VerificationReport endpoints like Stripe does (validation
from the spec, errors, idempotency, pagination, expansion, the status machine, redaction, and the
restricted-key rules for sensitive results), and the endpoints an integration needs around them:
ephemeral keys, files and their contents, file links, events. Each session's ``url`` opens a
verification page on the emulator where a tester picks the outcome, as on Stripe's hosted flow;
:meth:`Emulator.submit` does the same from code. It signs and delivers webhook events (each on its
own, retried as :class:`WebhookRetries` says) and, to event destinations (:class:`EventDestination`),
signed thin event notifications (``GET /v2/core/events`` serves the thin events). It enforces rate
limits and injects faults on request (``FAULT_KINDS`` names the kinds a :class:`Faults` rates and
``emu.stats()`` counts). It knows nothing of the SDK's client: it speaks HTTP only.

What it says follows from what the session asks for: a session runs the checks its type, options
or verification flow call for (``_checks``; flows come from a registry, ``DEFAULT_VERIFICATION_FLOWS``
unless ``verification_flows=`` says otherwise), its report has those sections only and
``verified_outputs`` only what they verified, and a failure must name a code of one of them
(:class:`SubmitError` otherwise). Objects created for a connected account (``Stripe-Account`` or
``Stripe-Context``) are that account's alone, and their events go to Connect endpoints
(:class:`WebhookEndpoint` with ``connect=True``). Events name the API request that caused them.

    from stripe_identity.emulator import Emulator

    with Emulator() as emu:
        client = StripeIdentity("sk_test_emulator", api_base=emu.api_base)
"""

from __future__ import annotations

from ._destinations import EventDestination
from ._emulator import Emulator, SubmitError
from ._faults import FAULT_KINDS, Faults
from ._flows import DEFAULT_VERIFICATION_FLOWS
from ._ratelimit import RateLimits
from ._webhooks import WebhookEndpoint, WebhookRetries

__all__ = [
    "DEFAULT_VERIFICATION_FLOWS",
    "Emulator",
    "EventDestination",
    "FAULT_KINDS",
    "Faults",
    "RateLimits",
    "SubmitError",
    "WebhookEndpoint",
    "WebhookRetries",
]
