"""docs/bulk-jobs.md's tables say what the code does: the CSV columns and the exit statuses. (Its
code blocks run with every other page's, in tests/docs/test_examples.py.)"""

from __future__ import annotations

import re

from stripe_identity._cli._status import EXIT_STATUSES
from stripe_identity._jobs.columns import COLUMNS
from tests.docs.blocks import ROOT

TEXT = (ROOT / "docs" / "bulk-jobs.md").read_text(encoding="utf-8")

_GROUPS = {
    "session": "always",
    "report": "`expand_report`",
    "outputs": "`verified_outputs` or `sensitive`",
    "sensitive": "`sensitive`",
    "sensitive_report": "`sensitive` and `expand_report`",
}


def test_the_csv_column_table_is_the_codes() -> None:
    rows = re.findall(r"^\| `(\w+)` \| (.+?) \| (.+?) \|$", TEXT, flags=re.M)
    assert rows == [(c.name, _GROUPS[c.group], c.description) for c in COLUMNS]


def test_the_exit_statuses_are_the_commands() -> None:
    documented = {int(code) for code in re.findall(r"^\| (\d+) \| ", TEXT, flags=re.M)}
    assert documented == {0, 1, 2, 3, 130}
    assert documented <= set(EXIT_STATUSES)
