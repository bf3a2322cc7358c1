"""README examples are tests: every ```python block of README.md runs, and type-checks, as written.

The convention, for whoever adds an example to the README:

* A ```python block is a complete program. It imports everything it uses and defines everything it
  uses: stand-ins for "your code" are small functions in the block (``async def
  mark_user_verified(user_id: str | None) -> None: ...  # your code``).
* It runs against the emulator through the environment, the swap the README states near its top:
  the test starts an ``Emulator()`` and runs the block with ``STRIPE_API_BASE`` set to it and
  ``STRIPE_API_KEY=sk_test_readme``. So a block names no URL (a block that starts an emulator of its
  own passes ``api_base=emu.api_base``); a key in it must be a test key (``"sk_test_..."`` is one).
* Each block runs in a fresh ``python`` process, as a module named ``readme_example``: what would
  run forever (``web.run_app(app)``) goes under ``if __name__ == "__main__":``.
* ``<!-- readme: pytest ARGS -->`` on the line before a block makes it a test file: it runs as
  ``python -m pytest ARGS`` with our plugin and anyio's loaded (``-p pytest_asyncio.plugin`` in ARGS
  adds pytest-asyncio) and must pass.
* ``<!-- readme: not run (REASON) -->`` on the line before a block skips running it. REASON must
  appear, word for word, in the README's one sentence about the examples that are not run (with
  no such block, there need be no such sentence).
* A block that reads ``REDIS_URL`` runs with it set to a ``redis-server`` the test starts
  (``tests/redis_server.py``: without one the block skips, or fails under
  STRIPE_IDENTITY_REQUIRE_REDIS=1, as in CI).
* Every block, run or not, passes ``mypy --strict`` with the project's configuration (one mypy run).
* A block that imports a package that is not installed is skipped: the dev extra installs them all.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import stripe_identity
from stripe_identity.emulator import Emulator
from tests.redis_server import redis_server as redis_server, redis_url as redis_url

ROOT = Path(stripe_identity.__file__).resolve().parent.parent
README = ROOT / "README.md"
TEST_KEY = "sk_test_readme"

_DIRECTIVE = re.compile(r"^<!--\s*readme:\s*(?P<body>.*?)\s*-->$")
_NOT_RUN = re.compile(r"^not run \((?P<reason>.+)\)$")


@dataclass(frozen=True)
class Block:
    number: int  # 1 for the first python block of the file
    line: int  # where its code starts in README.md
    code: str
    directive: str | None  # what the <!-- readme: ... --> comment before it says

    @property
    def name(self) -> str:
        return f"block{self.number:02d}-line{self.line}"

    @property
    def not_run_reason(self) -> str | None:
        match = _NOT_RUN.match(self.directive or "")
        return match["reason"] if match else None

    @property
    def pytest_args(self) -> list[str] | None:
        if self.directive is None or not self.directive.startswith("pytest"):
            return None
        return shlex.split(self.directive)[1:]

    def missing_imports(self) -> list[str]:
        """Top-level packages the block imports that are not installed."""
        names: set[str] = set()
        for node in ast.walk(ast.parse(self.code)):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
        return sorted(name for name in names if importlib.util.find_spec(name) is None)

    def missing_modules(self) -> list[str]:
        """What running the block needs and is not installed: its imports, its ``-p`` plugins."""
        args = self.pytest_args or []
        plugins = {args[i + 1].split(".")[0] for i, arg in enumerate(args[:-1]) if arg == "-p"}
        missing = {name for name in plugins if importlib.util.find_spec(name) is None}
        return sorted(missing.union(self.missing_imports()))


def parse(text: str) -> tuple[list[Block], list[str]]:
    """The python blocks of a Markdown text, and problems with its readme: directives."""
    blocks: list[Block] = []
    problems: list[str] = []
    lines = text.splitlines()
    fence: str | None = None  # the info string of the fence we are in
    start = 0
    previous = ""  # the last non-blank line outside code
    for index, line in enumerate(lines):
        stripped = line.strip()
        if fence is None:
            if stripped.startswith("```"):
                fence, start = stripped[3:].strip(), index + 1
                if fence != "python" and _DIRECTIVE.match(previous):
                    problems.append(
                        f"line {index}: a readme: directive before a {fence or 'plain'} block"
                    )
            elif stripped:
                previous = stripped
            continue
        if stripped == "```":
            if fence == "python":
                match = _DIRECTIVE.match(previous)
                directive = match["body"] if match else None
                if directive is not None and not (
                    _NOT_RUN.match(directive) or directive.startswith("pytest")
                ):
                    problems.append(f"line {start}: unknown directive {directive!r}")
                code = "\n".join(lines[start:index]) + "\n"
                blocks.append(Block(len(blocks) + 1, start + 1, code, directive))
            fence, previous = None, ""
    if fence is not None:
        problems.append(f"line {start}: a code block that never ends")
    return blocks, problems


def not_run_sentences(text: str) -> list[str]:
    """Sentences of the prose (not code, not comments) that talk about examples not being run."""
    prose = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    prose = re.sub(r"<!--.*?-->", "", prose, flags=re.DOTALL)
    paragraphs = [" ".join(p.split()) for p in prose.split("\n\n")]
    sentences = [s for p in paragraphs for s in re.split(r"(?<=[.!?])\s+(?=[A-Z`])", p)]
    return [s for s in sentences if "not run" in s]


def convention_problems(text: str) -> list[str]:
    blocks, problems = parse(text)
    sentences = not_run_sentences(text)
    if not sentences and not any(block.not_run_reason for block in blocks):
        return problems
    if len(sentences) != 1:
        problems.append(f"{len(sentences)} sentences say which examples are not run; one should")
        return problems
    for block in blocks:
        reason = block.not_run_reason
        if reason is not None and reason not in " ".join(sentences[0].split()):
            problems.append(f"{block.name} is not run ({reason}) but the sentence does not say so")
    return problems


BLOCKS, _ = parse(README.read_text(encoding="utf-8"))


def test_the_readme_follows_the_convention() -> None:
    assert BLOCKS, "README.md has no python blocks?"
    assert convention_problems(README.read_text(encoding="utf-8")) == []


def test_the_convention_checks_catch_mistakes() -> None:
    """The checks above, on a small README of each kind."""
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
    all_run = "Every example runs.\n\n```python\npass\n```\n"
    assert convention_problems(all_run) == []
    stray = "Not run: none.\n\n<!-- readme: not run (x) -->\n```console\nls\n```\n"
    assert "a readme: directive before a console block" in convention_problems(stray)[0]
    typo = "Not run: none.\n\n<!-- readme: skip -->\n```python\npass\n```\n"
    assert "unknown directive 'skip'" in convention_problems(typo)[0]
    pytest_block = (
        "<!-- readme: pytest -p pytest_asyncio.plugin -o asyncio_mode=auto -->\n```python\n```\n"
    )
    assert parse(pytest_block)[0][0].pytest_args == [
        "-p",
        "pytest_asyncio.plugin",
        "-o",
        "asyncio_mode=auto",
    ]


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator() as emu:
        yield emu


def _env(emulator: Emulator, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STRIPE_", "PYTEST_"))}
    env.update(
        PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        STRIPE_API_BASE=emulator.api_base,
        STRIPE_API_KEY=TEST_KEY,
        **extra,
    )
    return env


@pytest.mark.parametrize("block", BLOCKS, ids=[b.name for b in BLOCKS])
def test_readme_example_runs(
    block: Block, emulator: Emulator, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if block.not_run_reason is not None:
        pytest.skip(f"marked not run: {block.not_run_reason}")
    missing = block.missing_modules()
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (pip install -e '.[dev]')")
    extra = {"REDIS_URL": request.getfixturevalue("redis_url")} if "REDIS_URL" in block.code else {}
    emulator.reset()
    args = block.pytest_args
    if args is not None:
        path = tmp_path / f"test_readme_{block.name.replace('-', '_')}.py"
        path.write_text(block.code, encoding="utf-8")
        plugins = ["-p", "stripe_identity.testing", "-p", "anyio.pytest_plugin"]
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error"]
        command += [*plugins, *args, path.name]
        env = _env(emulator, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", **extra)
    else:
        path = tmp_path / "readme_example.py"
        path.write_text(block.code, encoding="utf-8")
        runner = "import runpy, sys; runpy.run_path(sys.argv[1], run_name='readme_example')"
        command = [sys.executable, "-W", "error", "-c", runner, path.name]
        env = _env(emulator, **extra)
    result = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    where = f"README.md line {block.line}:\n{result.stdout}\n{result.stderr}"
    assert result.returncode == 0, where
    if args is not None:
        assert re.search(r"\b\d+ passed\b", result.stdout), where
        assert not re.search(r"\b(failed|error|skipped|warnings?)\b", result.stdout), where


def test_readme_examples_pass_mypy_strict(tmp_path: Path) -> None:
    """One mypy run over every block, from the repository root with its configuration."""
    checked: list[Block] = []
    left_out: list[Block] = []
    for block in BLOCKS:
        (left_out if block.missing_imports() else checked).append(block)
    paths = []
    for block in checked:
        path = tmp_path / f"readme_{block.name.replace('-', '_')}.py"
        path.write_text(block.code, encoding="utf-8")
        paths.append(str(path))
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", ".mypy_cache/readme", *paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    # Point at the README: readme_block03_line42.py:5 is README.md line 46.
    report = re.sub(
        r"\S*readme_block\d+_line(\d+)\.py:(\d+)",
        lambda m: f"README.md:{int(m[1]) + int(m[2]) - 1}",
        result.stdout + result.stderr,
    )
    assert result.returncode == 0, report
    if left_out:
        names = ", ".join(f"{b.name} ({', '.join(b.missing_imports())})" for b in left_out)
        pytest.skip(f"type-checked all but {names}: not installed")


def test_ci_runs_the_readmes_test_command_word_for_word() -> None:
    text = README.read_text(encoding="utf-8")
    commands = [
        line
        for line in re.findall(r"```console\n(.*?)```", text, flags=re.S)[1].splitlines()
        if line.strip()
    ]
    assert commands == [
        "python3 -m venv .venv && . .venv/bin/activate && python -m pip install nox && python -m nox"
    ]
    assert commands[0] in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
