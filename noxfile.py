"""Developer tasks. `nox` alone runs what CI runs: lint, typecheck, sync facade check, tests, docs."""

from __future__ import annotations

import os

import nox

# nox reuses an environment only if the Python that made it is the one asked for now: without this
# (nox checks only when the variable is set), `python -m nox` from a 3.13 venv ran in 3.12's.
os.environ.setdefault("NOX_ENABLE_STALENESS_CHECK", "1")

nox.options.sessions = ["lint", "typecheck", "sync", "tests", "docs"]
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = False

PYTHONS = ["3.10", "3.11", "3.12", "3.13"]
# One ruff for linting, formatting and the generator (which formats the sync facade with it): another
# version could lay the generated code out differently and make the facade look stale.
RUFF = "ruff==0.17.6"


@nox.session
def lint(session: nox.Session) -> None:
    """ruff (lint rules and formatting), and no import cycle in the package."""
    session.install(RUFF)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("python", "scripts/check_imports.py")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict over the package, its generated facade, tests, scripts and benchmarks; then
    pyright over the package and the type pins of tests/typing/ (configured in pyproject.toml)."""
    session.install("-e", ".[dev]")
    session.run("mypy", "--strict")
    # pyright[nodejs] brings pyright's JavaScript and a Node.js wheel: no npm, no download at run
    # time. Without the variable, pyright-python asks PyPI whether a newer pyright exists.
    session.run("pyright", env={"PYRIGHT_PYTHON_IGNORE_WARNINGS": "1"})


@nox.session
def sync(session: nox.Session) -> None:
    """Fail when the generated sync facade is out of date with the async code."""
    session.install("-e", ".", RUFF)
    session.run("python", "scripts/generate_sync.py", "--check")


@nox.session
def tests(session: nox.Session) -> None:
    """The default test suite (long reliability runs excluded: see the `reliability` session)."""
    _install_for_tests(session)
    session.run("pytest", *session.posargs)


@nox.session(python=PYTHONS, name="tests-all")
def tests_all(session: nox.Session) -> None:
    """The default test suite on every supported Python."""
    _install_for_tests(session)
    session.run("pytest", *session.posargs)


def _install_for_tests(session: nox.Session) -> None:
    """The dev extra, and uWSGI where its tests must run (CI sets STRIPE_IDENTITY_REQUIRE_UWSGI=1).
    uWSGI is compiled on install, which needs a C compiler and Python's headers a user's machine may
    lack, so it is not in the extra: without it those tests skip and say why."""
    session.install("-e", ".[dev]")
    if os.environ.get("STRIPE_IDENTITY_REQUIRE_UWSGI") == "1":
        session.install("uwsgi")


@nox.session
def reliability(session: nox.Session) -> None:
    """The long reliability runs: 10,000 faulty creates, 1,000 cancellations, 20,000-request soak,
    thousands of fuzz examples, schemathesis, a redaction job of 2,000 sessions killed three times.
    The default suite runs the same tests, smaller."""
    session.install("-e", ".[dev]")
    session.run(
        "pytest",
        "-s",
        "tests/reliability/test_faults.py",
        "tests/reliability/test_cancellation.py",
        "tests/reliability/test_fuzz.py",
        "tests/reliability/test_resources.py",
        "tests/reliability/test_security.py",
        "tests/reliability/test_bulk_resume.py",
        "tests/webhooks/test_webhooks.py",
        *session.posargs,
        env={"STRIPE_IDENTITY_RELIABILITY": "long"},
    )


@nox.session
def docs(session: nox.Session) -> None:
    """The documentation site, built with `mkdocs build --strict` into site/: a broken link, a
    missing anchor or reference, or a docstring naming a parameter its function lacks fails it."""
    session.install("-e", ".[docs]")
    session.run("mkdocs", "build", "--strict", *session.posargs, env={"NO_MKDOCS_2_WARNING": "1"})


@nox.session
def bench(session: nox.Session) -> None:
    """The benchmarks against raw aiohttp and the official SDK (~50 min; `-- --quick` for ~10 min)."""
    session.install("-e", ".[bench]")
    session.run("python", "-m", "benchmarks", *session.posargs)
