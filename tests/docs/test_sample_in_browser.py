"""The ported Identity sample's modal flow, end to end in headless Chromium.

The sample's Flask server (docs/recipes/stripe-sample.md, the very code the page shows) serves its
modal page with the emulator's Stripe.js stand-in in place of Stripe.js, the one changed script tag.
The browser presses the button, the modal opens the emulator's verification page, the tester submits
it there, ``verifyIdentity`` resolves and the page moves on to /submitted.html; the emulator delivers
its signed events to the server's /webhook, which accepts each one and logs the outcome.
"""

from __future__ import annotations

import importlib
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import anyio
import pytest
from werkzeug.serving import make_server

from stripe_identity.emulator import Emulator
from tests.browser import Chromium, browser as browser
from tests.docs.blocks import ROOT, parse

pytestmark = pytest.mark.anyio

PAGE = ROOT / "docs" / "recipes" / "stripe-sample.md"
SECRET = "whsec_sample_browser"


@pytest.fixture
def sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """The page's modules, written out and importable; forgotten afterwards."""
    blocks, problems = parse(PAGE.read_text(encoding="utf-8"), "docs/recipes/stripe-sample.md")
    assert problems == []
    for block in blocks:
        if block.module is not None:
            (tmp_path / block.filename).write_text(block.code, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    names = [b.module for b in blocks if b.module is not None]
    try:
        yield importlib.import_module("identity_sample_flask")
    finally:
        for name in names:
            sys.modules.pop(name, None)


class Server:
    """A WSGI app served by werkzeug on a free port, from a thread; the app is set once known."""

    def __init__(self) -> None:
        self.app: Any = None
        self.http = make_server("127.0.0.1", 0, self._serve, threaded=True)
        self.url = f"http://127.0.0.1:{self.http.server_port}"
        self._thread = threading.Thread(target=self.http.serve_forever, daemon=True)

    def _serve(self, environ: dict[str, Any], start_response: Any) -> Any:
        return self.app(environ, start_response)

    def __enter__(self) -> Server:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.shutdown()
        self._thread.join()


async def test_the_modal_flow_runs_end_to_end(
    browser: Chromium,
    sample: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with Server() as server:
        async with Emulator(webhook_url=f"{server.url}/webhook", webhook_secret=SECRET) as emu:
            monkeypatch.setenv("STRIPE_API_BASE", emu.api_base)
            monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_sample")
            monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", SECRET)
            # Read when the page module is imported: import it now, under this environment.
            monkeypatch.setenv("STRIPE_JS_URL", f"{emu.public_url}/v3/stripe-identity-standin.js")
            sys.modules.pop("identity_sample_pages", None)
            sample = importlib.reload(sample)
            server.app = app = sample.create_app("modal")
            try:
                page = await browser.new_page()
                await page.goto(server.url)
                ready = "!document.getElementById('verify-button').disabled"
                await page.wait_until(ready, "the page to set up Stripe.js")
                await page.evaluate("document.getElementById('verify-button').click()")
                frame = f"{emu.api_base}/verify/"
                await page.wait_until("!!document.querySelector('#submit')", "the modal", frame=frame)
                await page.evaluate_in_frame(frame, "document.querySelector('#submit').click()")
                await page.wait_until("location.pathname === '/submitted.html'", "/submitted.html")
                assert "Thank you" in await page.text()

                [session] = emu.sessions()
                assert session["status"] == "verified"
                with anyio.fail_after(10):  # the emulator delivers each event on its own
                    # Polled: the emulator's delivery queue has no event to wait on.
                    while emu.stats()["webhooks"]["pending"]:  # noqa: ASYNC110
                        await anyio.sleep(0.05)
                webhooks = emu.stats()["webhooks"]
                assert webhooks["succeeded"] == len(emu.events()) == 3
                assert webhooks["failed_attempts"] == 0
                assert f"{session['id']}: verified, every check passed" in capsys.readouterr().out
            finally:
                app.extensions["stripe_identity"].close()
