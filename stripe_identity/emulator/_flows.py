"""Verification flows: the emulator's stand-in for the flows an account configures in its Dashboard.

On Stripe a flow (``vf_...``) is saved configuration: a verification type and the options of its
checks, including the ones the API cannot ask for by itself (email and phone one-time codes, and
matching). A session created with ``verification_flow=`` shows ``type: "verification_flow"``, the
flow's id in ``verification_flow``, and the flow's options; its checks follow from them (see
``_checks``). An id the registry does not hold is refused like any unknown object named in params:
400 ``resource_missing`` naming ``verification_flow``.

A registry is a mapping of flow id to flow, in the JSON shape ``stripe-identity emulator
--verification-flows FILE.json`` reads::

    {"vf_signup": {"type": "document",
                   "options": {"document": {"require_matching_selfie": true},
                               "email": {"require_verification": true},
                               "phone": {"require_verification": true},
                               "matching": {"dob": "similar", "name": "similar"}}}}

``type`` is ``document`` or ``id_number``; ``options`` takes the keys of a session's ``options`` in
Stripe's schema (``document`` only with type ``document``; ``id_number`` is ``{}``). Anything else is a
``ValueError`` naming the flow and the key. Without a registry the emulator holds
:data:`DEFAULT_VERIFICATION_FLOWS`.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ._failures import not_found

__all__ = ["DEFAULT_VERIFICATION_FLOWS", "FlowRegistry", "read_flows_file"]

#: The flows every emulator holds unless given others: one whose page plays an email and a phone
#: one-time code after a document and selfie, and an ID number check with a phone code and matching.
DEFAULT_VERIFICATION_FLOWS: Mapping[str, Mapping[str, Any]] = {
    "vf_emulator_document_email_phone": {
        "type": "document",
        "options": {
            "document": {"require_matching_selfie": True},
            "email": {"require_verification": True},
            "phone": {"require_verification": True},
        },
    },
    "vf_emulator_id_number_phone": {
        "type": "id_number",
        "options": {
            "id_number": {},
            "matching": {"dob": "similar", "name": "similar"},
            "phone": {"require_verification": True},
        },
    },
}

_ID = re.compile(r"vf_[A-Za-z0-9_]{1,200}\Z")
_DOCUMENT_TYPES = ("driving_license", "id_card", "passport")
_DOCUMENT_FLAGS = ("require_id_number", "require_live_capture", "require_matching_selfie")
_MATCHING = ("none", "similar")


def _fail(flow_id: str, where: str, problem: str) -> ValueError:
    return ValueError(f"verification flow {flow_id!r}: {where} {problem}")


def _mapping(value: object, flow_id: str, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _fail(flow_id, where, f"must be an object, not {type(value).__name__}")
    for key in value:
        if not isinstance(key, str):
            raise _fail(flow_id, where, f"has a key that is not a string: {key!r}")
    return value


def _only(value: Mapping[str, Any], allowed: tuple[str, ...], flow_id: str, where: str) -> None:
    unknown = sorted(set(value) - set(allowed))
    if unknown:
        raise _fail(flow_id, where, f"has unknown keys {unknown} (allowed: {', '.join(allowed)})")


def _flag(value: object, flow_id: str, where: str) -> bool:
    if not isinstance(value, bool):
        raise _fail(flow_id, where, f"must be true or false, not {value!r}")
    return value


def _document(value: object, flow_id: str) -> dict[str, Any]:
    options = _mapping(value, flow_id, "options.document")
    _only(options, ("allowed_types", *_DOCUMENT_FLAGS), flow_id, "options.document")
    clean: dict[str, Any] = {}
    for name in _DOCUMENT_FLAGS:
        if name in options:
            clean[name] = _flag(options[name], flow_id, f"options.document.{name}")
    if "allowed_types" in options:
        types = options["allowed_types"]
        if not isinstance(types, list) or not types or not set(types) <= set(_DOCUMENT_TYPES):
            raise _fail(
                flow_id,
                "options.document.allowed_types",
                f"must be a non-empty list of {', '.join(_DOCUMENT_TYPES)}, not {types!r}",
            )
        clean["allowed_types"] = list(types)
    return dict(sorted(clean.items()))


def _one_time_code(value: object, flow_id: str, name: str) -> dict[str, Any]:
    where = f"options.{name}"
    options = _mapping(value, flow_id, where)
    _only(options, ("require_verification",), flow_id, where)
    if "require_verification" not in options:
        return {}
    wanted = _flag(options["require_verification"], flow_id, f"{where}.require_verification")
    return {"require_verification": wanted}


def _matching(value: object, flow_id: str) -> dict[str, Any]:
    options = _mapping(value, flow_id, "options.matching")
    _only(options, ("dob", "name"), flow_id, "options.matching")
    for name, policy in options.items():
        if policy not in _MATCHING:
            raise _fail(flow_id, f"options.matching.{name}", f"must be none or similar, not {policy!r}")
    return dict(sorted(options.items()))


def _flow_options(flow_id: object, value: object) -> dict[str, Any]:
    """The options a session created from the flow shows, from the flow as given."""
    if not isinstance(flow_id, str) or not _ID.match(flow_id):
        raise ValueError(f"a verification flow id is vf_ and letters, digits or _, not {flow_id!r}")
    flow = _mapping(value, flow_id, "the flow")
    _only(flow, ("options", "type"), flow_id, "the flow")
    kind = flow.get("type")
    if kind not in ("document", "id_number"):
        raise _fail(flow_id, "type", f"must be document or id_number, not {kind!r}")
    given = _mapping(flow.get("options", {}), flow_id, "options")
    allowed = ("document", "email", "id_number", "matching", "phone")
    _only(given, allowed, flow_id, "options")
    options: dict[str, Any]
    if kind == "document":
        if "id_number" in given:
            raise _fail(
                flow_id,
                "options.id_number",
                "is for type id_number: a document flow "
                "asks for an ID number with options.document.require_id_number",
            )
        options = {"document": _document(given.get("document", {}), flow_id)}
    else:
        if "document" in given:
            raise _fail(flow_id, "options.document", "applies to flows of type document only")
        if _mapping(given.get("id_number", {}), flow_id, "options.id_number"):
            raise _fail(flow_id, "options.id_number", "takes no settings: it is {}")
        options = {"id_number": {}}
    for name in ("email", "phone"):
        if name in given:
            options[name] = _one_time_code(given[name], flow_id, name)
    if "matching" in given:
        options["matching"] = _matching(given["matching"], flow_id)
    return dict(sorted(options.items()))


class FlowRegistry:
    """The flows sessions can be created from, each checked and normalised once."""

    def __init__(self, flows: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        given = DEFAULT_VERIFICATION_FLOWS if flows is None else flows
        if not isinstance(given, Mapping):
            raise TypeError(
                f"verification_flows must be a mapping of flow id to flow, not {type(given).__name__}"
            )
        self._options = {flow_id: _flow_options(flow_id, flow) for flow_id, flow in given.items()}

    def __contains__(self, flow_id: object) -> bool:
        return flow_id in self._options

    def ids(self) -> list[str]:
        return sorted(self._options)

    def options(self, flow_id: str) -> dict[str, Any]:
        """The options a session created from the flow shows (a fresh copy), or 400
        ``resource_missing`` naming ``verification_flow``."""
        options = self._options.get(flow_id)
        if options is None:
            raise not_found("verification_flow", flow_id, "verification_flow", status=400)
        return copy.deepcopy(options)


def read_flows_file(path: str | Path) -> dict[str, Any]:
    """A registry from a JSON file (an object of flow id to flow), checked: ``ValueError`` says what
    is wrong with it, ``OSError`` that it cannot be read."""
    text = Path(path).read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path} must hold a JSON object of flow id to flow")
    FlowRegistry(data)  # refuse a bad file here, with its name, not when the emulator starts
    return data
