"""Many workers, one account: a shared rate and exactly-once webhooks, measured across processes.

``python -m benchmarks --workers [P]`` (default 4) starts a throwaway redis-server and runs:

* **pacing**: P worker processes (``many_workers_proc pacer``), each with its own client and API
  key, paced by one ``RedisRateLimiter`` budget, create sessions against an emulator whose limit
  of N per second (``--n``, default 100) is shared by every key of the account; one worker is
  SIGKILLed halfway. Reported: the most slots in any 1-second window (Redis's clock; must be <= N),
  the utilisation of N over the run, the 429s the emulator sent, and how long after the kill the
  survivors first spend a whole second at 95 % of N or more (the takeover);
* **webhooks**: P webhook workers behind one URL (SO_REUSEPORT), each on a ``RedisEventLedger``,
  get the events of 10,000 sessions (``--quick``: 1,000) from an emulator that delivers 10 % of
  them twice; one worker is SIGKILLed mid-run. Reported: events done in Redis (all must be), events
  whose handling was started twice (only those the killed worker held may be), leases lost (0).

The test suite runs the same two functions with small numbers (tests/reliability/test_many_workers.py)
and asserts correctness only; the figures here are measurements, printed and not judged.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .options import Options
from .progress import Progress
from .redis_server import RedisServer, RedisUnavailable, free_port

__all__ = ["ledger_run", "pacer_run", "render", "run", "window_max"]

_ROOT = Path(__file__).resolve().parent.parent
_SECRET = "whsec_" + "manyworkers" + "0" * 8


def window_max(times: Sequence[float], window: float = 1.0) -> int:
    """The most of ``times`` inside any half-open interval ``[t, t + window)``."""
    ordered, start, best = sorted(times), 0, 0
    for end, at in enumerate(ordered):
        while at - ordered[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def _spawn(role: str, out: Path, *args: str) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_ROOT), env.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "benchmarks.many_workers_proc", role, "--out", str(out), *args]
    with out.with_suffix(".err").open("wb") as err:
        return subprocess.Popen(command, cwd=_ROOT, env=env, stdin=subprocess.DEVNULL, stderr=err)


def _lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []


def _wait_ready(procs: Sequence[subprocess.Popen[bytes]], outs: Sequence[Path]) -> None:
    deadline = time.monotonic() + 120
    while not all("ready" in _lines(out) for out in outs):
        for proc, out in zip(procs, outs, strict=True):
            if proc.poll() is not None:
                err = out.with_suffix(".err").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"a worker exited before it was ready:\n{err}")
        if time.monotonic() > deadline:
            raise TimeoutError("the workers were not ready within 120 s")
        time.sleep(0.02)


@contextlib.contextmanager
def _workers(procs: list[subprocess.Popen[bytes]]) -> Iterator[None]:
    try:
        yield
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait()


def pacer_run(
    redis_url: str,
    rate: int,
    workers: int,
    seconds: float,
    kill_at: float | None,
    workdir: Path,
    concurrency: int = 16,
) -> dict[str, Any]:
    """``workers`` processes pacing through one budget against an emulator limited to ``rate`` per
    second for the whole account; the first worker is SIGKILLed ``kill_at`` seconds in."""
    from stripe_identity.emulator import Emulator, RateLimits

    outs = [workdir / f"pacer{n}.log" for n in range(workers)]
    go = workdir / "go"
    killed_at: float | None = None
    with Emulator(rate_limits=RateLimits.scaled(rate).account_wide()) as emu:
        procs: list[subprocess.Popen[bytes]] = []
        with _workers(procs):
            for n, out in enumerate(outs):
                key = f"sk_test_worker{n}" + "x" * 16
                options = ["--redis", redis_url, "--name", "acct_bench", "--rate", str(rate)]
                options += ["--api-base", emu.api_base, "--key", key, "--seconds", str(seconds)]
                options += ["--go", str(go), "--concurrency", str(concurrency)]
                procs.append(_spawn("pacer", out, *options))
            _wait_ready(procs, outs)
            emu.reset()  # the workers' warm-up took no tokens from the run
            start = time.time() + 0.2
            (workdir / "go.tmp").write_text(repr(start))
            (workdir / "go.tmp").rename(go)
            if kill_at is not None:
                time.sleep(max(0.0, start + kill_at - time.time()))
                procs[0].send_signal(signal.SIGKILL)
                killed_at = time.time()
            for proc in procs:
                proc.wait(timeout=seconds + 60)
        limits = emu.stats()["rate_limits"]
    slots = [
        (n, float(line.split()[1]))
        for n, out in enumerate(outs)
        for line in _lines(out)
        if line.startswith("slot ")
    ]
    slots = [(n, at) for n, at in slots if start <= at < start + seconds]
    errors = collections.Counter(
        line.split()[1] for out in outs for line in _lines(out) if line.startswith("error ")
    )
    times = [at for _, at in slots]
    result: dict[str, Any] = {
        "rate": rate,
        "workers": workers,
        "seconds": seconds,
        "requests": len(times),
        "window_max": window_max(times),
        "utilisation": len(times) / (rate * seconds),
        "rate_limited_by_emulator": sum(limits["limited"].values()),
        "errors": dict(errors),
        "per_worker": [sum(1 for n, _ in slots if n == w) for w in range(workers)],
    }
    if killed_at is not None:
        survivors = sorted(at for n, at in slots if n != 0 and at >= killed_at)
        result["killed_at_s"] = killed_at - start
        result["takeover_s"] = _takeover(survivors, killed_at, rate)
        after = start + seconds - killed_at
        result["utilisation_after_kill"] = len(survivors) / (rate * after) if after > 0 else None
    return result


def _takeover(survivors: list[float], killed_at: float, rate: int) -> float | None:
    """Seconds from the kill to the start of the first 1-second window in which the survivors used
    95 % of the rate or more (None if they never did)."""
    need = max(1, int(0.95 * rate))
    for first, at in enumerate(survivors):
        if first + need - 1 < len(survivors) and survivors[first + need - 1] - at < 1.0:
            return at - killed_at
    return None


def ledger_run(
    redis_url: str,
    events: int,
    workers: int,
    duplicates: float,
    kill_after: int | None,
    workdir: Path,
    lease: float = 2.0,
) -> dict[str, Any]:
    """``workers`` webhook workers on one URL get the events of ``events`` sessions, ``duplicates``
    of the deliveries made twice; the first worker is SIGKILLed once it started ``kill_after``."""
    from stripe_identity.emulator import Emulator, WebhookRetries

    port = free_port()
    outs = [workdir / f"webhook{n}.log" for n in range(workers)]
    procs: list[subprocess.Popen[bytes]] = []
    emulator_log = logging.getLogger("stripe_identity.emulator")
    level = emulator_log.level
    emulator_log.setLevel(logging.ERROR)  # each 409 (another worker holds the event) is a warning
    with _workers(procs):
        for n, out in enumerate(outs):
            options = ["--redis", redis_url, "--name", f"w{n}", "--port", str(port)]
            procs.append(_spawn("webhook", out, *options, "--secret", _SECRET, "--lease", str(lease)))
        _wait_ready(procs, outs)
        try:
            with Emulator(
                seed=26,
                webhook_url=f"http://127.0.0.1:{port}/hook",
                webhook_secret=_SECRET,
                webhook_retries=WebhookRetries.exponential(0.1, 10),  # ~100 s in all
                webhook_duplicates=duplicates,
            ) as emu:
                started = time.monotonic()
                asyncio.run(_create(emu.api_base, events, procs[0], outs[0], kill_after))
                deadline = time.monotonic() + 300
                while emu.stats()["webhooks"]["pending"] and time.monotonic() < deadline:
                    time.sleep(0.05)
                elapsed = time.monotonic() - started
                deliveries = emu.stats()["webhooks"]
                ids = [event["id"] for event in emu.events()]
        finally:
            emulator_log.setLevel(level)
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.wait(timeout=30)
    return {
        "events": len(ids),
        "workers": workers,
        "duplicates": duplicates,
        "seconds": elapsed,
        "deliveries": deliveries,
        **_tally(redis_url, ids, outs, killed=kill_after is not None),
    }


async def _create(api_base: str, count: int, victim: Any, log: Path, kill_after: int | None) -> None:
    import stripe_identity as si

    async def killer() -> None:
        assert kill_after is not None
        while sum(1 for line in _lines(log) if line.startswith("start ")) < kill_after:  # noqa: ASYNC110
            await asyncio.sleep(0.01)  # polling a file another process writes
        victim.send_signal(signal.SIGKILL)

    async with si.AsyncStripeIdentity("sk_test_" + "webhooks" + "0" * 16, api_base=api_base) as c:
        kill = asyncio.ensure_future(killer()) if kill_after is not None else None
        todo = iter(range(count))

        async def creator() -> None:
            for _ in todo:
                await c.verification_sessions.create({"type": "document"})

        await asyncio.gather(*(creator() for _ in range(32)))
        if kill is not None:
            await asyncio.wait_for(kill, 120)


def _tally(redis_url: str, ids: list[str], outs: list[Path], killed: bool) -> dict[str, Any]:
    import redis

    from stripe_identity.redis import RedisEventLedger

    started: collections.Counter[str] = collections.Counter()
    by_victim: set[str] = set()
    lost = 0
    for n, out in enumerate(outs):
        for line in _lines(out):
            kind, _, event_id = line.partition(" ")
            if kind == "start":
                started[event_id] += 1
                if n == 0:
                    by_victim.add(event_id)
            lost += kind == "lost"
    ledger = RedisEventLedger(redis_url)
    with contextlib.closing(redis.Redis.from_url(redis_url)) as client:
        values = client.mget([ledger.key(event_id) for event_id in ids]) if ids else []
    done = sum(1 for value in values if isinstance(value, bytes) and value.startswith(b"done:"))
    twice = [event_id for event_id, count in started.items() if count > 1]
    return {
        "done_in_redis": done,
        "handled_once": sum(1 for event_id in ids if started[event_id] == 1),
        "started_twice": len(twice),
        # Only a killed worker's events may start twice: it died holding them, before completing.
        "started_twice_not_after_kill": sum(
            1 for e in twice if not (killed and e in by_victim and started[e] == 2)
        ),
        "never_started": sum(1 for event_id in ids if not started[event_id]),
        "leases_lost": lost,
    }


def run(options: Options, progress: Progress) -> dict[str, Any]:
    workers = options.value or 4
    rate = options.n or 100
    seconds = 6.0 if options.quick else 20.0
    events = 1_000 if options.quick else 10_000
    try:
        server = RedisServer.start()
    except RedisUnavailable as exc:
        return {"skipped": str(exc)}
    with server, tempfile.TemporaryDirectory(prefix="many-workers-") as tmp:
        progress.note(f"pacing: {workers} workers at {rate}/s for {seconds:g} s")
        pacing = pacer_run(server.url, rate, workers, seconds, seconds / 2, Path(tmp))
        progress.note(f"webhooks: {events} events to {workers} workers, 10 % twice")
        webhooks = ledger_run(server.url, events, workers, 0.1, events // (2 * workers), Path(tmp))
    return {"command": options.command, "pacing": pacing, "webhooks": webhooks}


def render(result: dict[str, Any]) -> str:
    if "skipped" in result:
        return f"many workers: skipped ({result['skipped']})\n"
    p, w = result["pacing"], result["webhooks"]
    takeover = "never" if p.get("takeover_s") is None else f"{p['takeover_s']:.2f} s"
    lines = [
        f"## Many workers (`{result['command']}`)",
        "",
        f"Pacing: {p['workers']} processes, one Redis budget, emulator limited to {p['rate']}/s "
        f"for the account, {p['seconds']:g} s, one worker SIGKILLed at {p['killed_at_s']:.1f} s.",
        "",
        "| window max (<= limit) | utilisation | 429s | errors | takeover after kill | "
        "utilisation after kill |",
        "|---|---|---|---|---|---|",
        f"| {p['window_max']} / {p['rate']} | {p['utilisation']:.3f} | "
        f"{p['rate_limited_by_emulator']} | {sum(p['errors'].values())} | {takeover} | "
        f"{p['utilisation_after_kill']:.3f} |",
        "",
        f"Webhooks: {w['events']} events, {w['workers']} workers on one URL, "
        f"{w['duplicates']:.0%} of deliveries twice ({w['deliveries'].get('duplicated', 0)} twins), "
        f"one worker SIGKILLed mid-run; {w['seconds']:.1f} s.",
        "",
        "| done in Redis | handled once | started twice (killed worker's) | started twice (other) | "
        "never started | leases lost | deliveries attempted | given up |",
        "|---|---|---|---|---|---|---|---|",
        f"| {w['done_in_redis']} / {w['events']} | {w['handled_once']} | "
        f"{w['started_twice'] - w['started_twice_not_after_kill']} | "
        f"{w['started_twice_not_after_kill']} | {w['never_started']} | {w['leases_lost']} | "
        f"{w['deliveries']['attempted']} | {w['deliveries']['given_up']} |",
        "",
    ]
    return "\n".join(lines)
