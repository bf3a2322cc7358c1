"""The benchmarks' one reach into stripe_identity's private code.

Everything else in ``benchmarks/`` uses the public API. The parse target ("a session's JSON into its
model in at most 12 µs") is about one step of a call, the body of a response turned into a checked
:class:`VerificationSession`, and no public function does that step alone: the public path is a whole
call, which ``micro`` measures next to it (a retrieve answered in memory by a middleware). So this
module calls what the SDK's decoding calls. If the package moves its decoders, change it here.

Imported only by the process that runs the micro-benchmarks.
"""

from __future__ import annotations

import orjson

import stripe_identity as si
from stripe_identity._decoding import structure

__all__ = ["decode_session"]


def decode_session(body: bytes) -> si.VerificationSession:
    """What the SDK does with the body of a 2xx answer: ``orjson.loads``, then the compiled decoder of
    the model, which checks every field on arrival."""
    return structure(orjson.loads(body), si.VerificationSession)
