"""What a team coming from stripe-python relies on: headers, encodings, views, logging, lifetimes."""

from __future__ import annotations

import datetime
import enum
import gc
import json
import logging
import subprocess
import sys
import textwrap
import warnings
from collections.abc import AsyncIterator
from urllib.parse import unquote

import pytest
from aiohttp import web

import stripe_identity as si
from tests.conftest import TEST_KEY
from tests.fake_api import FakeStripe, Reply, error_json, session_json

pytestmark = pytest.mark.anyio


# --- params ----------------------------------------------------------------------------------------


class Colour(enum.Enum):
    BLUE = "blue"


async def test_aware_datetimes_are_sent_as_unix_seconds(
    client: si.AsyncStripeIdentity, fake_api: FakeStripe
) -> None:
    moment = datetime.datetime(2026, 1, 2, 3, 4, 5, 999, tzinfo=datetime.timezone.utc)
    in_paris = moment.astimezone(datetime.timezone(datetime.timedelta(hours=1)))
    await client.verification_sessions.list({"created": {"gte": moment, "lt": in_paris}})
    params = si.VerificationSessionListParams(created=si.CreatedFilter(gt=moment))
    await client.verification_sessions.list(params)
    first, second = fake_api.seen
    unix = int(moment.timestamp())
    assert unquote(first.query_string) == f"created[gte]={unix}&created[lt]={unix}"
    assert unquote(second.query_string) == f"created[gt]={unix}"


async def test_naive_datetimes_and_dates_are_refused_naming_the_param(
    client: si.AsyncStripeIdentity,
) -> None:
    with pytest.raises(TypeError, match=r"naive datetime for 'created\[gte\]'"):
        await client.verification_sessions.list({"created": {"gte": datetime.datetime(2026, 1, 1)}})
    with pytest.raises(TypeError, match=r"date for 'created\[lt\]'"):
        await client.verification_sessions.list(
            {"created": {"lt": datetime.date(2026, 1, 1)}}  # type: ignore[arg-type]
        )
    with pytest.raises(TypeError, match=r"cannot encode a object for 'metadata\[k\]'"):
        await client.verification_sessions.create({"metadata": {"k": object()}})  # type: ignore[arg-type]


async def test_a_model_is_sent_as_its_id_and_an_enum_as_its_value(
    client: si.AsyncStripeIdentity, fake_api: FakeStripe
) -> None:
    session = await client.verification_sessions.retrieve("vs_model")
    await client.verification_reports.list({"verification_session": session})
    # Metadata is typed as strings; the encoder still sends an Enum's value.
    await client.verification_sessions.update(
        "vs_model",
        {"metadata": {"colour": Colour.BLUE}},  # type: ignore[arg-type]
    )
    listed, updated = fake_api.seen[1:]
    assert listed.query_string == "verification_session=vs_model"  # the id, no personal data
    assert unquote(updated.body.decode()) == "metadata[colour]=blue"


# --- headers ---------------------------------------------------------------------------------------


async def test_default_headers_context_and_per_request_headers(fake_api: FakeStripe) -> None:
    async with si.AsyncStripeIdentity(
        TEST_KEY,
        api_base=fake_api.url,
        default_headers={"X-Gateway": "eu-1", "X-Team": "identity"},
        stripe_context="ctx_org_1",
    ) as client:
        await client.verification_sessions.retrieve("vs_1")
        await client.verification_sessions.retrieve(
            "vs_1", None, {"headers": {"X-Team": "kyc", "X-Trace": "a b"}, "stripe_context": "ctx_2"}
        )
    first, second = fake_api.seen
    assert (first.headers["X-Gateway"], first.headers["X-Team"]) == ("eu-1", "identity")
    assert first.headers["Stripe-Context"] == "ctx_org_1"
    assert (second.headers["X-Team"], second.headers["X-Trace"]) == ("kyc", "a b")
    assert second.headers["Stripe-Context"] == "ctx_2"


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Evil": "a\r\nSet-Cookie: x=1"},
        {"X-Evil": "a\nb"},
        {"Bad Name": "x"},
        {"X-Evil\r\nInjected": "x"},
        {"X-Evil": "caf\u00e9"},
    ],
)
async def test_header_injection_is_refused_before_sending(
    client: si.AsyncStripeIdentity, fake_api: FakeStripe, headers: dict[str, str]
) -> None:
    with pytest.raises(ValueError, match="header"):
        await client.verification_sessions.retrieve("vs_1", None, {"headers": headers})
    with pytest.raises(ValueError, match="header"):
        si.AsyncStripeIdentity(TEST_KEY, api_base=fake_api.url, default_headers=headers)
    with pytest.raises(ValueError, match="stripe_context"):
        await client.verification_sessions.retrieve("vs_1", None, {"stripe_context": "a\r\nb"})
    assert fake_api.seen == []


async def test_client_user_agent_and_app_info(fake_api: FakeStripe) -> None:
    app = si.AppInfo(name="shop-plugin", version="2.1", url="https://shop.example", partner_id="pp_1")
    async with si.AsyncStripeIdentity(TEST_KEY, api_base=fake_api.url, app_info=app) as client:
        await client.verification_sessions.retrieve("vs_1")
        quiet = client.with_options(client_user_agent=False, app_info=None)
        await quiet.verification_sessions.retrieve("vs_1")
    first, second = fake_api.seen
    assert first.headers["User-Agent"].endswith(" shop-plugin/2.1 (https://shop.example)")
    info = json.loads(first.headers["X-Stripe-Client-User-Agent"])
    assert info["bindings_version"] == si.__version__
    assert (info["lang"], info["publisher"], info["httplib"]) == ("python", "stripe-identity", "aiohttp")
    assert info["lang_version"] == ".".join(map(str, sys.version_info[:3]))
    assert info["application"] == {
        "name": "shop-plugin",
        "version": "2.1",
        "url": "https://shop.example",
        "partner_id": "pp_1",
    }
    assert "uname" not in info  # uname carries the host name
    assert "X-Stripe-Client-User-Agent" not in second.headers
    assert "shop-plugin" not in second.headers["User-Agent"]


# --- with_options ------------------------------------------------------------------------------------


def _open(*clients: si.AsyncStripeIdentity | si.StripeIdentity) -> list[bool]:
    return [not c.closed for c in clients]


class PeerRecorder:
    """A server that notes which client port each request came from: one port, one connection."""

    def __init__(self) -> None:
        self.peers: list[tuple[int, str | None]] = []

    async def handle(self, request: web.Request) -> web.Response:
        peer = request.transport.get_extra_info("peername") if request.transport else None
        port = peer[1] if peer else -1
        self.peers.append((port, request.headers.get("Stripe-Account")))
        return web.json_response(session_json(request.match_info["id"]))


@pytest.fixture
async def peers() -> AsyncIterator[tuple[PeerRecorder, str]]:
    recorder = PeerRecorder()
    app = web.Application()
    app.router.add_get("/v1/identity/verification_sessions/{id}", recorder.handle)
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield recorder, f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


async def test_with_options_views_share_one_connection_and_do_not_close_it(
    peers: tuple[PeerRecorder, str],
) -> None:
    recorder, base = peers
    async with si.AsyncStripeIdentity(TEST_KEY, api_base=base) as client:
        tenant = client.with_options(stripe_account="acct_tenant", max_retries=5, timeout=10)
        await client.verification_sessions.retrieve("vs_1")
        await tenant.verification_sessions.retrieve("vs_2")
        async with tenant:  # closing a view closes nothing
            pass
        await tenant.aclose()
        assert _open(client, tenant) == [True, True]
        await client.verification_sessions.retrieve("vs_3")
        assert repr(tenant).endswith(", view)")
    assert _open(client, tenant) == [False, False]
    ports = {port for port, _ in recorder.peers}
    assert len(ports) == 1  # one TCP connection served the client and its view
    assert [account for _, account in recorder.peers] == [None, "acct_tenant", None]


def test_sync_views_send_their_settings_and_leave_the_client_open(
    threaded_fake_api: FakeStripe,
) -> None:
    with si.StripeIdentity(TEST_KEY, api_base=threaded_fake_api.url) as client:
        view = client.with_options(stripe_account="acct_sync", stripe_version="2020-08-27")
        view.verification_sessions.retrieve("vs_1")
        view.close()  # closes nothing
        client.verification_sessions.retrieve("vs_2")
        assert _open(client, view) == [True, True] and view.api_base == client.api_base
    assert _open(client, view) == [False, False]
    first, second = threaded_fake_api.seen
    assert (first.headers["Stripe-Account"], first.headers["Stripe-Version"]) == (
        "acct_sync",
        "2020-08-27",
    )
    assert "Stripe-Account" not in second.headers


async def test_with_options_checks_what_it_changes(client: si.AsyncStripeIdentity) -> None:
    with pytest.raises(ValueError, match="max_retries"):
        client.with_options(max_retries=-1)
    with pytest.raises(ValueError, match="refusing plain http"):
        client.with_options(api_base="http://api.example.com")
    with pytest.raises(TypeError):
        client.with_options(max_connections=3)  # type: ignore[call-arg]


# --- logging and lifetimes --------------------------------------------------------------------------


def _run(code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def test_stripe_log_debug_prints_attempts_on_stderr() -> None:
    code = """
        import stripe_identity as si
        from stripe_identity.emulator import Emulator
        with Emulator() as emu, si.StripeIdentity("sk_test_log", api_base=emu.api_base) as c:
            c.verification_sessions.create({"type": "document"})
    """
    loud = _run(code, {"STRIPE_LOG": "debug"})
    assert loud.returncode == 0, loud.stderr
    assert "DEBUG stripe_identity: POST /v1/identity/verification_sessions -> 200" in loud.stderr
    assert "sk_test_log" not in loud.stderr
    quiet = _run(code, {"STRIPE_LOG": ""})
    assert quiet.returncode == 0 and "stripe_identity" not in quiet.stderr


def test_stripe_log_defers_to_an_application_logging_setup() -> None:
    logger = logging.getLogger("stripe_identity")
    before = (logger.level, list(logger.handlers))
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("STRIPE_LOG", "info")
            si.AsyncStripeIdentity(TEST_KEY)  # the test run configured the root logger
        assert logger.level == logging.INFO
        assert logger.handlers == before[1]  # no handler of its own beside the application's
    finally:
        logger.setLevel(before[0])


def test_an_empty_key_fails_locally_like_a_missing_one() -> None:
    code = """
        import stripe_identity as si
        for key in ("",):
            with si.StripeIdentity(key, api_base="http://127.0.0.1:9") as client:
                try:
                    client.verification_sessions.list()
                except si.AuthenticationError as exc:
                    print("refused:", exc.message)
    """
    result = _run(code, {"STRIPE_API_KEY": "sk_test_from_env"})
    assert result.returncode == 0, result.stderr
    assert "refused: No API key provided" in result.stdout


def test_services_and_pages_keep_a_sync_client_alive() -> None:
    code = """
        import gc
        import stripe_identity as si
        from stripe_identity.emulator import Emulator
        with Emulator() as emu:
            page = si.StripeIdentity("sk_test_alive", api_base=emu.api_base).verification_sessions.list()
            gc.collect()
            service = si.StripeIdentity("sk_test_alive", api_base=emu.api_base).verification_sessions
            gc.collect()
            service.create({"type": "document"})
            print(len(page), len(list(service.list().auto_paging_iter())))
    """
    result = _run(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["0", "1"]


async def test_an_unclosed_async_client_warns_once_naming_aclose(fake_api: FakeStripe) -> None:
    client = si.AsyncStripeIdentity(TEST_KEY, api_base=fake_api.url)
    await client.verification_sessions.retrieve("vs_1")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        del client
        gc.collect()
    messages = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert len(messages) == 1
    assert "aclose()" in messages[0]


def test_an_unclosed_async_client_names_aclose_and_nothing_else_at_exit() -> None:
    code = """
        import asyncio
        import stripe_identity as si
        from stripe_identity.emulator import Emulator

        async def main():
            async with Emulator() as emu:
                client = si.AsyncStripeIdentity("sk_test_exit", api_base=emu.api_base)
                await client.verification_sessions.create({"type": "document"})

        asyncio.run(main())
    """
    result = _run(code, {"PYTHONWARNINGS": "default"})
    assert result.returncode == 0, result.stderr
    assert "aclose()" in result.stderr
    assert "Unclosed client session" not in result.stderr
    assert "ResponseHandler" not in result.stderr


# --- spellings from stripe-python ----------------------------------------------------------------------


async def test_stripe_python_spellings_that_cost_nothing(
    client: si.AsyncStripeIdentity, fake_api: FakeStripe
) -> None:
    session = await client.verification_sessions.retrieve("vs_1")
    assert session["status"] == session.status
    assert session["options"]["document"]["require_matching_selfie"] is True
    with pytest.raises(KeyError):
        session["no_such_field"]
    fake_api.queue(Reply(status=400, json=error_json("invalid_request_error", "Bad thing", param="x")))
    with pytest.raises(si.InvalidRequestError) as error:
        await client.verification_sessions.retrieve("vs_2")
    assert error.value.user_message == "Bad thing"
    body = error.value.http_body
    assert body is not None and json.loads(body)["error"]["param"] == "x"


# --- plain http to a named host: off by default, one host at a time ------------------------------


def test_plain_http_to_a_named_host_is_allowed_only_for_that_host() -> None:
    client = si.AsyncStripeIdentity(
        TEST_KEY, api_base="http://emulator:12111", allow_insecure_http="emulator"
    )
    assert client.api_base == "http://emulator:12111"
    with pytest.raises(ValueError, match="refusing plain http:// to other-host") as info:
        si.AsyncStripeIdentity(
            TEST_KEY, api_base="http://other-host:1", allow_insecure_http=["Emulator"]
        )
    assert "allow_insecure_http='other-host'" in str(info.value)


def test_the_insecure_hosts_can_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRIPE_INSECURE_HTTP_HOSTS", "emulator, mock-stripe")
    assert (
        si.AsyncStripeIdentity(TEST_KEY, api_base="http://mock-stripe").api_base == "http://mock-stripe"
    )
    with pytest.raises(ValueError, match="refusing plain http"):
        si.AsyncStripeIdentity(TEST_KEY, api_base="http://elsewhere")
    # Given explicitly, the argument wins over the environment.
    with pytest.raises(ValueError, match="refusing plain http"):
        si.AsyncStripeIdentity(TEST_KEY, api_base="http://emulator", allow_insecure_http=False)


@pytest.mark.parametrize("bad", ["", "http://emulator", "emulator:80", "a b", 42])
def test_insecure_hosts_must_be_host_names(bad: object) -> None:
    with pytest.raises(ValueError, match="takes True or host names"):
        si.AsyncStripeIdentity(TEST_KEY, allow_insecure_http=[bad])  # type: ignore[list-item]
