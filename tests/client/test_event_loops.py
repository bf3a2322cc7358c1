"""An async client follows the event loop: one loop after another works, two at once is a typed error.

The realistic case is a module-level client (as the README shows for web apps) meeting a new loop
per test, per ``asyncio.run`` or per Starlette ``TestClient`` block. Each case runs against the
emulator and checks for the noise asyncio prints when a pool outlives its loop ("Task exception was
never retrieved", "Event loop is closed", unclosed transports).
"""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from anyio.from_thread import start_blocking_portal

import stripe_identity as si
from stripe_identity.emulator import Emulator
from tests.conftest import TEST_KEY

ROOT = Path(si.__file__).resolve().parent.parent


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator() as emulator:
        yield emulator


def asyncio_complaints(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage() for r in caplog.records if r.name == "asyncio" and r.levelno >= logging.WARNING
    ]


def test_asyncio_run_twice_on_one_client(emu: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    client = si.AsyncStripeIdentity(TEST_KEY, api_base=emu.api_base)

    async def create() -> str:
        return (await client.verification_sessions.create({"type": "document"})).id

    ids = [asyncio.run(create()) for _ in range(3)]
    assert len(set(ids)) == 3
    asyncio.run(client.aclose())
    assert client.closed
    assert asyncio_complaints(caplog) == []


def test_a_pool_left_open_is_closed_when_its_loop_ends(emu: Emulator) -> None:
    # Without aclose(): the loop's shutdown closes the pool, so nothing warns when the client goes.
    client = si.AsyncStripeIdentity(TEST_KEY, api_base=emu.api_base)
    asyncio.run(client.verification_sessions.list())
    pool = client._transport._pool
    assert pool is not None and pool.closed and pool.session.closed
    client._transport.__del__()  # what collection runs: no "never closed" ResourceWarning here


def test_two_running_loops_at_once_get_a_typed_error(
    emu: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    client = si.AsyncStripeIdentity(TEST_KEY, api_base=emu.api_base)

    async def retrieve_list() -> int:
        return len((await client.verification_sessions.list()).data)

    with start_blocking_portal("asyncio") as other_loop:
        other_loop.call(retrieve_list)  # the pool now lives on the portal's running loop
        with pytest.raises(si.EventLoopError, match="one client per event loop") as info:
            asyncio.run(retrieve_list())
        assert isinstance(info.value, RuntimeError)
        # It can still be closed from here: the close runs on the loop that owns the pool.
        asyncio.run(client.aclose())
        assert client.closed
    assert asyncio_complaints(caplog) == []


def test_starlette_test_client_twice_with_a_module_level_client(emu: Emulator) -> None:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route
    from starlette.testclient import TestClient

    client = si.AsyncStripeIdentity(TEST_KEY, api_base=emu.api_base)  # as a module would hold it

    async def start(request: Request) -> JSONResponse:
        session = await client.verification_sessions.create({"type": "document"})
        return JSONResponse({"id": session.id})

    app = Starlette(routes=[Route("/start", start, methods=["POST"])])
    for _ in range(2):  # each block runs the app on an event loop of its own
        with TestClient(app) as http:
            response = http.post("/start")
            assert response.status_code == 200, response.text
            assert response.json()["id"].startswith("vs_")
    asyncio.run(client.aclose())


MODULE_LEVEL_CLIENT = """
import os
import pytest
import stripe_identity as si

client = si.AsyncStripeIdentity("sk_test_loops", api_base=os.environ["LOOPS_API_BASE"])

{marks}
async def test_first():
    assert (await client.verification_sessions.create({{"type": "document"}})).id

{marks}
async def test_second():
    assert (await client.verification_sessions.create({{"type": "document"}})).id
"""


@pytest.mark.parametrize(
    ("marks", "plugin_options"),
    [
        ("@pytest.mark.anyio", ["-p", "anyio", "-p", "no:asyncio"]),
        (
            "@pytest.mark.asyncio",
            ["-p", "asyncio", "-o", "asyncio_default_fixture_loop_scope=function"],
        ),
    ],
    ids=["anyio", "pytest-asyncio"],
)
def test_function_scoped_test_loops_share_a_module_level_client(
    emu: Emulator, tmp_path: Path, marks: str, plugin_options: list[str]
) -> None:
    if "asyncio" in plugin_options:
        pytest.importorskip("pytest_asyncio", minversion="0.24")
    source = MODULE_LEVEL_CLIENT.format(marks=marks)
    if "anyio" in marks:
        source += "\n@pytest.fixture\ndef anyio_backend():\n    return 'asyncio'\n"
    (tmp_path / "test_loops.py").write_text(textwrap.dedent(source))
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "LOOPS_API_BASE": emu.api_base,
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
        "PYTHONDEVMODE": "1",  # unclosed transports and never-retrieved tasks become visible
    }
    env.pop("PYTEST_ADDOPTS", None)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error", *plugin_options],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "2 passed" in output, output
    for noise in ("never retrieved", "Event loop is closed", "unclosed", "Exception ignored"):
        assert noise not in output, output
