"""Lazy packages: each name written once, as an import type checkers read, and imported on first use.

A lazy package's ``__init__.py`` writes each of its names as ``from .x import Name as Name`` under
``if TYPE_CHECKING:``: type checkers read those imports, and nothing runs them. At run time a name
is imported on first use (PEP 562) from the module its import names, by :func:`load`, so importing
the package costs next to nothing and code that needs one corner of it (one model, one service)
does not pay for all of it. This module reads that block once per package (with ``ast``) to know
where each name lives; ``__all__`` is the sorted list of the names.

``stripe_identity`` itself (its public names) and its internal packages of many modules (``_models``,
``_params``, ``_resources``, ``_sync`` and its ``_resources``) are lazy packages. Each has::

    if TYPE_CHECKING:
        from ._a import A as A
    else:
        def __getattr__(name):
            return load(globals(), name)

(``else``, so that type checkers see only the real names, and still refuse any other.)
"""

from __future__ import annotations

import ast
import functools
import importlib
from typing import Any

__all__ = ["listing", "load", "origins"]


@functools.cache
def origins(init: str) -> dict[str, str]:
    """Name -> the relative module it comes from (the module itself for a submodule), as the
    ``TYPE_CHECKING`` block of the package ``__init__.py`` at path ``init`` imports them."""
    with open(init, encoding="utf-8") as source:
        tree = ast.parse(source.read())
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            for statement in node.body:
                if isinstance(statement, ast.ImportFrom):
                    module = "." * statement.level + (statement.module or "")
                    for alias in statement.names:
                        name = alias.asname or alias.name
                        found[name] = f".{name}" if statement.module is None else module
    return found


def load(namespace: dict[str, Any], name: str) -> Any:
    """The package's ``name``, imported, then kept in ``namespace`` so later lookups skip this.

    ``namespace`` is the package's ``globals()``.
    """
    package: str = namespace["__name__"]
    names = origins(namespace["__file__"])
    if name == "__all__":
        value: Any = sorted(names)
    else:
        origin = names.get(name)
        if origin is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module = importlib.import_module(origin, package)
        value = module if origin == f".{name}" else getattr(module, name)
    namespace[name] = value
    return value


def listing(namespace: dict[str, Any]) -> list[str]:
    """The package's ``dir()``: what it holds already and what it can load."""
    return sorted(set(namespace) | set(origins(namespace["__file__"])))
