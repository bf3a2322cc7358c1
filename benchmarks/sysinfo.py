"""Process facts the benchmarks report: CPU placement, CPU time, memory, file descriptors.

Linux-first (the numbers come from ``/proc``); on other systems the functions degrade to ``None`` or
to ``resource`` figures instead of failing, so the suite still runs.
"""

from __future__ import annotations

import os
import platform
import resource
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

__all__ = [
    "cpu_plan",
    "fd_count",
    "library_versions",
    "machine",
    "peak_rss_mb",
    "pin",
    "process_cpu_s",
    "reset_peak_rss",
    "rss_mb",
    "sdk_revision",
]


def cpu_plan() -> tuple[int | None, int | None]:
    """(client core, server core): two different cores when the process may use two, else no pinning."""
    try:
        cores = sorted(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return None, None
    if len(cores) < 2:
        return None, None
    return cores[0], cores[-1]


def pin(core: int | None) -> None:
    """Keep this process (and threads it starts later) on one core, when a core was chosen."""
    if core is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {core})


def _status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def rss_mb() -> float:
    """Current resident set size."""
    kb = _status_kb("VmRSS:")
    if kb is None:
        return peak_rss_mb()
    return kb / 1024


def reset_peak_rss() -> bool:
    """Reset the kernel's RSS high-water mark, so the next :func:`peak_rss_mb` covers one run only."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return False
    return True


def peak_rss_mb() -> float:
    """Peak RSS since the last :func:`reset_peak_rss` (or process start)."""
    kb = _status_kb("VmHWM:")
    if kb is None:
        # ru_maxrss is in kB on Linux and bytes on macOS; either way it never resets.
        raw = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return raw / (1024 * 1024) if sys.platform == "darwin" else raw / 1024
    return kb / 1024


def process_cpu_s(pid: int) -> float | None:
    """User + system CPU time of another process, from ``/proc/<pid>/stat`` (clock-tick resolution)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            # The command name (field 2) may hold spaces; the fields after its ")" are fixed.
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def fd_count() -> int | None:
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return None


def machine() -> dict[str, object]:
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "affinity": sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu_model": model,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
    }


def sdk_revision() -> dict[str, object]:
    """The commit measured, and the SDK files that differed from it (read-only git queries)."""
    repo = Path(__file__).resolve().parent.parent

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(repo), *args], capture_output=True, text=True, timeout=10, check=True
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.rstrip("\n")  # not strip(): porcelain lines start with a status column

    status = git("status", "--porcelain", "--", "stripe_identity")
    commit = git("rev-parse", "--short", "HEAD")
    return {
        "commit": commit.strip() if commit else None,
        # Uncommitted changes to the SDK at measurement time: the figures describe those files.
        "uncommitted_sdk_files": [line[3:] for line in status.splitlines()] if status else [],
    }


def library_versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for name in (
        "stripe-identity",
        "aiohttp",
        "anyio",
        "attrs",
        "cattrs",
        "orjson",
        "stripe",
        "httpx",
        "requests",
        "matplotlib",
    ):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out
