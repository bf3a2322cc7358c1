"""The clients under test, each behind the same two calls: ``get()`` (retrieve) and ``post()`` (create).

Every adapter sends the same request to the static server: the same path, ``Authorization``,
``Stripe-Version``, a fresh UUID4 ``Idempotency-Key`` on POST, and byte-identical form bodies. Imports
are local to each factory: a worker process hosts one client and loads only that client's libraries,
so its RSS is that client's.

* ``raw-aiohttp`` -- the floor: hand-written aiohttp, one ``ClientSession`` with the SDK's session
  settings (pool of 100, no cookie jar) and header set, so the difference to the SDK is SDK code, not
  configuration. The form body is encoded per request with ``urllib.parse.urlencode`` over
  hand-flattened pairs and the response is decoded with ``orjson.loads`` (what the SDK uses).
* ``si-async`` / ``si-sync`` -- ``AsyncStripeIdentity`` and the ``StripeIdentity`` facade.
* ``stripe-aiohttp`` / ``stripe-httpx`` / ``stripe-sync`` -- the official ``stripe`` package with its
  ``AIOHTTPClient``, ``HTTPXClient`` and default sync client (``RequestsClient``), library defaults
  otherwise (retries, telemetry header, pool sizes).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, cast

from . import fixtures

__all__ = [
    "CLIENTS",
    "AsyncClient",
    "ClientSpec",
    "Contender",
    "DEFAULT_CONTENDERS",
    "LABELS",
    "SyncClient",
    "make_async",
    "make_sync",
]

_PATH = "/v1/identity/verification_sessions"


class AsyncClient(Protocol):
    async def start(self) -> None: ...
    async def get(self) -> None: ...
    async def post(self) -> None: ...
    async def close(self) -> None: ...


class SyncClient(Protocol):
    def get(self) -> None: ...
    def post(self) -> None: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class ClientSpec:
    name: str
    label: str
    family: Literal["async", "sync"]
    #: The official-SDK configuration this one is compared with ("vs official" ratios).
    peer: str


CLIENTS: tuple[ClientSpec, ...] = (
    ClientSpec("raw-aiohttp", "raw aiohttp (floor)", "async", "stripe-aiohttp"),
    ClientSpec("si-async", "AsyncStripeIdentity", "async", "stripe-aiohttp"),
    ClientSpec("stripe-aiohttp", "stripe async (AIOHTTPClient)", "async", "stripe-aiohttp"),
    ClientSpec("stripe-httpx", "stripe async (HTTPXClient)", "async", "stripe-aiohttp"),
    ClientSpec("si-sync", "StripeIdentity (sync facade)", "sync", "stripe-sync"),
    ClientSpec("stripe-sync", "stripe sync (RequestsClient)", "sync", "stripe-sync"),
)


#: Each client's name in the tables.
LABELS = {spec.name: spec.label for spec in CLIENTS}

#: The contenders of ``--paired`` and ``--instructions`` unless told: the floor, then the SDK.
DEFAULT_CONTENDERS = ("raw-aiohttp", "si-async")


@dataclass(frozen=True)
class Contender:
    """A client of the paired runs: a :class:`ClientSpec`, with options or another copy of the SDK.

    Written ``name[option=value,...]@path``. The options are the SDK client's constructor keywords:
    ``si-async[client_user_agent=false]`` is the SDK without that header. The path is a tree to
    import ``stripe_identity`` from (``git archive <commit> stripe_identity | tar -x -C /tmp/before``):
    ``si-async@/tmp/before`` measures a change against what it replaces, in the same run.
    """

    key: str
    spec: ClientSpec
    sdk_path: str | None = None
    options: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str) -> Contender:
        key = text.strip()
        rest, _, path = key.partition("@")
        name, _, opts = rest.partition("[")
        spec = next((s for s in CLIENTS if s.name == name), None)
        if spec is None:
            raise ValueError(f"unknown client {name!r} in {key!r}")
        if (opts or path) and not name.startswith("si-"):
            raise ValueError(f"{key!r}: options and a path are for the SDK's clients only")
        options: dict[str, Any] = {}
        for item in opts.rstrip("]").split(","):
            if item.strip():
                option, _, value = item.partition("=")
                low = value.strip().lower()
                parsed: Any = {"true": True, "false": False, "none": None}.get(low, value.strip())
                if isinstance(parsed, str):
                    with contextlib.suppress(ValueError):
                        parsed = float(parsed)
                options[option.strip()] = parsed
        return cls(key, spec, path or None, options)


def _check_id(obj: Any) -> None:
    # A cheap proof that a real object came back (and was parsed), not just a status line. Only the
    # prefix: against the emulator every create has a new id.
    if not obj.id.startswith("vs_"):
        raise AssertionError(f"unexpected session id {obj.id!r}")


class RawAiohttp:
    """Hand-written aiohttp: what a careful caller writes without an SDK, the floor to compare with."""

    def __init__(self, api_base: str) -> None:
        self._base = api_base
        base_headers = {
            "Authorization": f"Bearer {fixtures.API_KEY}",
            "Stripe-Version": fixtures.STRIPE_VERSION,
            "Accept": "application/json",
            "User-Agent": fixtures.USER_AGENT,
            # The SDK's header set, like for like: stripe-python sends this header too, so it is a
            # feature of an SDK, not overhead (``si-async[client_user_agent=false]`` measures it).
            "X-Stripe-Client-User-Agent": fixtures.client_user_agent(),
        }
        self._get_headers = base_headers
        self._post_headers = {**base_headers, "Content-Type": "application/x-www-form-urlencoded"}
        self._session: Any = None
        self._loads: Callable[[bytes], Any] = lambda _: None

    async def start(self) -> None:
        import aiohttp
        import orjson

        self._loads = orjson.loads
        # The SDK's session settings, so that the difference to the SDK is its code, not its pool.
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=100), cookie_jar=aiohttp.DummyCookieJar()
        )

    async def get(self) -> None:
        url = f"{self._base}{_PATH}/{fixtures.SESSION_ID}"
        async with self._session.get(url, headers=self._get_headers) as resp:
            body = await resp.read()
            status = resp.status
        self._check(status, body)

    async def post(self) -> None:
        headers = {**self._post_headers, "Idempotency-Key": str(uuid.uuid4())}
        body = fixtures.create_form_body()
        async with self._session.post(self._base + _PATH, data=body, headers=headers) as resp:
            data = await resp.read()
            status = resp.status
        self._check(status, data)

    def _check(self, status: int, body: bytes) -> None:
        if status != 200:
            raise AssertionError(f"HTTP {status}")
        if not self._loads(body)["id"].startswith("vs_"):
            raise AssertionError("unexpected body")

    async def close(self) -> None:
        await self._session.close()


class SIAsync:
    def __init__(self, api_base: str, **options: Any) -> None:
        import stripe_identity as si

        self._client = si.AsyncStripeIdentity(fixtures.API_KEY, api_base=api_base, **options)
        self._sessions = self._client.verification_sessions

    async def start(self) -> None:
        await self._client.__aenter__()

    async def get(self) -> None:
        _check_id(await self._sessions.retrieve(fixtures.SESSION_ID))

    async def post(self) -> None:
        _check_id(await self._sessions.create(fixtures.CREATE_PARAMS))

    async def close(self) -> None:
        await self._client.aclose()


class SISync:
    def __init__(self, api_base: str, **options: Any) -> None:
        import stripe_identity as si

        self._client = si.StripeIdentity(fixtures.API_KEY, api_base=api_base, **options)
        self._sessions = self._client.verification_sessions

    def get(self) -> None:
        _check_id(self._sessions.retrieve(fixtures.SESSION_ID))

    def post(self) -> None:
        _check_id(self._sessions.create(fixtures.CREATE_PARAMS))

    def close(self) -> None:
        self._client.close()


def _stripe_client(api_base: str, http_client: Any) -> Any:
    import stripe

    return stripe.StripeClient(
        fixtures.API_KEY,
        base_addresses={"api": api_base},
        stripe_version=fixtures.STRIPE_VERSION,
        http_client=http_client,
    )


class StripeAsync:
    """The official SDK's async path, with either of its async HTTP clients."""

    def __init__(self, api_base: str, http: Literal["aiohttp", "httpx"]) -> None:
        self._base = api_base
        self._http_kind = http
        self._http: Any = None
        self._sessions: Any = None

    async def start(self) -> None:
        import stripe

        # Built on the running loop: AIOHTTPClient opens its session lazily there anyway.
        self._http = stripe.AIOHTTPClient() if self._http_kind == "aiohttp" else stripe.HTTPXClient()
        self._sessions = _stripe_client(self._base, self._http).v1.identity.verification_sessions

    async def get(self) -> None:
        _check_id(await self._sessions.retrieve_async(fixtures.SESSION_ID))

    async def post(self) -> None:
        _check_id(await self._sessions.create_async(cast("Any", fixtures.CREATE_PARAMS)))

    async def close(self) -> None:
        await self._http.close_async()


class StripeSync:
    def __init__(self, api_base: str) -> None:
        import stripe

        # What StripeClient picks by default when requests is installed (it is a stripe dependency).
        self._http: Any = stripe.RequestsClient()
        self._sessions = _stripe_client(api_base, self._http).v1.identity.verification_sessions

    def get(self) -> None:
        _check_id(self._sessions.retrieve(fixtures.SESSION_ID))

    def post(self) -> None:
        _check_id(self._sessions.create(cast("Any", fixtures.CREATE_PARAMS)))

    def close(self) -> None:
        self._http.close()


_ASYNC: dict[str, Callable[..., AsyncClient]] = {
    "raw-aiohttp": RawAiohttp,
    "si-async": SIAsync,
    "stripe-aiohttp": lambda base: StripeAsync(base, "aiohttp"),
    "stripe-httpx": lambda base: StripeAsync(base, "httpx"),
}
_SYNC: dict[str, Callable[..., SyncClient]] = {
    "si-sync": SISync,
    "stripe-sync": StripeSync,
}


def make_async(name: str, api_base: str, options: dict[str, Any] | None = None) -> AsyncClient:
    """Build (not start) an async client; call inside the loop that will run it."""
    return _ASYNC[name](api_base, **(options or {}))


def make_sync(name: str, api_base: str, options: dict[str, Any] | None = None) -> SyncClient:
    return _SYNC[name](api_base, **(options or {}))
