"""The headless-Chromium driver (tests/browser.py) against plain aiohttp servers on 127.0.0.1: a form
posted across origins through a 303, error pages, its failures, and its clean-up."""

from __future__ import annotations

import contextlib
import pathlib
import re
import socket
from collections.abc import AsyncIterator

import anyio
import pytest
from aiohttp import web

from tests.browser import (
    DEFAULT_TIMEOUT,
    REQUIRE_BROWSER,
    BrowserError,
    Chromium,
    browser as browser,  # the fixture; the alias tells linters it is meant
    chromium_or_skip,
)

FORM = """<!doctype html>
<title>Verify</title>
<form method="post" action="/submit">
  <label><input type="radio" name="outcome" value="verified" checked> Verified</label>
  <label><input type="radio" name="outcome" value="requires_input"> Requires input</label>
  <select name="error_code">
    <option value="">(none)</option>
    <option value="document_expired">Document expired</option>
    <option value="selfie_face_mismatch">Selfie mismatch</option>
  </select>
  <label>Code <input name="code" inputmode="numeric"></label>
  <button type="submit">Submit</button>
</form>
"""


@contextlib.asynccontextmanager
async def serve(routes: list[web.RouteDef]) -> AsyncIterator[str]:
    """An aiohttp app on a free port of 127.0.0.1, by its base URL."""
    app = web.Application()
    app.add_routes(routes)
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.1)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


def html(text: str, status: int = 200) -> web.Response:
    return web.Response(text=text, status=status, content_type="text/html")


@pytest.mark.anyio
async def test_form_posts_across_origins_and_follows_the_303(browser: Chromium) -> None:
    submitted: list[tuple[str, str, list[tuple[str, str]]]] = []

    async def form(request: web.Request) -> web.Response:
        return html(FORM)

    async def submit(request: web.Request) -> web.Response:
        fields = await request.post()
        submitted.append(
            (request.method, request.content_type, [(k, str(v)) for k, v in fields.items()])
        )
        raise web.HTTPSeeOther(f"{return_site}/done?x=1")

    async def done(request: web.Request) -> web.Response:
        return html("<h1>All done</h1><p>You may close this tab.</p>")

    async with (
        serve([web.get("/done", done)]) as return_site,
        serve([web.get("/verify", form), web.post("/submit", submit)]) as form_site,
    ):
        page = await browser.new_page()
        await page.goto(f"{form_site}/verify")
        assert await page.url() == f"{form_site}/verify"
        await page.check("input[value=requires_input]")
        await page.check("input[value=requires_input]")  # already checked: left so
        await page.select("select[name=error_code]", "document_expired")
        await page.fill("input[name=code]", "0042")
        await page.click("button[type=submit]")

        assert await page.url() == f"{return_site}/done?x=1"
        assert await page.text() == "All done\n\nYou may close this tab."
    form_post = "POST", "application/x-www-form-urlencoded"
    assert submitted == [
        (
            *form_post,
            [("outcome", "requires_input"), ("error_code", "document_expired"), ("code", "0042")],
        )
    ]


@pytest.mark.anyio
async def test_error_pages_show_their_text(browser: Chromium) -> None:
    async def missing(request: web.Request) -> web.Response:
        retry = '<form method="post" action="/empty"><button>Retry</button></form>'
        return html(f"<h1>No such session</h1>{retry}", status=404)

    async def gone(request: web.Request) -> web.Response:
        return html("<h1>This link has expired</h1>", status=410)

    async def empty(request: web.Request) -> web.Response:
        return web.Response(status=500)

    routes = [web.get("/missing", missing), web.get("/gone", gone), web.route("*", "/empty", empty)]
    async with serve(routes) as site:
        page = await browser.new_page()
        await page.goto(f"{site}/gone")
        assert (await page.url(), await page.text()) == (f"{site}/gone", "This link has expired")
        await page.goto(f"{site}/missing")
        assert (await page.url(), await page.text()) == (f"{site}/missing", "No such session\nRetry")
        # An empty error body: Chromium shows its own error page, still under the requested URL.
        await page.click("button")
        assert await page.url() == f"{site}/empty"
        assert "HTTP ERROR 500" in await page.text()
        await page.goto(f"{site}/gone")
        await page.goto(f"{site}/empty")
        assert await page.url() == f"{site}/empty"
        assert "HTTP ERROR 500" in await page.text()


@pytest.mark.anyio
async def test_failures_name_what_went_wrong(browser: Chromium) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]

    async def form(request: web.Request) -> web.Response:
        return html(FORM.replace('action="/submit"', f'action="http://127.0.0.1:{closed_port}/"'))

    async with serve([web.get("/", form)]) as site:
        page = await browser.new_page()
        with pytest.raises(BrowserError, match="ERR_CONNECTION_REFUSED"):
            await page.goto(f"http://127.0.0.1:{closed_port}/")
        await page.goto(site)
        with pytest.raises(BrowserError, match="no element matches #nope"):
            await page.click("#nope")
        with pytest.raises(BrowserError, match="has no option nope"):
            await page.select("select", "nope")
        with pytest.raises(BrowserError, match="JavaScript failed: ReferenceError"):
            await page.evaluate("undefinedName")
        page.timeout = 0.5
        with pytest.raises(BrowserError, match=r"timed out after 0\.5 s waiting for a navigation after"):
            await page.click("label")  # a click that navigates nowhere
        page.timeout = DEFAULT_TIMEOUT
        refused = f"led to http://127.0.0.1:{closed_port}/, which failed: net::ERR_CONNECTION_REFUSED"
        with pytest.raises(BrowserError, match=re.escape(refused)):
            await page.click("button")


def living_members(group: int) -> list[str]:
    """The processes of a process group that have not exited (zombies waiting to be reaped excluded)."""
    found = []
    for stat in pathlib.Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            name, _, rest = stat.read_text().rpartition(")")
            state, _ppid, pgrp = rest.split()[:3]
            if int(pgrp) == group and state != "Z":
                found.append(name)
    return found


async def use_then_fail(launched: list[Chromium]) -> None:
    async with Chromium.launch(chromium_or_skip()) as browser:
        launched.append(browser)
        await (await browser.new_page()).goto("about:blank")
        assert browser.profile.is_dir()
        assert living_members(browser.pid)
        raise RuntimeError("a failure inside")


@pytest.mark.anyio
async def test_launch_leaves_no_process_or_profile_behind(anyio_backend: str) -> None:
    launched: list[Chromium] = []
    with pytest.raises(RuntimeError, match="inside"):
        await use_then_fail(launched)
    [browser] = launched
    assert not browser.profile.exists()
    # SIGKILL takes effect when a process next runs, a moment after kill() returned.
    for _ in range(40):
        if not living_members(browser.pid):
            break
        await anyio.sleep(0.05)
    assert living_members(browser.pid) == []


@pytest.mark.anyio
async def test_a_browser_that_cannot_start_says_why(tmp_path: pathlib.Path, anyio_backend: str) -> None:
    with pytest.raises(BrowserError, match="cannot start"):
        async with Chromium.launch(str(tmp_path / "no-chromium")):
            pass
    crashing = tmp_path / "crashing"
    crashing.write_text("#!/bin/sh\necho 'cannot open display: imaginary' >&2\nexit 3\n")
    crashing.chmod(0o755)
    with pytest.raises(BrowserError, match=r"exited with status 3(.|\n)*cannot open display: imaginary"):
        async with Chromium.launch(str(crashing)):
            pass


def test_a_missing_browser_skips_unless_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)
    monkeypatch.delenv(REQUIRE_BROWSER, raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y chromium"):
        chromium_or_skip()
    monkeypatch.setenv(REQUIRE_BROWSER, "1")
    with pytest.raises(pytest.fail.Exception, match=f"{REQUIRE_BROWSER}=1 forbids skipping"):
        chromium_or_skip()
