"""The full run's *micro* section: parsing a session, and what one call costs through each client.

Parsing is timeit-style: each case runs in a loop sized to about ``target_s``, the loop repeats, and
the median per-call time is quoted (the minimum too, the least disturbed repeat on a noisy machine).
The SDK's case is the one step the parse target names (:mod:`benchmarks.internals`); the official
SDK's is its public ``construct_from`` over ``json.loads``, the two steps it takes after a response.

Calls are sequential retrieves, ``AsyncStripeIdentity`` awaited and ``StripeIdentity`` through its
portal, against the static server and answered in memory by a middleware (the whole call path, no
network). In memory the sync and async calls do the same work, so their difference is the crossing
to the portal's loop and back alone. Rounds of the four are interleaved, so that the machine's drift
hits them alike.
"""

from __future__ import annotations

import asyncio
import gc
import json
import statistics
import time
import timeit
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import fixtures, report

if TYPE_CHECKING:
    import stripe_identity as si

__all__ = ["PARSE_TARGET", "micro_markdown", "run_micro"]

#: The parse case the target is about.
PARSE_TARGET = "SDK: bytes -> model (orjson + structure)"
_ANSWER_HEADERS = {"Request-Id": "req_00000000000001", "Content-Type": "application/json"}


def _bench(fn: Callable[[], object], target_s: float, repeats: int) -> dict[str, float]:
    timer = timeit.Timer(fn)
    number = 1
    while timer.timeit(number) < target_s / 5:  # like Timer.autorange, towards our own target
        number *= 2
    loops = number * 5
    per_call = [t / loops * 1e6 for t in timer.repeat(repeat=repeats, number=loops)]
    return {"median_us": statistics.median(per_call), "min_us": min(per_call), "loops": loops}


def _parse_cases() -> dict[str, Callable[[], object]]:
    import attrs
    import orjson
    import stripe

    from .internals import decode_session

    body = fixtures.SESSION_BODY

    def read_all(obj: Any) -> None:
        # Every field, nested objects included: what a caller that reads the whole model pays
        # (nested objects are built on their first read).
        for field in attrs.fields(type(obj)):
            value = getattr(obj, field.name)
            if attrs.has(type(value)):
                read_all(value)

    built = decode_session(body)
    read_all(built)

    def whole() -> object:
        model = decode_session(body)
        read_all(model)
        return model

    def official() -> object:
        values = json.loads(body)
        return stripe.identity.VerificationSession.construct_from(values, fixtures.API_KEY)

    return {
        "json.loads(bytes)": lambda: json.loads(body),
        "orjson.loads(bytes)": lambda: orjson.loads(body),
        PARSE_TARGET: lambda: decode_session(body),
        "SDK: bytes -> model, every field read": whole,
        "(reading every field of a model already built: the loop alone)": lambda: read_all(built),
        "stripe: VerificationSession.construct_from(json.loads(bytes))": official,
    }


async def answer_in_memory(request: si.Request, call_next: si.Handler) -> si.Response:
    """A middleware that answers every call from memory: the SDK's whole call path, no network."""
    import stripe_identity as si

    return si.Response(200, _ANSWER_HEADERS, fixtures.SESSION_BODY, request)


def _call_costs(api_base: str, calls: int, rounds: int) -> dict[str, Any]:
    """Sequential retrieves: async and sync, against the server and answered in memory."""
    import stripe_identity as si

    loop = asyncio.new_event_loop()
    async_clients = {
        "async": si.AsyncStripeIdentity(fixtures.API_KEY, api_base=api_base),
        "async_memory": si.AsyncStripeIdentity(
            fixtures.API_KEY, api_base=api_base, middlewares=[answer_in_memory]
        ),
    }
    sync_clients = {
        "sync": si.StripeIdentity(fixtures.API_KEY, api_base=api_base),
        "sync_memory": si.StripeIdentity(
            fixtures.API_KEY, api_base=api_base, middlewares=[answer_in_memory]
        ),
    }

    def awaited(client: si.AsyncStripeIdentity) -> Callable[[], object]:
        async def calls_in_a_row() -> None:
            for _ in range(calls):
                await client.verification_sessions.retrieve(fixtures.SESSION_ID)

        return lambda: loop.run_until_complete(calls_in_a_row())

    def blocking(client: si.StripeIdentity) -> Callable[[], object]:
        def calls_in_a_row() -> None:
            for _ in range(calls):
                client.verification_sessions.retrieve(fixtures.SESSION_ID)

        return calls_in_a_row

    runs = {name: awaited(c) for name, c in async_clients.items()}
    runs |= {name: blocking(c) for name, c in sync_clients.items()}
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in runs}

    def measure(run: Callable[[], object]) -> tuple[float, float]:
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        return (time.perf_counter() - wall) / calls * 1e6, (time.process_time() - cpu) / calls * 1e6

    try:
        for client in async_clients.values():
            loop.run_until_complete(client.__aenter__())
        for run in runs.values():  # warm-up: pools, hooks, the portal's thread
            measure(run)
        for _ in range(rounds):
            for name, run in runs.items():
                samples[name].append(measure(run))
    finally:
        for sync_client in sync_clients.values():
            sync_client.close()
        for client in async_clients.values():
            loop.run_until_complete(client.aclose())
        loop.close()

    def diff(a: str, b: str, index: int) -> float:
        return statistics.median(
            x[index] - y[index] for x, y in zip(samples[a], samples[b], strict=True)
        )

    costs: dict[str, Any] = {"calls_per_round": calls, "rounds": rounds}
    for name, values in samples.items():
        costs[name] = {
            "wall_us": statistics.median(v[0] for v in values),
            "cpu_us": statistics.median(v[1] for v in values),
        }
    costs["sync_extra"] = {"wall_us": diff("sync", "async", 0), "cpu_us": diff("sync", "async", 1)}
    costs["crossing"] = {
        "wall_us": diff("sync_memory", "async_memory", 0),
        "cpu_us": diff("sync_memory", "async_memory", 1),
    }
    return costs


def run_micro(api_base: str, quick: bool) -> dict[str, Any]:
    """All micro-benchmarks; meant to run in a fresh process pinned to the client core."""
    target_s, repeats = (0.05, 3) if quick else (0.25, 7)
    return {
        "body_bytes": len(fixtures.SESSION_BODY),
        "parse": {name: _bench(fn, target_s, repeats) for name, fn in _parse_cases().items()},
        "calls": _call_costs(api_base, calls=300 if quick else 2000, rounds=2 if quick else 7),
        "repeats": repeats,
    }


def micro_markdown(micro: dict[str, Any]) -> list[str]:
    f = report.fmt
    lines = [
        "### Parsing a session (median of repeats; min in brackets)",
        "",
        f"Session body: {micro['body_bytes']:,} bytes.",
        "",
    ]
    lines += report.table(
        ["case", "µs/call"],
        [[name, f"{f(v['median_us'], 2)} ({f(v['min_us'], 2)})"] for name, v in micro["parse"].items()],
        "lr",
    )
    c = micro["calls"]
    rows = [
        ("await AsyncStripeIdentity.retrieve", c["async"]),
        ("StripeIdentity.retrieve (through the portal)", c["sync"]),
        ("**difference (sync - async)**", c["sync_extra"]),
        ("await AsyncStripeIdentity.retrieve, answered in memory", c["async_memory"]),
        ("StripeIdentity.retrieve, answered in memory", c["sync_memory"]),
        ("**difference: the portal crossing alone**", c["crossing"]),
    ]
    lines += [
        "",
        f"### One call, sequential ({c['rounds']} interleaved rounds of {c['calls_per_round']:,} calls)",
        "",
        *report.table(
            ["call", "wall µs/call", "CPU µs/call"],
            [[name, f(v["wall_us"], 1), f(v["cpu_us"], 1)] for name, v in rows],
            "lrr",
        ),
    ]
    return lines
