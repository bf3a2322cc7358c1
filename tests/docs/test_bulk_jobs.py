"""docs/bulk-jobs.md is tested as the README is: every ```python block runs against the emulator and
passes ``mypy --strict`` (the conventions of tests/docs/test_readme.py), and its tables say what the
code does (the CSV columns, the exit statuses)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from stripe_identity._cli._status import EXIT_STATUSES
from stripe_identity._jobs.columns import COLUMNS
from stripe_identity.emulator import Emulator
from tests.docs.test_readme import ROOT, Block, _env, parse

PAGE = ROOT / "docs" / "bulk-jobs.md"
TEXT = PAGE.read_text(encoding="utf-8")
BLOCKS, PROBLEMS = parse(TEXT)

_GROUPS = {
    "session": "always",
    "report": "`expand_report`",
    "outputs": "`verified_outputs` or `sensitive`",
    "sensitive": "`sensitive`",
    "sensitive_report": "`sensitive` and `expand_report`",
}


def test_the_page_has_examples_and_no_directive_problems() -> None:
    assert len(BLOCKS) >= 4 and PROBLEMS == []
    assert all(block.directive is None for block in BLOCKS)  # every one runs


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator() as emu:
        yield emu


@pytest.mark.parametrize("block", BLOCKS, ids=[b.name for b in BLOCKS])
def test_example_runs(block: Block, emulator: Emulator, tmp_path: Path) -> None:
    emulator.reset()
    path = tmp_path / "bulk_example.py"
    path.write_text(block.code, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-W", "error", str(path)],
        cwd=tmp_path,
        env=_env(emulator),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"docs/bulk-jobs.md line {block.line}:\n{result.stderr}"


def test_examples_pass_mypy_strict(tmp_path: Path) -> None:
    paths = []
    for block in BLOCKS:
        path = tmp_path / f"bulk_{block.name.replace('-', '_')}.py"
        path.write_text(block.code, encoding="utf-8")
        paths.append(str(path))
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", ".mypy_cache/bulk-docs", *paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_csv_column_table_is_the_codes() -> None:
    rows = re.findall(r"^\| `(\w+)` \| (.+?) \| (.+?) \|$", TEXT, flags=re.M)
    assert rows == [(c.name, _GROUPS[c.group], c.description) for c in COLUMNS]


def test_the_exit_statuses_are_the_commands() -> None:
    documented = {int(code) for code in re.findall(r"^\| (\d+) \| ", TEXT, flags=re.M)}
    assert documented == {0, 1, 2, 3, 130}
    assert documented <= set(EXIT_STATUSES)
