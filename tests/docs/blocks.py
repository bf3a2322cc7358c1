"""The code blocks of the README and the documentation site, and the conventions they follow.

Every ```python block of README.md, of docs/**/*.md and of the files the site includes whole
(``--8<-- "FILE"``) is a test: tests/docs/test_examples.py runs each one against the emulator and
type-checks them all with ``mypy --strict``. For whoever writes one:

* A ```python block is a complete program. It imports everything it uses and defines everything it
  uses: stand-ins for "your code" are small functions in the block (``async def
  mark_user_verified(user_id: str | None) -> None: ...  # your code``).
* It runs against the emulator through the environment, the swap the getting-started page states:
  the test starts an ``Emulator()`` and runs the block with ``STRIPE_API_BASE`` set to it and
  ``STRIPE_API_KEY=sk_test_readme``. So a block names no URL (a block that starts an emulator of its
  own passes ``api_base=emu.api_base``); a key in it must be a test key (``"sk_test_..."`` is one).
* Each block runs in a fresh ``python`` process, in a directory of its own, as a module named
  ``readme_example``: what would run forever (``web.run_app(app)``) goes under
  ``if __name__ == "__main__":``.
* ```python title="NAME.py" makes the block a file of its page (its title is shown on the site):
  it is written as NAME.py beside every later block of the same page, which import it. A file whose
  name starts with ``test_`` runs with pytest (below); any other is a module and does not run on its
  own: a later block of its page must import it, or name it to importlib (a recipe's app, and the
  test that drives it with its framework's test client). Titles are unique across the site.
* ``<!-- docs: pytest ARGS -->`` on the line before a block makes it a test file: it runs as
  ``python -m pytest ARGS`` with our plugin and anyio's loaded (``-p pytest_asyncio.plugin`` in ARGS
  adds pytest-asyncio) and must pass.
* ``<!-- docs: not run (REASON) -->`` on the line before a block skips running it. REASON must
  appear, word for word, in the one sentence of the block's page that says which of its examples are
  not run (a page where every block runs needs no such sentence).
* A block that reads ``REDIS_URL`` (or imports a file of its page that does) runs with it set to a
  ``redis-server`` the test starts, emptied first (``tests/redis_server.py``: its ``redis_url``
  fixture), and must send that server a command. Without redis-server or redis-py the block skips
  and says why, or fails under STRIPE_IDENTITY_REQUIRE_REDIS=1, as in CI. Such a block falls back
  to a local Redis (``os.environ.get("REDIS_URL", "redis://localhost:6379/0")``) so that it runs as
  written too. No other block sees a ``REDIS_URL``.
* ``readme:`` is the same as ``docs:`` in those comments (the README's older spelling).
* Every block, run or not, passes ``mypy --strict`` with the project's configuration (one mypy run).
* A block that imports a package that is not installed is skipped: the dev extra installs them all.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import shlex
import textwrap
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import stripe_identity

ROOT = Path(stripe_identity.__file__).resolve().parent.parent

_DIRECTIVE = re.compile(r"^<!--\s*(?:docs|readme):\s*(?P<body>.*?)\s*-->$")
_NOT_RUN = re.compile(r"^not run \((?P<reason>.+)\)$")
_TITLE = re.compile(r'\btitle="(?P<title>[^"]*)"')
_MODULE_NAME = re.compile(r"^[a-z_][a-z0-9_]*\.py$")
# pymdownx.snippets: a line that includes a whole file in the page.
_SNIPPET = re.compile(r'^--8<--\s+"(?P<path>[^"]+)"\s*$')


@dataclass(frozen=True)
class Block:
    page: str  # the Markdown file, relative to the repository: "README.md", "docs/guide/webhooks.md"
    number: int  # 1 for the first python block of its page
    line: int  # where its code starts in the page
    code: str
    directive: str | None  # what the <!-- docs: ... --> comment before it says
    title: str | None = None  # title="NAME.py" on its fence

    @property
    def name(self) -> str:
        """A name for test ids and file names: the page's stem, the block's number and line."""
        stem = re.sub(r"[^a-z0-9]+", "_", self.page.removesuffix(".md").lower()).strip("_")
        return f"{stem}-block{self.number:02d}-line{self.line}"

    @property
    def filename(self) -> str:
        """The file the block is written to: its title, or a unique name."""
        return self.title or f"{self.name.replace('-', '_')}.py"

    @property
    def module(self) -> str | None:
        """The module name a later block imports, for a titled block that is not a test."""
        if self.title is None or self.title.startswith("test_"):
            return None
        return self.title.removesuffix(".py")

    @property
    def not_run_reason(self) -> str | None:
        match = _NOT_RUN.match(self.directive or "")
        return match["reason"] if match else None

    @property
    def reads_redis_url(self) -> bool:
        """Whether the block needs a Redis: it names the ``REDIS_URL`` variable."""
        return "REDIS_URL" in self.code

    @property
    def pytest_args(self) -> list[str] | None:
        if self.directive is not None and self.directive.startswith("pytest"):
            return shlex.split(self.directive)[1:]
        if self.title is not None and self.title.startswith("test_"):
            return []
        return None

    def imports(self) -> set[str]:
        """The top-level names the block imports."""
        names: set[str] = set()
        for node in ast.walk(ast.parse(self.code)):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
        return names

    def missing_imports(self, local: Collection[str] = ()) -> list[str]:
        """Top-level packages the block imports that are not installed (``local``: its page's files)."""
        return sorted(
            name for name in self.imports() - set(local) if importlib.util.find_spec(name) is None
        )

    def missing_modules(self, local: Collection[str] = ()) -> list[str]:
        """What running the block needs and is not installed: its imports, its ``-p`` plugins."""
        args = self.pytest_args or []
        plugins = {args[i + 1].split(".")[0] for i, arg in enumerate(args[:-1]) if arg == "-p"}
        missing = {name for name in plugins if importlib.util.find_spec(name) is None}
        return sorted(missing.union(self.missing_imports(local)))


def parse(text: str, page: str = "README.md") -> tuple[list[Block], list[str]]:
    """The python blocks of a Markdown text, and problems with its directives and titles."""
    blocks: list[Block] = []
    problems: list[str] = []
    lines = text.splitlines()
    fence: str | None = None  # the info string of the fence we are in
    indent = ""  # the fence's indentation (a block inside a list or a tab)
    start = 0
    previous = ""  # the last non-blank line outside code
    for index, line in enumerate(lines):
        stripped = line.strip()
        if fence is None:
            if stripped.startswith("```"):
                fence, start = stripped[3:].strip(), index + 1
                indent = line[: len(line) - len(line.lstrip())]
                if not _is_python(fence) and _DIRECTIVE.match(previous):
                    problems.append(
                        f"{page} line {index}: a docs: directive before a {fence or 'plain'} block"
                    )
            elif stripped:
                previous = stripped
            continue
        if stripped == "```":
            if _is_python(fence):
                match = _DIRECTIVE.match(previous)
                directive = match["body"] if match else None
                if directive is not None and not (
                    _NOT_RUN.match(directive) or directive.startswith("pytest")
                ):
                    problems.append(f"{page} line {start}: unknown directive {directive!r}")
                title_match = _TITLE.search(fence)
                title = title_match["title"] if title_match else None
                if title is not None and not _MODULE_NAME.match(title):
                    problems.append(f"{page} line {start}: title {title!r} is not a module file name")
                body = "\n".join(lines[start:index]) + "\n"
                code = textwrap.dedent(body) if indent else body
                blocks.append(Block(page, len(blocks) + 1, start + 1, code, directive, title))
            fence, previous = None, ""
    if fence is not None:
        problems.append(f"{page} line {start}: a code block that never ends")
    problems.extend(_file_problems(blocks))
    return blocks, problems


def _is_python(fence: str) -> bool:
    return fence.split(" ", 1)[0] == "python"


def _file_problems(blocks: list[Block]) -> list[str]:
    problems = []
    for index, block in enumerate(blocks):
        if block.module is None:
            continue
        later = blocks[index + 1 :]
        # Imported, or named to importlib (a test that controls when a module is first imported).
        if not any(block.module in b.imports() or f'"{block.module}"' in b.code for b in later):
            problems.append(
                f"{block.page} line {block.line}: {block.title} is imported by no later block"
            )
    return problems


def not_run_sentences(text: str) -> list[str]:
    """Sentences of the prose (not code, not comments) that talk about examples not being run."""
    prose = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    prose = re.sub(r"<!--.*?-->", "", prose, flags=re.DOTALL)
    paragraphs = [" ".join(p.split()) for p in prose.split("\n\n")]
    sentences = [s for p in paragraphs for s in re.split(r"(?<=[.!?])\s+(?=[A-Z`])", p)]
    return [s for s in sentences if "not run" in s]


def convention_problems(text: str, page: str = "README.md") -> list[str]:
    """What is wrong with one page's blocks: directives, titles, and the sentence about examples
    that are not run (a page with such an example has exactly one, naming each reason)."""
    blocks, problems = parse(text, page)
    reasons = [b.not_run_reason for b in blocks if b.not_run_reason is not None]
    if not reasons:
        return problems
    sentences = not_run_sentences(text)
    if len(sentences) != 1:
        problems.append(f"{len(sentences)} sentences say which examples are not run; one should")
        return problems
    for block in blocks:
        reason = block.not_run_reason
        if reason is not None and reason not in " ".join(sentences[0].split()):
            problems.append(f"{block.name} is not run ({reason}) but the sentence does not say so")
    return problems


def pages(root: Path = ROOT) -> list[Path]:
    """Every Markdown file whose blocks are tests: the README, the site's pages, and the files the
    site's pages include whole."""
    found = [root / "README.md", *sorted((root / "docs").rglob("*.md"))]
    for page in list(found):
        for line in page.read_text(encoding="utf-8").splitlines():
            match = _SNIPPET.match(line.strip())
            if match and match["path"].endswith(".md"):
                included = root / match["path"]
                if included not in found:
                    found.append(included)
    return [page for page in found if page.exists()]


def site_blocks(root: Path = ROOT) -> tuple[list[Block], list[str]]:
    """The blocks of every page, and every page's problems (titles must be unique site-wide)."""
    blocks: list[Block] = []
    problems: list[str] = []
    for path in pages(root):
        page = path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8")
        page_blocks, _ = parse(text, page)
        blocks.extend(page_blocks)
        problems.extend(convention_problems(text, page))
    titles = [b.title for b in blocks if b.title is not None]
    problems.extend(
        f"title {t!r} is used twice" for t in sorted({t for t in titles if titles.count(t) > 1})
    )
    return blocks, problems


def page_files(blocks: list[Block], block: Block) -> list[Block]:
    """The titled modules of ``block``'s page that come before it: what it may import."""
    return [
        other
        for other in blocks
        if other.page == block.page and other.module is not None and other.number < block.number
    ]
