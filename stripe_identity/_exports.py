"""Where each public name of the package lives, read from the package's own ``__init__``.

``stripe_identity/__init__.py`` writes each public name once, as an ``import ... as ...`` under
``if TYPE_CHECKING:``: type checkers read those imports, and nothing runs them. At run time a name
is imported on first use (PEP 562), from the module that import names, so ``import stripe_identity``
costs next to nothing for code that needs one corner of the package. This module reads that block
once (with ``ast``) to know where each name lives; ``__all__`` is the sorted list of the names.
"""

from __future__ import annotations

import ast
import functools
import importlib
import pathlib
from typing import Any

__all__ = ["load", "origins"]

_INIT = pathlib.Path(__file__).with_name("__init__.py")


@functools.cache
def origins() -> dict[str, str]:
    """Public name -> the relative module it comes from (the module itself for a submodule)."""
    found: dict[str, str] = {}
    for node in ast.parse(_INIT.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            for statement in node.body:
                if isinstance(statement, ast.ImportFrom):
                    source = "." * statement.level + (statement.module or "")
                    for alias in statement.names:
                        name = alias.asname or alias.name
                        found[name] = f".{name}" if statement.module is None else source
    return found


def load(namespace: dict[str, Any], name: str) -> Any:
    """The public ``name``, imported and then kept in ``namespace`` so later lookups skip this."""
    if name == "__all__":
        value: Any = sorted(origins())
    else:
        origin = origins().get(name)
        if origin is None:
            raise AttributeError(f"module 'stripe_identity' has no attribute {name!r}")
        module = importlib.import_module(origin, "stripe_identity")
        value = module if origin == f".{name}" else getattr(module, name)
    namespace[name] = value
    return value
