"""MkDocs hooks (mkdocs.yml ``hooks:``): what the site's pages show that is made at build time.

* ``<!-- cli-help: ARGS -->`` becomes the output of ``stripe-identity ARGS --help``, so the command
  line's pages never go stale;
* ``<!-- chart: cpu-vs-raw -->`` becomes an SVG chart of docs/data/benchmarks.json's paired CPU
  ratios (the figures benchmarks/README.md reports; a test checks they match), drawn here in plain
  SVG: no plotting library at build time;
* the docstrings' Sphinx roles (``:class:`X```) become plain code spans.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
_CLI_HELP = re.compile(r"^<!-- cli-help:(?P<args>[^>]*)-->$", re.MULTILINE)
_CHART = re.compile(r"^<!-- chart: cpu-vs-raw -->$", re.MULTILINE)


def on_page_markdown(markdown: str, **_: Any) -> str:
    markdown = _CLI_HELP.sub(lambda m: _help(m["args"].split()), markdown)
    return _CHART.sub(lambda _: cpu_chart(_figures()), markdown)


def _help(args: list[str]) -> str:
    env = {**os.environ, "COLUMNS": "100", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "stripe_identity", *args, "--help"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=60,
    )
    return f"```text\n{result.stdout.rstrip()}\n```"


def _figures() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ROOT / "docs/data/benchmarks.json").read_text("utf-8"))
    return data


def cpu_chart(data: dict[str, Any]) -> str:
    """Intervals on a ratio axis: one row per workload, the median a dot, the target a dashed line."""
    figures = data["cpu_per_request_vs_raw_aiohttp"]
    rows = figures["rows"]
    low, high = 0.9, 1.3
    left, width, row_height, top = 230, 360, 30, 30
    height = top + row_height * len(rows) + 40

    def x(ratio: float) -> float:
        return left + (ratio - low) / (high - low) * width

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {left + width + 20} {height}" '
        f'role="img" aria-label="{html.escape(figures["what"])}" class="benchmark-chart" '
        'font-family="system-ui,sans-serif" font-size="12">'
    ]
    for tick in (0.9, 1.0, 1.1, 1.2, 1.3):
        parts.append(
            f'<line x1="{x(tick):.1f}" y1="{top - 10}" x2="{x(tick):.1f}" y2="{height - 30}" '
            'stroke="#ccd" stroke-width="1"/>'
            f'<text x="{x(tick):.1f}" y="{height - 14}" text-anchor="middle">{tick:.2f}&#215;</text>'
        )
    target = figures["target"]
    parts.append(
        f'<line x1="{x(target):.1f}" y1="{top - 18}" x2="{x(target):.1f}" y2="{height - 30}" '
        'stroke="#c0392b" stroke-dasharray="4 3" stroke-width="1.5"/>'
        f'<text x="{x(target):.1f}" y="{top - 20}" text-anchor="middle" fill="#c0392b">'
        f"target {target}&#215;</text>"
    )
    for index, row in enumerate(rows):
        y = top + row_height * index + row_height / 2
        parts.append(
            f'<text x="{left - 10}" y="{y + 4:.1f}" text-anchor="end">{html.escape(row["label"])}</text>'
            f'<line x1="{x(row["low"]):.1f}" y1="{y:.1f}" x2="{x(row["high"]):.1f}" y2="{y:.1f}" '
            'stroke="#635bff" stroke-width="3"/>'
            f'<circle cx="{x(row["median"]):.1f}" cy="{y:.1f}" r="5" fill="#635bff">'
            f"<title>{html.escape(row['reported'])}</title></circle>"
        )
    parts.append("</svg>")
    return f'<div class="benchmark-chart">{"".join(parts)}</div>'


# Docstrings name other objects with Sphinx roles (:class:`Faults`, :meth:`~.Emulator.submit`), which
# Markdown leaves as text around the code span: keep the code span, with the name as written minus
# the "~" and leading dots that only tell Sphinx how to display it.
_ROLE = re.compile(r":(?:class|func|meth|attr|mod|data|exc|obj):<code>~?\.?([^<]*)</code>")


def on_page_content(html_text: str, **_: Any) -> str:
    return _ROLE.sub(lambda m: f"<code>{m[1]}</code>", html_text)
