"""Report import cycles inside ``stripe_identity``, counting every import statement.

Module-level, function-level and ``if TYPE_CHECKING:`` imports all count: a cycle hidden in a function
or behind ``TYPE_CHECKING`` is still two modules that cannot be understood, or changed, one without
the other. Only explicit imports make edges; the implicit import of a parent package does not (every
module would otherwise be in a cycle with the package's own ``__init__``).

    python scripts/check_imports.py     # prints each cycle; exit 1 if there is any
"""

from __future__ import annotations

import ast
import pathlib
import sys
from collections.abc import Iterator

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = "stripe_identity"


def module_files() -> dict[str, pathlib.Path]:
    """Dotted module name -> file, for every module of the package (packages as their __init__)."""
    files = {}
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        files[".".join(parts)] = path
    return files


def _absolute(module: str | None, level: int, current: str, is_package: bool) -> str:
    if level == 0:
        return module or ""
    base = current.split(".")
    # A module's relative imports start from its package; a package's from itself.
    base = base if is_package else base[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, module] if module else base)


def imports_of(name: str, path: pathlib.Path, modules: set[str]) -> Iterator[tuple[str, int]]:
    """The package's modules that ``name`` imports, with the line of each import."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in modules:
                    yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            target = _absolute(node.module, node.level, name, is_package)
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                if submodule in modules:  # `from . import webhooks`
                    yield submodule, node.lineno
                elif target in modules:
                    yield target, node.lineno


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module, or a module importing itself
    (Tarjan's algorithm, iterative so deep packages do not hit the recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph[node]:
                    found.append(sorted(component))
    return found


def main() -> int:
    files = module_files()
    graph: dict[str, set[str]] = {name: set() for name in files}
    where: dict[tuple[str, str], int] = {}
    for name, path in files.items():
        for target, line in imports_of(name, path, set(files)):
            if target != name:
                graph[name].add(target)
                where.setdefault((name, target), line)
    found = cycles(graph)
    for component in found:
        members = set(component)
        print(f"import cycle of {len(component)} modules:")
        for name in component:
            for target in sorted(graph[name] & members):
                print(f"  {name} -> {target}  ({files[name].relative_to(ROOT)}:{where[name, target]})")
    if not found:
        print(f"no import cycle among {len(files)} modules")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
