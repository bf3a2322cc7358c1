"""The programs ``--cold-start`` runs, each in a fresh interpreter: import, make a client, one call.

Each is a ``python -c`` text taking the server's URL as ``sys.argv[1]`` and retrieving the static
server's session once, the way a script, a cron job or a serverless function would: the libraries
are imported by the program itself, nothing is imported ahead. A program exits non-zero if the
session did not come back. ``CLI`` programs print the session as indented JSON on stdout, as the
SDK's ``stripe-identity sessions retrieve`` does; the others print nothing.

``PHASES`` programs time the same steps from inside (import, client, first call, then more calls),
to show what the first call costs beyond the ones after it.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import fixtures

__all__ = ["PHASES", "PROGRAMS", "Program"]

_ID = fixtures.SESSION_ID
_KEY = fixtures.API_KEY
_VERSION = fixtures.STRIPE_VERSION
_PATH = "/v1/identity/verification_sessions/"


@dataclass(frozen=True)
class Program:
    name: str
    label: str
    #: ``python -c`` text, or the arguments after ``python`` (the CLI) when ``argv`` is set.
    code: str = ""
    argv: tuple[str, ...] = ()
    #: Runs this SDK: its tree is what ``@path`` replaces.
    sdk: bool = False


# A careful user's plain aiohttp: one session, the headers the API needs, the body as JSON.
_RAW = f"""
import asyncio, sys
import aiohttp

async def main(url):
    headers = {{"Authorization": "Bearer {_KEY}", "Stripe-Version": "{_VERSION}"}}
    async with aiohttp.ClientSession() as http:
        async with http.get(url + "{_PATH}{_ID}", headers=headers) as resp:
            resp.raise_for_status()
            return await resp.json()

session = asyncio.run(main(sys.argv[1]))
assert session["id"] == "{_ID}"
"""

_RAW_CLI = _RAW + "import json\nprint(json.dumps(session, indent=2))\n"

_SI_SYNC = f"""
import sys
import stripe_identity as si

with si.StripeIdentity("{_KEY}", api_base=sys.argv[1]) as client:
    session = client.verification_sessions.retrieve("{_ID}")
assert session.id == "{_ID}"
"""

_SI_ASYNC = f"""
import asyncio, sys
import stripe_identity as si

async def main(url):
    async with si.AsyncStripeIdentity("{_KEY}", api_base=url) as client:
        return await client.verification_sessions.retrieve("{_ID}")

assert asyncio.run(main(sys.argv[1])).id == "{_ID}"
"""

# What the console script ``stripe-identity`` runs.
_SI_CLI = "import sys; from stripe_identity._cli import main; sys.exit(main())"

_STRIPE_SYNC = f"""
import sys
import stripe

url = sys.argv[1]
client = stripe.StripeClient("{_KEY}", base_addresses={{"api": url}}, stripe_version="{_VERSION}")
assert client.v1.identity.verification_sessions.retrieve("{_ID}").id == "{_ID}"
"""


def _stripe_async(http_client: str) -> str:
    return f"""
import asyncio, sys
import stripe

async def main(url):
    http = stripe.{http_client}()
    client = stripe.StripeClient(
        "{_KEY}", base_addresses={{"api": url}}, stripe_version="{_VERSION}", http_client=http
    )
    try:
        return await client.v1.identity.verification_sessions.retrieve_async("{_ID}")
    finally:
        await http.close_async()

assert asyncio.run(main(sys.argv[1])).id == "{_ID}"
"""


PROGRAMS: tuple[Program, ...] = (
    Program("raw-aiohttp", "plain aiohttp, asyncio.run", _RAW),
    Program("si-sync", "StripeIdentity (sync)", _SI_SYNC, sdk=True),
    Program("si-async", "AsyncStripeIdentity", _SI_ASYNC, sdk=True),
    Program("stripe-sync", "stripe-python sync (RequestsClient)", _STRIPE_SYNC),
    Program(
        "stripe-httpx", "stripe-python async (HTTPXClient, its default)", _stripe_async("HTTPXClient")
    ),
    Program("stripe-aiohttp", "stripe-python async (AIOHTTPClient)", _stripe_async("AIOHTTPClient")),
    Program("raw-cli", "python -c: plain aiohttp, JSON printed", _RAW_CLI),
    Program(
        "si-cli",
        "stripe-identity sessions retrieve",
        argv=("-c", _SI_CLI, "sessions", "retrieve", _ID, "--api-base"),
        sdk=True,
    ),
)

# The same steps timed from inside: import, client, the first call, then CALLS more.
_CALLS = 20
_CLOCKS = """
import time, json, statistics
def now():
    return time.perf_counter(), time.process_time()
def since(t):
    wall, cpu = now()
    return [wall - t[0], cpu - t[1]]
marks = {}
t = now()
"""
_REPORT = """
print(json.dumps({**marks, "rest": [statistics.median(r[0] for r in rest),
                                    statistics.median(r[1] for r in rest)]}))
"""

PHASES: dict[str, str] = {
    "raw-aiohttp": _CLOCKS
    + f"""
import asyncio, sys
import aiohttp
marks["import"] = since(t)

async def main(url):
    headers = {{"Authorization": "Bearer {_KEY}", "Stripe-Version": "{_VERSION}"}}
    t = now()
    async with aiohttp.ClientSession() as http:
        marks["client"] = since(t)
        rest = []
        for i in range({_CALLS + 1}):
            t = now()
            async with http.get(url + "{_PATH}{_ID}", headers=headers) as resp:
                resp.raise_for_status()
                assert (await resp.json())["id"] == "{_ID}"
            rest.append(since(t))
    marks["first"] = rest.pop(0)
    return rest

rest = asyncio.run(main(sys.argv[1]))
"""
    + _REPORT,
    "si-sync": _CLOCKS
    + f"""
import sys
import stripe_identity as si
client_class = si.StripeIdentity
marks["import"] = since(t)
t = now()
with client_class("{_KEY}", api_base=sys.argv[1]) as client:
    sessions = client.verification_sessions
    marks["client"] = since(t)
    rest = []
    for i in range({_CALLS + 1}):
        t = now()
        assert sessions.retrieve("{_ID}").id == "{_ID}"
        rest.append(since(t))
marks["first"] = rest.pop(0)
"""
    + _REPORT,
    "si-async": _CLOCKS
    + f"""
import asyncio, sys
import stripe_identity as si
client_class = si.AsyncStripeIdentity
marks["import"] = since(t)

async def main(url):
    t = now()
    async with client_class("{_KEY}", api_base=url) as client:
        sessions = client.verification_sessions
        marks["client"] = since(t)
        rest = []
        for i in range({_CALLS + 1}):
            t = now()
            assert (await sessions.retrieve("{_ID}")).id == "{_ID}"
            rest.append(since(t))
    marks["first"] = rest.pop(0)
    return rest

rest = asyncio.run(main(sys.argv[1]))
"""
    + _REPORT,
}
