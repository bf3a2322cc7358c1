"""The sync client where people deploy it: gevent and eventlet workers, a Jupyter notebook, uWSGI.

Each runs for real in a process of its own, against an emulator served from this one.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stripe_identity.emulator import Emulator
from tests.conftest import TEST_KEY

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def api_base() -> Iterator[str]:
    with Emulator() as emu:
        yield emu.api_base


def _env() -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    return dict(os.environ, PYTHONPATH=path)


@pytest.mark.parametrize("library", ["gevent", "eventlet"])
def test_the_sync_client_under_monkey_patching(library: str, api_base: str) -> None:
    if importlib.util.find_spec(library) is None:
        pytest.skip(f"{library} is not installed (it is in the dev extra)")
    result = subprocess.run(
        [sys.executable, "-m", "tests.sync.green_worker", library, api_base],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=_env(),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        "greenlets wait together: ok",
        "loop on another OS thread: ok",
        "a timed-out call is cancelled: ok",
        "still usable: ok",
        "collected from the hub, closed: ok",
        "unclosed client works: ok",
    ]
    for trouble in ("Traceback", "Exception ignored", "ResourceWarning", "Unclosed"):
        assert trouble not in result.stderr, result.stderr


def test_a_jupyter_cell_blocks_like_any_sync_call(api_base: str, tmp_path: Path) -> None:
    if importlib.util.find_spec("nbclient") is None or importlib.util.find_spec("ipykernel") is None:
        pytest.skip("nbclient and ipykernel are not installed (they are in the dev extra)")
    import nbclient
    import nbformat

    new_notebook: Any = nbformat.v4.new_notebook  # nbformat is untyped
    new_code_cell: Any = nbformat.v4.new_code_cell
    notebook = new_notebook()
    notebook.cells = [
        new_code_cell(
            textwrap.dedent(
                f"""
                import asyncio
                import stripe_identity as si
                asyncio.get_running_loop()  # the kernel's, running in this cell's thread
                client = si.StripeIdentity(api_base={api_base!r})  # the key: $STRIPE_API_KEY
                session = client.verification_sessions.create({{"type": "document"}})
                print(client.verification_sessions.retrieve(session.id).status)
                """
            )
        ),
        # Top-level await: the cell itself runs as a coroutine, and still may block.
        new_code_cell(
            textwrap.dedent(
                """
                await asyncio.sleep(0)
                print(client.verification_sessions.cancel(session.id).status)
                client.close()
                """
            )
        ),
    ]
    runner = nbclient.NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=60,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    runner.execute(env={**_env(), "STRIPE_API_KEY": TEST_KEY})  # never in a logged cell
    outputs = [
        "".join(str(out.get("text", "")) for out in cell.outputs if out["output_type"] == "stream")
        for cell in notebook.cells
    ]
    assert outputs == ["requires_input\n", "canceled\n"]


def test_a_child_forked_without_python_fork_hooks_exits(api_base: str) -> None:
    # uWSGI forks its workers in C, so Python's at-fork hooks do not run there (unless
    # --py-call-uwsgi-fork-hooks): the child must neither use nor wait for the parent's loop.
    script = textwrap.dedent(
        f"""
        import ctypes, os, sys
        import stripe_identity as si
        client = si.StripeIdentity({TEST_KEY!r}, api_base={api_base!r})
        session = client.verification_sessions.create({{"type": "document"}})
        pid = ctypes.PyDLL(None).fork()  # libc's fork, holding the GIL, as uWSGI's is
        if pid == 0:
            if sys.argv[1] == "call":
                assert client.verification_sessions.retrieve(session.id).id == session.id
            sys.exit(0)  # the exit hook must not wait for the parent's loop
        _, status = os.waitpid(pid, 0)
        assert client.verification_sessions.retrieve(session.id).id == session.id
        client.close()
        sys.exit(os.waitstatus_to_exitcode(status))
        """
    )
    for mode in ("idle", "call"):
        result = subprocess.run(
            [sys.executable, "-c", script, mode], capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, (mode, result.stderr)
        assert result.stderr == "", (mode, result.stderr)  # nothing of the parent's finalised


def test_a_child_leaves_its_parents_pool_alone_when_collecting_it(api_base: str) -> None:
    # What a uWSGI worker's exit did: its copy of the master's client was collected, and the
    # client's finaliser closed the pool, whose sockets and selector are the parent's too.
    script = textwrap.dedent(
        f"""
        import asyncio, gc, os, sys, warnings
        import stripe_identity as si
        loop = asyncio.new_event_loop()
        client = si.AsyncStripeIdentity({TEST_KEY!r}, api_base={api_base!r})
        loop.run_until_complete(client.verification_sessions.create({{"type": "document"}}))
        pid = os.fork()
        if pid == 0:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                del client
                gc.collect()
            ours = [w for w in caught if "AsyncStripeIdentity" in str(w.message)]
            os._exit(1 if ours else 0)
        _, status = os.waitpid(pid, 0)
        loop.run_until_complete(client.aclose())
        loop.close()
        sys.exit(os.waitstatus_to_exitcode(status))
        """
    )
    result = subprocess.run(
        [sys.executable, "-W", "ignore::DeprecationWarning", "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


# Set by CI, which installs uWSGI (noxfile.py): there these tests must run, never skip.
REQUIRE_UWSGI = "STRIPE_IDENTITY_REQUIRE_UWSGI"


def _uwsgi() -> str | None:
    beside = Path(sys.executable).with_name("uwsgi")
    return str(beside) if beside.exists() else shutil.which("uwsgi")


@pytest.mark.parametrize(
    "options",
    [
        pytest.param(["--processes", "2"], id="prefork"),
        pytest.param(["--processes", "1", "--threads", "4"], id="threads"),
        pytest.param(["--processes", "1", "--gevent", "50", "--gevent-monkey-patch"], id="gevent"),
    ],
)
def test_uwsgi_serves_and_stops(options: list[str], api_base: str, tmp_path: Path) -> None:
    uwsgi = _uwsgi()
    if uwsgi is None:
        message = "uWSGI is not installed (pip install uwsgi builds it)"
        if os.environ.get(REQUIRE_UWSGI) == "1":
            pytest.fail(f"{message}; {REQUIRE_UWSGI}=1 forbids skipping")
        pytest.skip(message)
    app = tmp_path / "app.py"
    app.write_text(
        textwrap.dedent(
            f"""
            import stripe_identity as si
            # Made in the master, before uWSGI forks the workers.
            client = si.StripeIdentity({TEST_KEY!r}, api_base={api_base!r})
            session = client.verification_sessions.create({{"type": "document"}})

            def application(environ, start_response):
                found = client.verification_sessions.retrieve(session.id)
                start_response("200 OK", [("Content-Type", "text/plain")])
                return [found.id.encode()]
            """
        )
    )
    log = tmp_path / "uwsgi.log"
    command = [uwsgi, "--http-socket", "127.0.0.1:0", "--master", "--wsgi-file", str(app)]
    with log.open("w") as sink:
        server = subprocess.Popen(
            [*command, *options], stdout=sink, stderr=subprocess.STDOUT, env=_env()
        )
    try:
        port = _wait_for_port(log, server)
        for _ in range(4):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as response:
                assert response.read().startswith(b"vs_")
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=30) == 0, log.read_text()
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert "Traceback" not in log.read_text()


def _wait_for_port(log: Path, server: subprocess.Popen[bytes]) -> int:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = re.search(r"bound to TCP address 127\.0\.0\.1:(\d+)", log.read_text())
        if found and "spawned uWSGI worker" in log.read_text():
            return int(found.group(1))
        assert server.poll() is None, log.read_text()
        time.sleep(0.05)
    raise AssertionError(log.read_text())
