"""Micro-benchmarks: parsing a session, encoding a create, and the sync facade's portal crossing.

Each figure is timeit-style: the statement runs in a loop sized to take ``target_s``; the loop repeats
``repeats`` times; the per-call time of every repeat is kept and the median quoted (the minimum is kept
too, as the least-disturbed run on a noisy machine).

The official SDK is timed on exactly what its requestor does after the HTTP call
(``_APIRequestor._interpret_response`` -- ``json.loads`` with ``OrderedDict`` pairs -- then
``_convert_to_stripe_object``) and before it (``urlencode(list(_api_encode(params)))`` plus the
bracket un-escaping). Those are private names of stripe 16.x; the public ``stripe.util`` module that
used to expose ``convert_to_stripe_object`` is gone.
"""

from __future__ import annotations

import asyncio
import gc
import json
import math
import statistics
import time
import timeit
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from . import fixtures

__all__ = ["run_micro"]


def _bench(fn: Callable[[], object], target_s: float, repeats: int) -> dict[str, float]:
    timer = timeit.Timer(fn)
    number = 1
    while True:  # like Timer.autorange, but towards our own target
        if timer.timeit(number) >= target_s / 5:
            break
        number *= 2
    loops = number * 5
    per_call = [t / loops * 1e6 for t in timer.repeat(repeat=repeats, number=loops)]
    return {"median_us": statistics.median(per_call), "min_us": min(per_call), "loops": loops}


def _parse_cases() -> dict[str, Callable[[], object]]:
    import attrs
    import orjson
    import stripe
    from stripe._util import _convert_to_stripe_object

    import stripe_identity as si
    from stripe_identity._decoding import decode_model, structure
    from stripe_identity._response import Request, Response

    body = fixtures.SESSION_BODY
    parsed = orjson.loads(body)
    headers = {"Request-Id": "req_00000000000001", "Content-Type": "application/json"}
    request = Request("GET", "http://127.0.0.1/v1/x", "/v1/x", {}, None)
    response = Response(200, headers, body, request)
    cls = si.VerificationSession
    requestor = stripe.StripeClient(fixtures.API_KEY)._requestor
    stripe_parsed = json.loads(body)

    def official_full() -> object:
        resp = requestor._interpret_response(body, 200, headers, "V1")
        return _convert_to_stripe_object(resp=resp, requestor=requestor, api_mode="V1")

    def read_all(obj: Any) -> None:
        # Every field, nested objects included: what a caller that reads the whole model pays
        # (nested objects are built on first read).
        for field in attrs.fields(type(obj)):
            value = getattr(obj, field.name)
            if attrs.has(type(value)):
                read_all(value)

    built = structure(orjson.loads(body), cls)
    read_all(built)

    def whole() -> object:
        model = structure(orjson.loads(body), cls)
        read_all(model)
        return model

    return {
        "json.loads(bytes)": lambda: json.loads(body),
        "orjson.loads(bytes)": lambda: orjson.loads(body),
        "SDK: structure(dict) only": lambda: structure(parsed, cls),
        "SDK: bytes -> model (orjson + structure)": lambda: structure(orjson.loads(body), cls),
        "SDK: bytes -> model, every field read": whole,
        "(reading every field of a model already built: the loop alone)": lambda: read_all(built),
        "SDK: decode_model(Response) (+ response meta)": lambda: decode_model(response, cls),
        "stripe: convert(dict) only": lambda: _convert_to_stripe_object(
            resp=stripe_parsed, requestor=requestor, api_mode="V1"
        ),
        "stripe: bytes -> object (interpret + convert)": official_full,
    }


def _encode_cases() -> dict[str, Callable[[], object]]:
    from stripe._encode import _api_encode

    import stripe_identity as si
    from stripe_identity._encoding import encode_form

    params = fixtures.CREATE_PARAMS
    document = params["options"]["document"]
    assert document != ""
    typed = si.VerificationSessionCreateParams(
        type="document",
        client_reference_id=params["client_reference_id"],
        metadata=params["metadata"],
        options=si.OptionsParams(document=si.DocumentOptionsParams(**document)),
        provided_details=si.ProvidedDetailsParams(**params["provided_details"]),
        return_url=params["return_url"],
    )
    if encode_form(typed) != encode_form(params):
        raise AssertionError("the typed and mapping params must encode to the same bytes")

    def official() -> str:
        # The same two steps as stripe's _APIRequestor._args_for_request_with_retries.
        return urlencode(list(_api_encode(params))).replace("%5B", "[").replace("%5D", "]")

    return {
        "raw: urlencode(hand-flattened pairs)": fixtures.create_form_body,
        "SDK: encode_form(mapping)": lambda: encode_form(params),
        "SDK: encode_form(CreateParams)": lambda: encode_form(typed),
        "stripe: urlencode(_api_encode(mapping))": official,
    }


def _portal_cost(api_base: str, calls: int, rounds: int) -> dict[str, Any]:
    """Sequential retrieves through the async client (awaited) and the sync facade, same process."""
    import stripe_identity as si

    loop = asyncio.new_event_loop()
    async_client = si.AsyncStripeIdentity(fixtures.API_KEY, api_base=api_base)
    loop.run_until_complete(async_client.__aenter__())
    sync_client = si.StripeIdentity(fixtures.API_KEY, api_base=api_base)

    async def async_calls(n: int) -> None:
        retrieve = async_client.verification_sessions.retrieve
        for _ in range(n):
            await retrieve(fixtures.SESSION_ID)

    def sync_calls(n: int) -> None:
        retrieve = sync_client.verification_sessions.retrieve
        for _ in range(n):
            retrieve(fixtures.SESSION_ID)

    async def noop() -> None:
        return None

    async def await_noops(n: int) -> None:
        for _ in range(n):
            await noop()

    # The facade's own runner (a private attribute): exactly the crossing a sync call pays,
    # without the request. Skipped if the facade is ever restructured.
    runner: Any = getattr(sync_client, "_runner", None)

    def portal_noops(n: int) -> None:
        for _ in range(n):
            runner.call(noop)

    def measure(run: Callable[[int], object]) -> tuple[float, float]:
        gc.collect()
        wall0, cpu0 = time.perf_counter(), time.process_time()
        run(calls)
        return (time.perf_counter() - wall0) / calls * 1e6, (time.process_time() - cpu0) / calls * 1e6

    def in_loop(coro_fn: Callable[[int], Awaitable[None]]) -> Callable[[int], object]:
        return lambda n: loop.run_until_complete(coro_fn(n))

    samples: dict[str, list[tuple[float, float]]] = {
        "async": [],
        "sync": [],
        "noop_await": [],
        "noop_portal": [],
    }
    try:
        measure(in_loop(async_calls))  # warm both pools
        measure(sync_calls)
        for _ in range(rounds):  # interleaved, so drift on a shared machine hits both alike
            samples["async"].append(measure(in_loop(async_calls)))
            samples["sync"].append(measure(sync_calls))
            samples["noop_await"].append(measure(in_loop(await_noops)))
            if runner is not None:
                samples["noop_portal"].append(measure(portal_noops))
    finally:
        sync_client.close()
        loop.run_until_complete(async_client.aclose())
        loop.close()

    def med(key: str, index: int) -> float:
        values = [s[index] for s in samples[key]]
        return statistics.median(values) if values else math.nan

    return {
        "calls_per_round": calls,
        "rounds": rounds,
        "async_wall_us": med("async", 0),
        "async_cpu_us": med("async", 1),
        "sync_wall_us": med("sync", 0),
        "sync_cpu_us": med("sync", 1),
        "extra_wall_us": statistics.median(
            s[0] - a[0] for s, a in zip(samples["sync"], samples["async"], strict=True)
        ),
        "extra_cpu_us": statistics.median(
            s[1] - a[1] for s, a in zip(samples["sync"], samples["async"], strict=True)
        ),
        "noop_await_wall_us": med("noop_await", 0),
        "noop_portal_wall_us": med("noop_portal", 0),
        "noop_portal_cpu_us": med("noop_portal", 1),
    }


def run_micro(api_base: str, quick: bool) -> dict[str, Any]:
    """All micro-benchmarks; meant to run in a fresh process pinned to the client core."""
    target_s, repeats = (0.05, 3) if quick else (0.25, 7)
    parse = {name: _bench(fn, target_s, repeats) for name, fn in _parse_cases().items()}
    encode = {name: _bench(fn, target_s, repeats) for name, fn in _encode_cases().items()}
    portal = _portal_cost(api_base, calls=300 if quick else 2000, rounds=2 if quick else 7)
    return {
        "body_bytes": len(fixtures.SESSION_BODY),
        "form_bytes": len(fixtures.create_form_body()),
        "parse": parse,
        "encode": encode,
        "portal": portal,
        "repeats": repeats,
    }
