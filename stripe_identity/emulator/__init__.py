"""A local, stateful emulator of the Stripe Identity API, shipped with the SDK.

It answers the eight VerificationSession and VerificationReport endpoints like Stripe does
(validation from the spec, errors, idempotency, pagination, expansion, the status machine and
redaction), plays the end user with :meth:`Emulator.submit`, signs and delivers webhook events, and
injects faults on request (``FAULT_KINDS`` names the kinds a :class:`Faults` rates and
``emu.stats()`` counts). It knows nothing of the SDK's client: it speaks HTTP and JSON only.

    from stripe_identity.emulator import Emulator

    with Emulator() as emu:
        client = StripeIdentity("sk_test_emulator", api_base=emu.api_base)
"""

from __future__ import annotations

from ._emulator import Emulator
from ._faults import FAULT_KINDS, Faults

__all__ = ["FAULT_KINDS", "Emulator", "Faults"]
