"""mypy and pyright refuse every call that ``bad_params.py`` marks, and nothing else in it.

Each line marked ``# E: <text>`` must get an error whose message contains <text>, from mypy
(``--strict``, the project's configuration) and from pyright (standard mode; skipped when it is not
installed). An error on an unmarked line fails the test too, so a broken import cannot pass for the
expected errors.
"""

from __future__ import annotations

import collections
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BAD = Path(__file__).with_name("bad_params.py")
MARK = re.compile(r"#\s*E:\s*(?P<text>.+?)\s*$")
MYPY_ERROR = re.compile(r"^\S*bad_params\.py:(?P<line>\d+): error: (?P<message>.+)$")

Errors = dict[int, list[str]]


def _marks() -> dict[int, str]:
    lines = BAD.read_text(encoding="utf-8").splitlines()
    return {number: m["text"] for number, line in enumerate(lines, 1) if (m := MARK.search(line))}


def _assert_matches_marks(errors: Errors, output: str) -> None:
    marks = _marks()
    assert len(marks) == 24, "update this count with bad_params.py"
    missing = {
        line: text
        for line, text in marks.items()
        if not any(text in message for message in errors.get(line, []))
    }
    unexpected = {line: messages for line, messages in errors.items() if line not in marks}
    assert not missing and not unexpected, f"{missing=}\n{unexpected=}\n{output}"


def test_mypy_refuses_each_marked_line() -> None:
    # The project's configuration (cwd), which excludes the file only from the whole-tree run.
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", ".mypy_cache/bad_params", str(BAD)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    errors: Errors = collections.defaultdict(list)
    for line in result.stdout.splitlines():
        if m := MYPY_ERROR.match(line):
            errors[int(m["line"])].append(m["message"])
    assert result.returncode == 1, result.stdout + result.stderr
    _assert_matches_marks(errors, result.stdout)


def test_pyright_refuses_each_marked_line(tmp_path: Path) -> None:
    pyright = shutil.which("pyright", path=str(Path(sys.executable).parent)) or shutil.which("pyright")
    if pyright is None:
        pytest.skip("pyright is not installed (the dev extra has it)")
    # A copy under a config of its own: the project's excludes the file, even when named. The
    # settings are pyproject's [tool.pyright] ones; extraPaths makes this checkout the one imported.
    config = {"extraPaths": [str(ROOT)], "pythonVersion": "3.10", "typeCheckingMode": "standard"}
    (tmp_path / "pyrightconfig.json").write_text(json.dumps(config), encoding="utf-8")
    copy = tmp_path / BAD.name
    copy.write_text(BAD.read_text(encoding="utf-8"), encoding="utf-8")
    result = subprocess.run(
        [pyright, "--outputjson", "--pythonpath", sys.executable, "-p", str(tmp_path), str(copy)],
        cwd=tmp_path,
        # Without it, pyright-python asks PyPI whether a newer pyright exists.
        env={**os.environ, "PYRIGHT_PYTHON_IGNORE_WARNINGS": "1"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    report = json.loads(result.stdout)
    errors: Errors = collections.defaultdict(list)
    for diagnostic in report["generalDiagnostics"]:
        if diagnostic["severity"] == "error":
            errors[diagnostic["range"]["start"]["line"] + 1].append(diagnostic["message"])
    assert report["summary"]["filesAnalyzed"] == 1, result.stdout
    _assert_matches_marks(errors, result.stdout)
