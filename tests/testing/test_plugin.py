"""The pytest plugin users get with the package, run the way users run it: one pytest subprocess
per setup (anyio's plugin; pytest-asyncio in strict mode, in auto mode, with a wider loop scope).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import stripe_identity

ROOT = Path(stripe_identity.__file__).resolve().parent.parent

# What every setup checks: the fixtures give an emulator and clients on it, emptied between tests.
SYNC_TESTS = """
def test_sync(stripe_identity_client, stripe_identity_emulator):
    session = stripe_identity_client.verification_sessions.create({"type": "document"})
    stripe_identity_emulator.submit(session.id)
    assert stripe_identity_client.verification_sessions.retrieve(session.id).status == "verified"

def test_emulator_is_emptied_between_tests(stripe_identity_client):
    assert stripe_identity_client.verification_sessions.list().data == []
"""

ASYNC_TEST = """
{decorator}
async def test_async_{name}(stripe_identity_async_client, stripe_identity_emulator):
    client = stripe_identity_async_client
    session = await client.verification_sessions.create({{"type": "id_number"}})
    stripe_identity_emulator.submit(session.id)
    assert (await client.verification_sessions.retrieve(session.id)).status == "verified"
    assert not client.closed
"""

ANYIO_BACKEND = """
@pytest.fixture
def anyio_backend():
    return "asyncio"
"""


ANYIO = "anyio.pytest_plugin"
PYTEST_ASYNCIO = "pytest_asyncio.plugin"


def run_pytest(
    tmp_path: Path, source: str, *args: str, plugins: tuple[str, ...] | None
) -> tuple[int, str]:
    """Run ``source`` as a test file in a fresh pytest process; return its status and output.

    ``plugins=None`` runs pytest as users do, every installed plugin loaded from its entry point.
    Otherwise only these plugin modules (and ours) load: a setup of its own, and 2 s faster than
    importing hypothesis and schemathesis each time.
    """
    (tmp_path / "test_user.py").write_text("import pytest\n" + textwrap.dedent(source))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    env.pop("PYTEST_ADDOPTS", None)
    options = ["-p", "no:cacheprovider", "-W", "error"]
    installed = any(
        ep.name == "stripe_identity" for ep in importlib.metadata.entry_points(group="pytest11")
    )
    if plugins is not None:
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        options += [f"-p{name}" for name in ("stripe_identity.testing", *plugins)]
    elif not installed:  # run from a clone on PYTHONPATH: there is no entry point to load us
        options += ["-p", "stripe_identity.testing"]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", *options, *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result.returncode, result.stdout + result.stderr


def assert_passed(code: int, output: str, count: int) -> None:
    assert code == 0, output
    assert re.search(rf"\b{count} passed\b", output), output
    assert "warning" not in output.lower(), output


def needs_pytest_asyncio() -> None:
    pytest.importorskip("pytest_asyncio", minversion="0.24")


ASYNCIO_OPTIONS = ("-o", "asyncio_default_fixture_loop_scope=function")


def test_anyio_plugin_with_every_installed_plugin(tmp_path: Path) -> None:
    """As users run it: our plugin and anyio's from their entry points (pytest-asyncio too, in its
    default strict mode, when installed)."""
    source = SYNC_TESTS + ANYIO_BACKEND + ASYNC_TEST.format(decorator="@pytest.mark.anyio", name="anyio")
    options = ASYNCIO_OPTIONS if importlib.util.find_spec("pytest_asyncio") else ()
    assert_passed(*run_pytest(tmp_path, source, *options, plugins=None), count=3)


def test_anyio_plugin_alone(tmp_path: Path) -> None:
    source = SYNC_TESTS + ANYIO_BACKEND + ASYNC_TEST.format(decorator="@pytest.mark.anyio", name="anyio")
    assert_passed(*run_pytest(tmp_path, source, plugins=(ANYIO,)), count=3)


def test_pytest_asyncio_strict_mode(tmp_path: Path) -> None:
    needs_pytest_asyncio()
    source = SYNC_TESTS + ASYNC_TEST.format(decorator="@pytest.mark.asyncio", name="strict")
    code, output = run_pytest(
        tmp_path, source, "-o", "asyncio_mode=strict", *ASYNCIO_OPTIONS, plugins=(PYTEST_ASYNCIO,)
    )
    assert_passed(code, output, count=3)


def test_pytest_asyncio_auto_mode(tmp_path: Path) -> None:
    needs_pytest_asyncio()
    source = SYNC_TESTS + ASYNC_TEST.format(decorator="", name="auto")
    code, output = run_pytest(
        tmp_path, source, "-o", "asyncio_mode=auto", *ASYNCIO_OPTIONS, plugins=(PYTEST_ASYNCIO,)
    )
    assert_passed(code, output, count=3)


def test_anyio_and_pytest_asyncio_tests_side_by_side(tmp_path: Path) -> None:
    """Both plugins installed, strict mode: each test gets a client on its own plugin's loop."""
    needs_pytest_asyncio()
    source = (
        ANYIO_BACKEND
        + ASYNC_TEST.format(decorator="@pytest.mark.anyio", name="anyio")
        + ASYNC_TEST.format(decorator="@pytest.mark.asyncio", name="asyncio")
    )
    code, output = run_pytest(
        tmp_path, source, "-o", "asyncio_mode=strict", *ASYNCIO_OPTIONS, plugins=(ANYIO, PYTEST_ASYNCIO)
    )
    assert_passed(code, output, count=2)


def test_pytest_asyncio_wider_loop_scope(tmp_path: Path) -> None:
    """Tests on a module-wide loop get a client opened on that loop, not on a per-test one."""
    needs_pytest_asyncio()
    source = (
        ASYNC_TEST.format(decorator="", name="one")
        + ASYNC_TEST.format(decorator="", name="two")
        + ASYNC_TEST.format(decorator='@pytest.mark.asyncio(loop_scope="session")', name="three")
    )
    code, output = run_pytest(
        tmp_path,
        source,
        "-o",
        "asyncio_mode=auto",
        "-o",
        "asyncio_default_test_loop_scope=module",
        *ASYNCIO_OPTIONS,
        plugins=(PYTEST_ASYNCIO,),
    )
    assert_passed(code, output, count=3)


def test_without_an_event_loop_plugin_the_async_client_says_what_to_do(tmp_path: Path) -> None:
    source = """
    def test_sync_test_wants_async_client(stripe_identity_async_client):
        pass
    """
    code, output = run_pytest(tmp_path, source, plugins=(ANYIO,))
    assert code == 1, output
    assert "needs an async test run by an event loop plugin" in output
    assert "@pytest.mark.anyio" in output
    assert "Traceback" not in output


def test_a_test_claimed_by_both_plugins_gets_a_clear_error(tmp_path: Path) -> None:
    """pytest-asyncio's auto mode and an anyio mark: which plugin opens the client would depend on
    plugin order, so the fixture refuses it with a message instead of a "different loop" error."""
    needs_pytest_asyncio()
    source = ANYIO_BACKEND + ASYNC_TEST.format(decorator="@pytest.mark.anyio", name="both")
    code, output = run_pytest(
        tmp_path, source, "-o", "asyncio_mode=auto", *ASYNCIO_OPTIONS, plugins=(PYTEST_ASYNCIO, ANYIO)
    )
    assert code == 1, output
    assert "claimed by both anyio's plugin and pytest-asyncio" in output
    assert "Traceback" not in output


def test_an_old_pytest_asyncio_fails_the_async_fixture_only(tmp_path: Path) -> None:
    """Before 0.24, pytest_asyncio.fixture took no loop_scope: the plugin must not break the run."""
    needs_pytest_asyncio()
    (tmp_path / "conftest.py").write_text(
        textwrap.dedent(
            """
            import pytest_asyncio

            modern = pytest_asyncio.fixture

            def fixture(*args, loop_scope=None, **kwargs):  # 0.23's signature, as far as we care
                if loop_scope is not None:
                    raise TypeError("fixture() got an unexpected keyword argument 'loop_scope'")
                return modern(*args, **kwargs)

            pytest_asyncio.fixture = fixture
            """
        )
    )
    source = SYNC_TESTS + ASYNC_TEST.format(decorator="@pytest.mark.asyncio", name="old")
    code, output = run_pytest(tmp_path, source, *ASYNCIO_OPTIONS, plugins=(PYTEST_ASYNCIO,))
    assert code == 1, output
    assert "2 passed, 1 error" in output
    assert "needs pytest-asyncio 0.24 or later (TypeError: fixture() got an unexpected keyword" in output


def test_an_anyio_test_on_trio_is_told_to_use_asyncio(tmp_path: Path) -> None:
    source = ASYNC_TEST.format(decorator="@pytest.mark.anyio", name="trio") + ANYIO_BACKEND.replace(
        '"asyncio"', '"trio"'
    )
    code, output = run_pytest(tmp_path, source, plugins=(ANYIO,))
    assert code == 1, output
    assert "runs on asyncio only (aiohttp does), not trio" in output
