"""The README is the front page: short, its two set-up commands intact (CI runs the second word for
word), and every feature it lists linked to the site page that documents it. Its Python blocks run
with the site's (tests/docs/test_examples.py)."""

from __future__ import annotations

import re

from tests.docs.blocks import ROOT

README = ROOT / "README.md"
TEXT = README.read_text(encoding="utf-8")

SETUP = (
    "python3 -m venv .venv && . .venv/bin/activate && python -m pip install . && stripe-identity demo"
)
CI = "python3 -m venv .venv && . .venv/bin/activate && python -m pip install nox && python -m nox"


def _console_commands() -> list[list[str]]:
    return [
        [line for line in block.splitlines() if line.strip()]
        for block in re.findall(r"```console\n(.*?)```", TEXT, flags=re.S)
    ]


def test_the_readme_is_a_front_page() -> None:
    assert len(TEXT.splitlines()) < 250


def test_the_two_commands_are_the_first_console_blocks() -> None:
    commands = _console_commands()
    assert commands[0] == [SETUP]
    assert commands[1] == [CI]


def test_ci_runs_the_readmes_test_command_word_for_word() -> None:
    assert _console_commands()[1] == [CI]
    assert CI in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()


def test_the_readme_links_to_pages_that_exist() -> None:
    """Links into docs/ name a page of the site (the site's own build checks the site's links)."""
    links = re.findall(r"\]\((docs/[^)#\s]+)(?:#[^)]*)?\)", TEXT)
    assert len(links) >= 15, links
    missing = [link for link in links if not (ROOT / link).is_file()]
    assert missing == []
