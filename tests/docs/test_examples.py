"""The README's and the site's examples are tests: every ```python block runs, and type-checks, as
written. The conventions for writing one are in tests/docs/blocks.py."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from stripe_identity.emulator import Emulator
from tests.docs.blocks import ROOT, Block, convention_problems, page_files, parse, site_blocks
from tests.redis_server import redis_server as redis_server, redis_url as redis_url

TEST_KEY = "sk_test_readme"

BLOCKS, PROBLEMS = site_blocks()


def test_every_page_follows_the_conventions() -> None:
    assert {b.page for b in BLOCKS} >= {"README.md", "docs/getting-started.md"}
    assert PROBLEMS == []


def test_the_convention_checks_catch_mistakes() -> None:
    """The checks, on a small page of each kind."""
    good = (
        "Every example runs, except those marked not run: the Django view, which needs Django.\n\n"
        "<!-- readme: not run (the Django view, which needs Django) -->\n"
        "```python\nimport django\n```\n\n"
        "```console\n$ ls\n```\n"
    )
    assert convention_problems(good) == []
    blocks, _ = parse(good)
    assert [b.not_run_reason for b in blocks] == ["the Django view, which needs Django"]
    unlisted = good.replace("not run (the Django view", "not run (the Flask view")
    assert (
        "not run (the Flask view, which needs Django) but the sentence"
        in convention_problems(unlisted)[0]
    )
    no_sentence = good.replace("Every example runs, except those marked not run", "Every example runs")
    assert convention_problems(no_sentence) == ["0 sentences say which examples are not run; one should"]
    all_run = "Every example runs.\n\n```python\npass\n```\n"  # no not-run block: no sentence needed
    assert convention_problems(all_run) == []
    stray = "Not run: none.\n\n<!-- docs: not run (x) -->\n```console\nls\n```\n"
    assert "a docs: directive before a console block" in convention_problems(stray)[0]
    typo = "<!-- docs: skip -->\n```python\npass\n```\n"
    assert "unknown directive 'skip'" in convention_problems(typo)[0]
    pytest_block = (
        "<!-- docs: pytest -p pytest_asyncio.plugin -o asyncio_mode=auto -->\n```python\n```\n"
    )
    assert parse(pytest_block)[0][0].pytest_args == [
        "-p",
        "pytest_asyncio.plugin",
        "-o",
        "asyncio_mode=auto",
    ]


def test_titled_blocks_are_files_of_their_page() -> None:
    page = (
        '```python title="shop_app.py"\nAPP = 1\n```\n\n'
        '```python title="test_shop_app.py"\nfrom shop_app import APP\n```\n\n'
        "- in a list:\n\n    ```python\n    import shop_app\n    ```\n"
    )
    blocks, problems = parse(page, "docs/x.md")
    assert problems == []
    app, test, listed = blocks
    assert (app.module, app.pytest_args) == ("shop_app", None)
    assert (test.module, test.pytest_args) == (None, [])
    assert listed.code == "import shop_app\n"  # dedented
    assert page_files(blocks, test) == [app]
    orphan = '```python title="shop_app.py"\nAPP = 1\n```\n'
    assert "shop_app.py is imported by no later block" in parse(orphan, "docs/x.md")[1][0]
    bad = '```python title="My App.py"\n```\n'
    assert "is not a module file name" in parse(bad, "docs/x.md")[1][0]


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator() as emu:
        yield emu


def _env(emulator: Emulator, **extra: str) -> dict[str, str]:
    # REDIS_URL too: a block reaches the test's redis-server, never one of the machine's.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("STRIPE_", "PYTEST_")) and k != "REDIS_URL"
    }
    env.update(
        PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        STRIPE_API_BASE=emulator.api_base,
        STRIPE_API_KEY=TEST_KEY,
        **extra,
    )
    return env


def _redis_commands(url: str) -> int:
    """How many commands the redis-server at ``url`` has processed so far."""
    port = urllib.parse.urlsplit(url).port
    answer = b""
    with socket.create_connection(("127.0.0.1", port or 6379), timeout=5) as sock:
        sock.sendall(b"INFO stats\r\n")
        while (found := re.search(rb"total_commands_processed:(\d+)\r\n", answer)) is None:
            chunk = sock.recv(65536)
            assert chunk, f"INFO stats of {url} ended early: {answer!r}"
            answer += chunk
    return int(found[1])


RUN = [b for b in BLOCKS if b.module is None]


@pytest.mark.parametrize("block", RUN, ids=[b.name for b in RUN])
def test_example_runs(
    block: Block, emulator: Emulator, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if block.not_run_reason is not None:
        pytest.skip(f"marked not run: {block.not_run_reason}")
    files = page_files(BLOCKS, block)
    local = {f.module for f in files if f.module}
    missing = block.missing_modules(local) + [m for f in files for m in f.missing_imports(local)]
    if missing:
        pytest.skip(f"needs {', '.join(sorted(set(missing)))} (pip install -e '.[dev]')")
    # The fixture starts redis-server, or skips (fails under STRIPE_IDENTITY_REQUIRE_REDIS=1).
    url: str | None = None
    if any(b.reads_redis_url for b in [block, *files]):
        url = request.getfixturevalue("redis_url")
    extra = {"REDIS_URL": url} if url is not None else {}
    before = _redis_commands(url) if url is not None else 0
    emulator.reset()
    for file in files:
        (tmp_path / file.filename).write_text(file.code, encoding="utf-8")
    args = block.pytest_args
    if args is not None:
        name = block.title or f"test_{block.filename}"
        (tmp_path / name).write_text(block.code, encoding="utf-8")
        plugins = ["-p", "stripe_identity.testing", "-p", "anyio.pytest_plugin"]
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error"]
        command += [*plugins, *args, name]
        env = _env(emulator, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", **extra)
    else:
        path = tmp_path / "readme_example.py"
        path.write_text(block.code, encoding="utf-8")
        runner = "import runpy, sys; runpy.run_path(sys.argv[1], run_name='readme_example')"
        command = [sys.executable, "-W", "error", "-c", runner, path.name]
        env = _env(emulator, **extra)
    result = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    where = f"{block.page} line {block.line}:\n{result.stdout}\n{result.stderr}"
    assert result.returncode == 0, where
    if args is not None:
        assert re.search(r"\b\d+ passed\b", result.stdout), where
        assert not re.search(r"\b(failed|error|skipped|warnings?)\b", result.stdout), where
    if url is not None:  # it used that Redis: a fallback to pacing locally would not
        assert _redis_commands(url) > before + 1, f"{where}\nsent no command to {url}"


def test_examples_pass_mypy_strict(tmp_path: Path) -> None:
    """One mypy run over every block of every page, from the repository root with its
    configuration. A page's titled files are written under their titles, so the blocks that import
    them are checked against them."""
    checked: list[Block] = []
    left_out: list[Block] = []
    local = {b.module for b in BLOCKS if b.module is not None}
    for block in BLOCKS:
        (left_out if block.missing_imports(local) else checked).append(block)
    where: dict[str, Block] = {}
    for block in checked:
        (tmp_path / block.filename).write_text(block.code, encoding="utf-8")
        where[block.filename] = block
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", ".mypy_cache/docs"]
        + [str(tmp_path / name) for name in sorted(where)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )

    # Point at the page: fastapi_app.py:5 is docs/recipes/fastapi.md line 46, say.
    def locate(match: re.Match[str]) -> str:
        block = where.get(match[1])
        if block is None:
            return match[0]
        return f"{block.page}:{block.line + int(match[2]) - 1}"

    report = re.sub(r"\S*?([\w]+\.py):(\d+)", locate, result.stdout + result.stderr)
    assert result.returncode == 0, report
    if left_out:
        names = ", ".join(f"{b.name} ({', '.join(b.missing_imports(local))})" for b in left_out)
        pytest.skip(f"type-checked all but {names}: not installed")
