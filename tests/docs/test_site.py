"""The documentation site: it builds with ``mkdocs build --strict``, its API reference has an entry
for every public name, its benchmark chart shows the figures the benchmarks report, and a browser
sees the reference page of ``AsyncStripeIdentity`` with its methods.

The build happens here, in a temporary directory (about ten seconds), so the test runs on its own
under pytest; ``nox -s docs`` builds the same site into ``site/``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import stripe_identity
import stripe_identity.emulator
import stripe_identity.redis
import stripe_identity.testing
import stripe_identity.webhooks
from tests.browser import Chromium, browser as browser
from tests.docs.blocks import ROOT

REFERENCE = ROOT / "docs" / "reference"


def _entries() -> set[str]:
    """The objects the reference pages render: their ``::: name`` lines."""
    found = set()
    for page in REFERENCE.glob("*.md"):
        found.update(re.findall(r"^::: (\S+)$", page.read_text(encoding="utf-8"), flags=re.M))
    return found


def test_every_public_name_has_a_reference_entry() -> None:
    wanted = {f"stripe_identity.{name}" for name in stripe_identity.__all__}
    for module in (
        stripe_identity.emulator,
        stripe_identity.redis,
        stripe_identity.testing,
        stripe_identity.webhooks,
    ):
        wanted.update(f"{module.__name__}.{name}" for name in module.__all__)
    entries = _entries()
    assert sorted(wanted - entries) == []
    # and nothing the package does not export (a renamed object would fail the build anyway)
    documented = ("sensitive", "otel", "emulator", "redis", "testing", "webhooks")
    modules = {f"stripe_identity.{m}" for m in documented}
    assert sorted(entries - wanted - modules) == []


def test_the_benchmark_chart_shows_the_figures_the_benchmarks_report() -> None:
    data = json.loads((ROOT / "docs" / "data" / "benchmarks.json").read_text(encoding="utf-8"))
    report = (ROOT / "benchmarks" / "README.md").read_text(encoding="utf-8")
    rows = data["cpu_per_request_vs_raw_aiohttp"]["rows"]
    for row in rows:
        assert row["reported"] in report, row
        dash = "\N{EN DASH}"
        assert row["reported"] == f"{row['median']:.3f} ({row['low']:.3f}{dash}{row['high']:.3f})"
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from docs_hooks import cpu_chart
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    svg = cpu_chart(data)
    assert svg.count("<circle") == len(rows) and all(row["reported"] in svg for row in rows)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if importlib.util.find_spec("mkdocs") is None:
        pytest.skip("needs mkdocs (pip install -e '.[docs]')")
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", "mkdocs.yml", "-d", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def test_the_site_builds_strict_with_every_page(site: Path) -> None:
    assert (site / "reference" / "clients" / "index.html").is_file()
    assert (site / "recipes" / "stripe-sample" / "index.html").is_file()
    cli = (site / "emulator" / "cli" / "index.html").read_text(encoding="utf-8")
    assert "usage: stripe-identity emulator" in cli  # made by the hook at build time
    assert "<svg" in (site / "performance" / "index.html").read_text(encoding="utf-8")


@pytest.mark.anyio
async def test_a_browser_sees_the_async_clients_methods(browser: Chromium, site: Path) -> None:
    page = await browser.new_page()
    await page.goto((site / "reference" / "clients" / "index.html").as_uri())
    prefix = "stripe_identity.AsyncStripeIdentity."
    ids = await page.evaluate(
        f"Array.from(document.querySelectorAll('[id^=\"{prefix}\"]'), (e) => e.id)"
    )
    members = {element_id.removeprefix(prefix) for element_id in ids}
    assert {"aclose", "raw_request", "with_options", "verification_sessions", "files"} <= members
    text = await page.text()
    assert "AsyncStripeIdentity" in text and "with_options" in text and "aclose" in text
