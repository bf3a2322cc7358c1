"""How the command-line tests run ``stripe-identity``: in this process (``run``), or in a fresh one
as from a shell (``cli``), and what a one-line error looks like."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import stripe_identity as si
from stripe_identity._cli import main

__all__ = ["ROOT", "assert_one_line_error", "cli", "cli_env", "run"]

ROOT = Path(si.__file__).resolve().parent.parent


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(args)
    except SystemExit as exc:  # argparse: --help, and usage errors
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def cli_env(**env: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("STRIPE_")}
    base["PYTHONPATH"] = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    return {**base, **env}


def cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m stripe_identity ARGS`` in a fresh process, as from a shell."""
    return subprocess.run(
        [sys.executable, "-m", "stripe_identity", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=cli_env(**env),
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], code: int, *fragments: str) -> None:
    assert result.returncode == code, result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    for fragment in fragments:
        assert fragment in result.stderr
