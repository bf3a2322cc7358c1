"""Cut the Identity surface out of a Stripe-published OpenAPI file, the way ``tests/data/spec`` was cut.

The rules are the extract's own (its ``x-extract.fidelity``): the operations are copied verbatim,
with every schema they reach through ``$ref``; ``description`` strings become one line (HTML turned
into the Markdown the rest of the spec uses); the objects only ``api_errors`` refers to become
``x-stub`` placeholders. The keys the extract adds (``x-extract``, ``x-events``, ``x-param-index``,
``x-behavior``...) are carried over from the previous extract, with the source, the version and the
list of Identity event types brought up to date.
"""

from __future__ import annotations

import copy
import html
import re
from collections.abc import Iterator
from typing import Any

__all__ = ["extract", "one_line"]

_REF = "#/components/schemas/"
_STUBBING = "api_errors"  # its targets are stubs unless something else reaches them
_FROM_PUBLISHED = ("openapi", "info", "servers", "security")
_LINK = re.compile(r"<a\s+href=\"([^\"]*)\"[^>]*>(.*?)</a>", re.S)
_TAGS = re.compile(r"</?(?:p|br|strong|em|b|i|ul|ol|li|span|div)(?:\s[^>]*)?/?>", re.I)
_EVENTS_PATH = ("/v1/webhook_endpoints", "post")


def one_line(text: str) -> str:
    """A description as the extract keeps it: one line, links and code in Markdown."""
    if re.search(r"</?(?:p|a|code|br)\b", text):
        text = _LINK.sub(lambda m: f"[{m.group(2)}]({m.group(1)})", text)
        text = re.sub(r"</?code>", "`", text)
        text = html.unescape(_TAGS.sub(" ", text))
    return " ".join(text.split())


def _one_line_descriptions(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: one_line(value)
            if key == "description" and isinstance(value, str)
            else _one_line_descriptions(value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_one_line_descriptions(item) for item in node]
    return node


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(_REF):
            yield ref[len(_REF) :]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _reached(paths: dict[str, Any], schemas: dict[str, Any]) -> tuple[set[str], set[str]]:
    """The schemas the operations reach, and those reached only through ``api_errors``."""
    reached: set[str] = set()
    through_errors: set[str] = set()
    queue = list(_refs(paths))
    while queue:
        name = queue.pop()
        if name in reached:
            continue
        if name not in schemas:
            raise KeyError(f"the published file has no schema {name!r}, which the operations use")
        reached.add(name)
        targets = list(_refs(schemas[name]))
        if name == _STUBBING:
            through_errors.update(targets)
        else:
            queue.extend(targets)
    return reached, through_errors - reached


def _stub(name: str, source: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": (
            f"STUB (not part of this extract): referenced only by api_errors; see "
            f"{_REF}{name} in {source}."
        ),
        "x-stub": True,
    }


def _surface(published: dict[str, Any], previous: dict[str, Any], prefix: str | None) -> list[str]:
    """The paths to take: every published one under ``prefix``, else the previous extract's."""
    if prefix is not None:
        return sorted(path for path in published["paths"] if path.startswith(prefix))
    return [path for path in previous["paths"] if path in published["paths"]]


def _event_types(published: dict[str, Any], previous: dict[str, Any]) -> dict[str, Any]:
    events: dict[str, Any] = copy.deepcopy(previous.get("x-events", {}))
    path, method = _EVENTS_PATH
    try:
        body = published["paths"][path][method]["requestBody"]["content"]
        enum = body["application/x-www-form-urlencoded"]["schema"]["properties"]["enabled_events"]
        names = enum["items"]["enum"]
    except (KeyError, TypeError):
        return events  # the published file does not say: keep what the extract said
    events["types"] = sorted(name for name in names if name.startswith("identity."))
    return events


def extract(
    published: dict[str, Any],
    previous: dict[str, Any],
    *,
    source: dict[str, Any],
    prefix: str | None,
) -> dict[str, Any]:
    """A new extract of the surface ``previous`` covers (``prefix``: every path under it), from
    ``published``; ``source`` (repository, path, commit, size) is recorded in ``x-extract``."""
    paths = {path: published["paths"][path] for path in _surface(published, previous, prefix)}
    schemas = published["components"]["schemas"]
    reached, stubbed = _reached(paths, schemas)
    where = f"{source['path']}@{str(source.get('commit') or 'unknown')[:12]}"
    components: dict[str, Any] = {
        "schemas": {
            name: _stub(name, where) if name in stubbed else schemas[name]
            for name in sorted(reached | stubbed)
        }
    }
    for key, value in published["components"].items():
        if key != "schemas" and key in previous.get("components", {}):
            components[key] = value
    fresh: dict[str, Any] = {}
    for key, value in previous.items():
        if key in _FROM_PUBLISHED:
            fresh[key] = published[key]
        elif key == "paths":
            fresh[key] = paths
        elif key == "components":
            fresh[key] = components
        elif key == "x-events":
            fresh[key] = _event_types(published, previous)
        else:
            fresh[key] = copy.deepcopy(value)
    fresh = _one_line_descriptions(fresh)
    info = fresh.setdefault("x-extract", {})
    info["api_version"] = published["info"]["version"]
    info["source"] = {**info.get("source", {}), **source}
    return fresh
