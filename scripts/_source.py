"""Reading the async source for scripts/generate_sync.py: each module's names and where they come
from, and functions' signatures and docstrings exactly as written."""

from __future__ import annotations

import ast
import contextlib
import pathlib
from collections.abc import Iterable

__all__ = ["Function", "Module", "docstring", "names_in", "signature", "signature_names"]

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "stripe_identity"

Function = ast.FunctionDef | ast.AsyncFunctionDef


class Module:
    """One async source file: its text, its tree, and where each name it uses comes from."""

    def __init__(self, path: pathlib.Path) -> None:
        self.path = path
        self.dotted = ".".join(("stripe_identity", *path.relative_to(PACKAGE).with_suffix("").parts))
        self.source = path.read_text()
        self.tree = ast.parse(self.source)
        self.origins: dict[str, str] = {}
        #: Names the module imports only under ``if TYPE_CHECKING:`` (for annotations).
        self.typing_only: set[str] = set()
        package = self.dotted.rpartition(".")[0]
        for node in self.tree.body:
            if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
                for inner in node.body:
                    if isinstance(inner, ast.ImportFrom):
                        base = _absolute(inner.module or "", inner.level, package)
                        for alias in inner.names:
                            name = alias.asname or alias.name
                            self.origins[name] = f"from {base} import {alias.name}"
                            self.typing_only.add(name)
            elif isinstance(node, ast.ImportFrom) and node.module != "__future__":
                base = _absolute(node.module or "", node.level, package)
                for alias in node.names:
                    name = alias.asname or alias.name
                    self.origins[name] = f"from {base} import {alias.name}" + (
                        f" as {alias.asname}" if alias.asname else ""
                    )
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    self.origins[alias.asname or alias.name] = f"import {alias.name}"
            elif isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.Assign)):
                for defined in _defined_names(node):
                    self.origins[defined] = f"from {self.dotted} import {defined}"

    def classes(self) -> list[ast.ClassDef]:
        return [node for node in self.tree.body if isinstance(node, ast.ClassDef)]

    def cls(self, name: str) -> ast.ClassDef:
        for node in self.classes():
            if node.name == name:
                return node
        raise LookupError(f"{name} not found in {self.path.name}")

    def segment(self, node: ast.AST) -> str:
        text = ast.get_source_segment(self.source, node)
        assert text is not None
        return text


def _absolute(module: str, level: int, package: str) -> str:
    if level == 0:
        return module
    parts = package.split(".")
    base = parts[: len(parts) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def _defined_names(node: ast.stmt) -> list[str]:
    if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
        return [node.name]
    if isinstance(node, ast.Assign):
        return [t.id for t in node.targets if isinstance(t, ast.Name)]
    return []


def names_in(nodes: Iterable[ast.AST | None]) -> set[str]:
    names: set[str] = set()
    for node in nodes:
        if node is None:
            continue
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name):
                names.add(sub.id)
            elif isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name):
                names.add(sub.value.id)
            elif isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                # String annotations: collect the names they mention too.
                with contextlib.suppress(SyntaxError):
                    names |= names_in([ast.parse(sub.value, mode="eval")])
    return names


def signature_names(func: Function) -> set[str]:
    args = func.args
    return names_in(
        [a.annotation for a in args.posonlyargs + args.args + args.kwonlyargs]
        + list(args.defaults)
        + [d for d in args.kw_defaults if d is not None]
        + [func.returns]
    )


def signature(module: Module, func: Function, returns: str | None = None) -> str:
    """The parameter list and return annotation, exactly as written in the async source."""
    args = func.args
    parts: list[str] = []
    positional = args.posonlyargs + args.args
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
    defaults += list(args.defaults)
    for index, (arg, default) in enumerate(zip(positional, defaults, strict=True)):
        parts.append(_param(module, arg, default))
        if args.posonlyargs and index == len(args.posonlyargs) - 1:
            parts.append("/")
    if args.vararg is not None:
        parts.append("*" + _param(module, args.vararg, None))
    elif args.kwonlyargs:
        parts.append("*")
    for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        parts.append(_param(module, arg, kw_default))
    if args.kwarg is not None:
        parts.append("**" + _param(module, args.kwarg, None))
    if returns is None and func.returns is not None:
        returns = module.segment(func.returns)
    arrow = f" -> {returns}" if returns else ""
    return f"({', '.join(parts)}){arrow}"


def _param(module: Module, arg: ast.arg, default: ast.expr | None) -> str:
    text = arg.arg
    if arg.annotation is not None:
        text += f": {module.segment(arg.annotation)}"
        if default is not None:
            text += f" = {module.segment(default)}"
    elif default is not None:
        text += f"={module.segment(default)}"
    return text


def docstring(module: Module, node: Function | ast.ClassDef) -> str:
    first = node.body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
        return module.segment(first)
    return ""
