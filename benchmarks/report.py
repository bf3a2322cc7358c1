"""What every mode's output is made of: markdown tables, targets with verdicts, the run's header,
and the JSON file (which must never hold the API key)."""

from __future__ import annotations

import datetime
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import fixtures, sysinfo

__all__ = ["ci", "fmt", "header", "run_meta", "table", "target", "target_lines", "write_json"]


def fmt(value: Any, digits: int = 0, suffix: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:,.{digits}f}{suffix}"


def ci(v: dict[str, float], digits: int = 3, signed: bool = False) -> str:
    """A median with its interval: ``1.116 (1.038 to 1.261)``."""
    form = f"{{:{'+' if signed else ''}.{digits}f}}"
    return f"{form.format(v['median'])} ({form.format(v['low'])} to {form.format(v['high'])})"


def table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str) -> list[str]:
    """A markdown table; ``align`` has one ``l`` or ``r`` per column."""
    lines = ["| " + " | ".join(header) + " |"]
    lines.append("|" + "|".join(":---" if a == "l" else "---:" for a in align) + "|")
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def target(
    name: str,
    value: float | None,
    op: str,
    threshold: float,
    interval: dict[str, float] | None = None,
) -> dict[str, Any]:
    """A target's verdict: ``met`` is None when it was not measured.

    With an interval, ``interval_clear`` says whether the whole interval is on the right side of the
    line: a median can meet a target by chance, an interval that clears it rarely does.
    """
    if value is None or math.isnan(value):
        return {"target": name, "value": None, "threshold": f"{op} {threshold:g}", "met": None}

    def ok(v: float) -> bool:
        return v <= threshold if op == "<=" else v >= threshold if op == ">=" else v < threshold

    result: dict[str, Any] = {
        "target": name,
        "value": value,
        "threshold": f"{op} {threshold:g}",
        "met": ok(value),
    }
    if interval is not None:
        result["interval"] = [interval["low"], interval["high"]]
        result["interval_clear"] = ok(interval["low"]) and ok(interval["high"])
    return result


def target_lines(targets: Sequence[dict[str, Any]], title: str = "### Targets") -> list[str]:
    def verdict(t: dict[str, Any]) -> str:
        if t["met"] is None:
            return "not measured"
        if not t["met"]:
            return "**MISSED**"
        if t.get("interval_clear") is False:
            return "met at the median; the interval straddles the line"
        return "met"

    def measured(t: dict[str, Any]) -> str:
        low_high = t.get("interval")
        if not low_high:
            return fmt(t["value"], 2)
        return f"{fmt(t['value'], 3)} ({fmt(low_high[0], 3)} to {fmt(low_high[1], 3)})"

    return [
        title,
        "",
        *table(
            ["target", "measured (90 % CI)", "wanted", "verdict"],
            [[t["target"], measured(t), t["threshold"], verdict(t)] for t in targets],
            "lrrl",
        ),
    ]


def run_meta(command: str) -> dict[str, Any]:
    """What a results file records about its run: when, what, on which machine, which SDK."""
    client_core, server_core = sysinfo.cpu_plan()
    return {
        "generated_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": command,
        "machine": sysinfo.machine(),
        "versions": sysinfo.library_versions(),
        "sdk_revision": sysinfo.sdk_revision(),
        "client_core": client_core,
        "server_core": server_core,
    }


def header(meta: dict[str, Any]) -> list[str]:
    """The first lines of every report: the command, the machine and the SDK commit measured."""
    m = meta["machine"]
    revision = meta.get("sdk_revision") or {}
    dirty = revision.get("uncommitted_sdk_files") or []
    return [
        f"`{meta['command']}` ({meta['generated_at']}): {m['nproc']} CPUs ({m['cpu_model']}), "
        f"Python {m['python']}; clients on core {meta['client_core']}, server on core "
        f"{meta['server_core']}; SDK at `{revision.get('commit')}`"
        + (f" with uncommitted changes to {', '.join(dirty)}" if dirty else "")
        + ".",
        "",
    ]


def write_json(result: dict[str, Any], path: Path) -> None:
    text = json.dumps(result, indent=1, default=str)
    if fixtures.API_KEY in text:  # nothing here should carry the key; refuse rather than leak it
        raise RuntimeError("refusing to write results that contain the API key")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n")
