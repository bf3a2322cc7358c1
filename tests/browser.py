"""A tiny driver for Debian's headless Chromium, over the Chrome DevTools Protocol, to test HTML pages.

Its one contract: every call either does what it says in a real browser within its timeout, or raises
`BrowserError` naming what it was waiting for; `Chromium.launch()` leaves no process and no profile
behind, whatever happened inside it.

    async with Chromium.launch() as browser:
        page = await browser.new_page()
        await page.goto(url)
        await page.check("input[value=verified]")
        await page.fill("input[name=code]", "123456")
        await page.click("button[type=submit]")  # returns once the next document has loaded
        assert await page.url() == return_url

A test module gets the `browser` fixture by importing it: `from tests.browser import browser as browser`
(the redundant alias marks the import as intended for linters). Without Chromium the fixture skips the
test, or fails it when STRIPE_IDENTITY_REQUIRE_BROWSER=1, as in CI, where a browser test must never
silently skip.

Only aiohttp's websocket client is used: no browser automation package, no browser download.
A driver object serves one caller at a time (tests are sequential); it is not safe for concurrent use.
"""

from __future__ import annotations

import contextlib
import os
import pathlib
import shutil
import signal
import subprocess
import tempfile
from collections.abc import AsyncIterator

import aiohttp
import anyio
import anyio.abc
import pytest

from tests.browser_page import (
    DEFAULT_TIMEOUT as DEFAULT_TIMEOUT,
    BrowserError as BrowserError,
    Connection,
    Page as Page,
)

REQUIRE_BROWSER = "STRIPE_IDENTITY_REQUIRE_BROWSER"

# --no-sandbox: the tests run as root, where Chromium refuses its sandbox. The background-networking
# flags keep it from flooding the (closed) network with update, sync and field-trial connections.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Port 0: Chromium picks a free port and writes it to DevToolsActivePort in the profile.
    "--remote-debugging-port=0",
)


class Chromium:
    """A running headless Chromium; make one with `Chromium.launch()`."""

    def __init__(
        self,
        http: aiohttp.ClientSession,
        port: int,
        connection: Connection,
        timeout: float,
        pid: int,
        profile: pathlib.Path,
    ) -> None:
        self._http = http
        self._port = port
        self._cdp = connection
        self._timeout = timeout
        self._pages: list[Connection] = []
        self.pid = pid  # also its process group's id
        self.profile = profile

    @classmethod
    @contextlib.asynccontextmanager
    async def launch(
        cls, executable: str = "chromium", call_timeout: float = DEFAULT_TIMEOUT
    ) -> AsyncIterator[Chromium]:
        """Start Chromium in a fresh temporary profile, and stop it and remove the profile on exit."""
        async with contextlib.AsyncExitStack() as cleanup:  # undone in reverse order
            workdir = pathlib.Path(tempfile.mkdtemp(prefix="stripe-identity-chromium-"))
            cleanup.callback(shutil.rmtree, workdir, ignore_errors=True)
            profile, log = workdir / "profile", workdir / "chromium.log"
            process = await _start(executable, profile, log)
            cleanup.push_async_callback(_stop, process)
            http = await cleanup.enter_async_context(aiohttp.ClientSession())
            port, path = await _devtools_address(process, profile, log, call_timeout)
            try:
                ws = await http.ws_connect(f"ws://127.0.0.1:{port}{path}", max_msg_size=0)
            except aiohttp.ClientError as error:
                raise BrowserError(f"cannot connect to Chromium: {error}{_tail(log)}") from error
            browser = cls(http, port, Connection(ws, call_timeout), call_timeout, process.pid, profile)
            cleanup.push_async_callback(browser._disconnect)
            yield browser

    async def new_page(self) -> Page:
        """A new tab, showing about:blank, with its own DevTools connection."""
        target = await self._cdp.send("Target.createTarget", url="about:blank")
        url = f"ws://127.0.0.1:{self._port}/devtools/page/{target['targetId']}"
        try:
            ws = await self._http.ws_connect(url, max_msg_size=0)
        except aiohttp.ClientError as error:
            raise BrowserError(f"cannot connect to the new page: {error}") from error
        connection = Connection(ws, self._timeout)
        self._pages.append(connection)
        await connection.send("Page.enable")
        await connection.send("Page.setLifecycleEventsEnabled", enabled=True)
        await connection.send("Network.enable")  # for why a navigation failed
        return Page(connection)

    async def _disconnect(self) -> None:
        for connection in [*self._pages, self._cdp]:
            await connection.close()


async def _start(executable: str, profile: pathlib.Path, log: pathlib.Path) -> anyio.abc.Process:
    with log.open("wb") as log_file:  # the child writes to its own copy of the descriptor
        try:
            return await anyio.open_process(
                [executable, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=log_file,
                # Its own process group, so that stopping it reaches its renderers and zygotes too.
                start_new_session=True,
            )
        except OSError as error:
            raise BrowserError(f"cannot start {executable}: {error}") from error


async def _devtools_address(
    process: anyio.abc.Process, profile: pathlib.Path, log: pathlib.Path, seconds: float
) -> tuple[int, str]:
    """Chromium's DevTools port and browser websocket path, once it has written them down."""
    active_port = profile / "DevToolsActivePort"
    with anyio.move_on_after(seconds):
        while process.returncode is None:
            # Both lines present: the file was not caught half written.
            lines = active_port.read_text().splitlines() if active_port.exists() else []
            if len(lines) >= 2:
                return int(lines[0]), lines[1]
            await anyio.sleep(0.05)
        raise BrowserError(f"Chromium exited with status {process.returncode}{_tail(log)}")
    raise BrowserError(f"timed out after {seconds:g} s waiting for Chromium to start{_tail(log)}")


def _tail(log: pathlib.Path, lines: int = 20) -> str:
    try:
        text = log.read_text(errors="replace")
    except OSError:
        return ""
    return "\n--- end of Chromium's output ---\n" + "\n".join(text.splitlines()[-lines:])


async def _stop(process: anyio.abc.Process) -> None:
    # Shielded: the browser must go even when the test that used it was cancelled.
    with anyio.CancelScope(shield=True):
        _signal_group(process, signal.SIGTERM)
        with anyio.move_on_after(5):
            await process.wait()
        # Whatever did not exit on SIGTERM (or outlived the browser process) goes now.
        _signal_group(process, signal.SIGKILL)
        await process.aclose()


def _signal_group(process: anyio.abc.Process, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)


def chromium_or_skip() -> str:
    """Chromium's path; without one, skip the test, or fail it when STRIPE_IDENTITY_REQUIRE_BROWSER=1."""
    executable = shutil.which("chromium")
    if executable is None:
        message = "needs a browser: install Debian's chromium (apt-get install -y chromium)"
        if os.environ.get(REQUIRE_BROWSER) == "1":
            pytest.fail(f"{message}; {REQUIRE_BROWSER}=1 forbids skipping")
        pytest.skip(message)
    return executable


@pytest.fixture
async def browser(anyio_backend: str) -> AsyncIterator[Chromium]:
    """A fresh Chromium for one test (starting one takes about a second)."""
    async with Chromium.launch(chromium_or_skip()) as launched:
        yield launched
