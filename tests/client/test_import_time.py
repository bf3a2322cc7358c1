"""Import costs, measured in a fresh interpreter with ``-X importtime`` (generous margins)."""

from __future__ import annotations

import subprocess
import sys

import pytest

import stripe_identity as si


def _import_times(code: str) -> tuple[dict[str, int], str]:
    """Cumulative microseconds per module imported by ``code``, and what ``code`` printed."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    times: dict[str, int] = {}
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = (part.strip() for part in line.removeprefix("import time:").split("|"))
        times[name] = int(cumulative)
    return times, result.stdout


def test_import_stripe_identity_adds_little_to_aiohttp() -> None:
    # aiohttp first, so only what this package adds on top of it is counted. Its names load on
    # first use: the import itself is a few hundred microseconds. Best of three, as the machine is
    # shared.
    best = min(
        _import_times("import aiohttp; import stripe_identity")[0]["stripe_identity"] for _ in range(3)
    )
    assert best < 5_000, best


def test_a_program_that_retrieves_sessions_loads_only_what_it_uses() -> None:
    # The other services, their models and params, the params of this one, the limiter and anyio
    # (for clients that pace or retry) load only when used: a script pays for what it calls.
    _, printed = _import_times(
        "import sys, stripe_identity as si\n"
        "client = si.StripeIdentity('sk_test_x', api_base='http://127.0.0.1:9')\n"
        "client.verification_sessions.retrieve\n"
        "client.close()\n"
        "print(' '.join(sorted(sys.modules)))"
    )
    loaded = set(printed.split())
    assert "stripe_identity._sync._resources.verification_sessions" in loaded
    unwanted = {
        f"stripe_identity.{package}.{module}"
        for package in ("_resources", "_sync._resources", "_models", "_params")
        for module in ("ephemeral_keys", "events", "files", "file_links", "thin_events")
    }
    unwanted |= {
        "anyio",
        "stripe_identity._limiter",
        "stripe_identity._params.verification_sessions",
        "stripe_identity.webhooks",
        "stripe_identity.emulator",
    }
    assert not loaded & unwanted, sorted(loaded & unwanted)


def test_names_load_on_first_use_and_are_the_real_objects() -> None:
    _, printed = _import_times(
        "import sys, stripe_identity as si; "
        "print('stripe_identity._sync' in sys.modules, 'stripe_identity.webhooks' in sys.modules)"
    )
    assert printed.split() == ["False", "False"]
    from stripe_identity._errors import APIConnectionError
    from stripe_identity._sync import StripeIdentity

    assert si.APIConnectionError is APIConnectionError
    assert si.StripeIdentity is StripeIdentity
    assert set(si.__all__) <= set(dir(si))
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        si.Nope  # noqa: B018


def test_the_package_and_its_ledger_never_import_redis() -> None:
    # The Redis-backed pieces are an optional extra: only stripe_identity.redis imports redis-py.
    _, printed = _import_times(
        "import sys, stripe_identity as si; si.MemoryEventLedger; si.SharedStoreError; "
        "si.AsyncStripeIdentity; print('redis' in sys.modules)"
    )
    assert printed.split() == ["False"]


def test_the_pytest_plugin_is_cheap_and_leaves_aiohttp_alone() -> None:
    # pytest is imported first: in a pytest run it always is. Best of three, as the machine is shared.
    best = None
    for _ in range(3):
        times, printed = _import_times(
            "import pytest, sys; import stripe_identity.testing; "
            "print('aiohttp' in sys.modules, 'stripe_identity._client' in sys.modules)"
        )
        assert printed.split() == ["False", "False"]
        cost = times["stripe_identity.testing"]
        best = cost if best is None else min(best, cost)
    assert best is not None and best < 5_000, best
