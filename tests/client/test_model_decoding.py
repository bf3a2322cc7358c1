"""The compiled decoders against the strict cattrs oracle, and models built as they are read:
checked whole on arrival, each nested field taken from the JSON on first read."""

from __future__ import annotations

import copy
import pickle
import sys
import threading
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from hypothesis import given, strategies as st

import stripe_identity as si
from stripe_identity._decoding import structure
from stripe_identity._models._base import APIResource
from tests.client.model_data import FULL_REPORT, FULL_SESSION
from tests.strict_converter import make_strict_converter

strict = make_strict_converter()


# --- the compiled production hooks against the cattrs-generated strict ones ---------------------------

strings = st.text(max_size=6)
maybe = st.none() | strings


@st.composite
def sessions(draw: st.DrawFn) -> dict[str, Any]:
    """Spec-shaped sessions with any subset of the optional fields, nested objects included."""
    data = copy.deepcopy(FULL_SESSION)
    for name in list(data):
        if name not in ("id", "object", "created", "livemode", "metadata", "status", "type"):
            choice = draw(st.sampled_from(["keep", "drop", "null"]))
            if choice == "drop":
                del data[name]
            elif choice == "null" and name not in ("related_person", "verification_flow"):
                data[name] = None
    data["client_reference_id"] = draw(maybe) if "client_reference_id" in data else None
    data["metadata"] = draw(st.dictionaries(strings, strings, max_size=3))
    data["created"] = draw(st.integers(0, 2**40))
    data["livemode"] = draw(st.booleans())
    if draw(st.booleans()):
        data["last_verification_report"] = copy.deepcopy(FULL_REPORT)
    return data


@given(sessions())
def test_compiled_hooks_build_what_the_cattrs_hooks_build(data: dict[str, Any]) -> None:
    fast = structure(data, si.VerificationSession)
    reference = strict.structure(data, si.VerificationSession)
    assert fast == reference
    assert fast.to_dict() == reference.to_dict() == data


# --- built as read: checked whole on arrival, each field taken from the JSON on first read ---------


def test_a_model_is_checked_whole_but_built_as_it_is_read() -> None:
    session = structure(copy.deepcopy(FULL_SESSION), si.VerificationSession)
    nested = {"last_error", "last_verification_report", "options", "provided_details"}
    nested |= {"redaction", "related_person", "verified_outputs"}
    # Scalars are stored on arrival; no nested object is built yet.
    assert not nested & set(vars(session))
    assert vars(session)["status"] == "requires_input"
    options = session.options
    assert options is not None
    # The first read of a nested field builds this object's nested fields (as shells: theirs wait).
    assert nested <= set(vars(session))
    outputs = session.verified_outputs
    assert outputs is not None
    assert "address" not in vars(outputs)
    assert outputs.address is not None
    assert outputs.address.city == "SF"
    assert session.options is options  # built once, then kept
    assert options.document is not None
    assert options.document.allowed_types == ["driving_license", "passport"]
    # The model's list is its own, as cattrs builds it: changing it leaves the JSON alone.
    assert options.document.allowed_types is not FULL_SESSION["options"]["document"]["allowed_types"]
    assert session == strict.structure(FULL_SESSION, si.VerificationSession)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("options", "document", "allowed_types"), [1]),
        (("options", "document", "allowed_types"), "passport"),
        (("options", "document", "require_live_capture"), "yes"),
        (("options", "matching"), []),
        (("verified_outputs", "address", "city"), 94111),
        (("verified_outputs", "dob", "year"), "1990"),
        (("last_error", "code"), {"code": "x"}),
        (("metadata", "user"), 42),
    ],
)
def test_a_bad_value_deep_in_a_field_nobody_reads_still_fails_on_arrival(
    path: tuple[str, ...], value: Any
) -> None:
    data = copy.deepcopy(FULL_SESSION)
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    with pytest.raises(TypeError, match="(?i)" + "|".join(path)):  # names where it is
        structure(data, si.VerificationSession)


def test_threads_reading_a_new_nested_field_at_once_all_get_the_same_object() -> None:
    # The sync facade hands models to threads. Switching threads every microsecond makes two of
    # them build one model's nested fields at the same moment for about 1 % of models: whichever
    # stored first must be what every reader gets, not a second copy one of them holds alone.
    sessions = [structure(copy.deepcopy(FULL_SESSION), si.VerificationSession) for _ in range(5000)]
    readers = 4
    got: list[list[Any]] = [[] for _ in range(readers)]
    start = threading.Barrier(readers)

    def read(mine: list[Any]) -> None:
        start.wait()
        mine.extend(session.options for session in sessions)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=read, args=(mine,)) for mine in got]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    for index, session in enumerate(sessions):
        assert all(mine[index] is session.options for mine in got), index


def test_lazy_and_built_models_copy_pickle_and_evolve_alike() -> None:
    reference = strict.structure(FULL_SESSION, si.VerificationSession)
    makers: list[Callable[[Any], Any]] = [
        lambda s: s,
        copy.copy,
        copy.deepcopy,
        lambda s: pickle.loads(pickle.dumps(s)),
    ]
    for make in makers:
        lazy = make(structure(copy.deepcopy(FULL_SESSION), si.VerificationSession))
        assert lazy == reference
        assert repr(lazy) == repr(reference)
        assert lazy.to_dict() == FULL_SESSION
    lazy = structure(copy.deepcopy(FULL_SESSION), si.VerificationSession)
    evolved = attrs.evolve(lazy, status="verified")
    assert evolved.status == "verified"
    assert evolved.options == reference.options
    assert lazy.status == "requires_input"


def test_a_model_built_by_its_constructor_needs_no_json() -> None:
    report = si.VerificationReport(
        id="vr_1", object="identity.verification_report", created=1, livemode=False, type="document"
    )
    assert report.document is None
    assert report.extra_fields == {}


@attrs.frozen(kw_only=True, slots=False, eq=False, repr=False)
class _Inner(si.StripeObject):
    name: str


@attrs.frozen(kw_only=True, slots=False, eq=False, repr=False)
class _Outer(APIResource):
    id: str
    inner: _Inner | None = None


def test_a_decoders_functions_are_compiled_when_first_needed() -> None:
    from stripe_identity._decoding._engine import decoder

    def compiled(cls: type) -> set[str]:
        return set(decoder(cls)._model.namespace) & {"check", "shell", "structure", "fill"}  # type: ignore[union-attr]

    with pytest.raises(TypeError, match="name"):  # a nested object is still checked on arrival
        structure({"id": "vs_1", "inner": {"name": 1}}, _Outer)
    outer = structure({"id": "vs_1", "inner": {"name": "n"}}, _Outer)
    assert compiled(_Outer) == {"structure"}
    assert compiled(_Inner) == {"check"}
    assert outer.inner is not None and outer.inner.name == "n"
    assert compiled(_Outer) == {"structure", "fill"}
    assert compiled(_Inner) == {"check", "shell"}
