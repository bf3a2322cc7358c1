from __future__ import annotations

import copy
import pickle
import sys
import threading
from collections.abc import Callable
from typing import Any

import attrs
import cattrs
import pytest
from hypothesis import given, strategies as st

import stripe_identity as si
from stripe_identity._decoding import structure
from stripe_identity._models._base import APIResource
from tests.fake_api import REPORT, SESSION
from tests.strict_converter import make_strict_converter

strict = make_strict_converter()

FULL_SESSION: dict[str, Any] = {
    **SESSION,
    "client_reference_id": "user_42",
    "client_secret": "vs_1_secret_test_abc",
    "url": "https://verify.stripe.com/start/test_abc",
    "status": "requires_input",
    "metadata": {"user": "42"},
    "last_error": {"code": "document_expired", "reason": "The document is expired."},
    "options": {
        "document": {
            "allowed_types": ["driving_license", "passport"],
            "require_id_number": False,
            "require_live_capture": True,
            "require_matching_selfie": True,
        },
        "email": {"require_verification": True},
        "id_number": {},
        "matching": {"dob": "similar", "name": "none"},
        "phone": {"require_verification": False},
    },
    "provided_details": {"email": "jenny@example.com", "phone": "+15555550100"},
    "related_person": {"account": "acct_1", "person": "person_1"},
    "verification_flow": "vf_1",
    "verified_outputs": {
        "address": {
            "city": "SF",
            "country": "US",
            "line1": "1 Main",
            "line2": None,
            "postal_code": "94111",
            "state": "CA",
        },
        "dob": {"day": 1, "month": 2, "year": 1990},
        "email": "jenny@example.com",
        "first_name": "Jenny",
        "id_number": "000000000",
        "id_number_type": "us_ssn",
        "last_name": "Rosen",
        "phone": "+15555550100",
        "sex": "female",
        "unparsed_place_of_birth": "SF",
        "unparsed_sex": "F",
    },
}

FULL_REPORT: dict[str, Any] = {
    **REPORT,
    "email": {"email": "j@example.com", "error": None, "status": "verified"},
    "id_number": {
        "dob": {"day": 1, "month": 1, "year": 1990},
        "error": {"code": "id_number_mismatch", "reason": "mismatch"},
        "first_name": "J",
        "id_number": "1",
        "id_number_type": "br_cpf",
        "last_name": "R",
        "status": "unverified",
    },
    "phone": {
        "error": {"code": "phone_verification_declined", "reason": "no"},
        "phone": "+1",
        "status": "unverified",
    },
    "selfie": {"document": "file_1", "error": None, "selfie": "file_2", "status": "verified"},
    "verification_flow": "vf_1",
}


def test_strict_converter_covers_every_field_of_the_spec_fixtures() -> None:
    # The strict converter refuses unknown keys and unknown enum values anywhere in the tree.
    session = strict.structure(SESSION, si.VerificationSession)
    report = strict.structure(REPORT, si.VerificationReport)
    assert session.id == SESSION["id"]
    assert report.document is not None
    assert report.document.first_name == "Jenny"
    assert session.extra_fields == {}
    assert report.extra_fields == {}


def test_strict_converter_covers_fully_populated_objects() -> None:
    session = strict.structure(FULL_SESSION, si.VerificationSession)
    assert session.verified_outputs is not None
    assert session.verified_outputs.dob == si.CalendarDate(day=1, month=2, year=1990)
    assert session.options is not None
    assert session.options.matching is not None
    assert session.options.matching.dob == "similar"
    report = strict.structure(FULL_REPORT, si.VerificationReport)
    assert report.id_number is not None
    assert report.id_number.error is not None
    assert report.id_number.error.code == "id_number_mismatch"


def strict_errors(data: dict[str, Any], cls: type) -> list[str]:
    try:
        strict.structure(data, cls)
    except cattrs.ClassValidationError as exc:
        return cattrs.transform_error(exc)
    return []


def test_strict_converter_would_catch_an_unmodelled_field() -> None:
    assert "new_field" in str(strict_errors({**SESSION, "new_field": 1}, si.VerificationSession))
    nested = copy.deepcopy(SESSION)
    nested["redaction"]["new_nested"] = True
    assert "new_nested" in str(strict_errors(nested, si.VerificationSession))
    assert "$.status" in str(strict_errors({**SESSION, "status": "brand_new"}, si.VerificationSession))


def test_unknown_fields_are_kept_and_reachable() -> None:
    data = copy.deepcopy(FULL_SESSION)
    data["shiny_new_field"] = {"x": 1}
    data["verified_outputs"]["nationality"] = "US"
    session = structure(data, si.VerificationSession)
    assert session.extra_fields == {"shiny_new_field": {"x": 1}}
    assert session.verified_outputs is not None
    assert session.verified_outputs.extra_fields == {"nationality": "US"}
    assert session.to_dict()["shiny_new_field"] == {"x": 1}


def test_in_finds_fields_and_unknown_fields_like_stripe_python() -> None:
    data = {**copy.deepcopy(FULL_SESSION), "shiny_new_field": 1}
    session = structure(data, si.VerificationSession)
    assert "status" in session
    assert "shiny_new_field" in session
    assert "no_such_field" not in session
    assert "_json" not in session  # private attributes are not fields
    assert 0 not in session
    assert session.last_error is not None
    assert "code" in session.last_error


def test_a_model_is_not_accidentally_iterable() -> None:
    # Type checkers refuse these calls too (hence the ignores): a model is a record, not a mapping.
    session = structure(copy.deepcopy(FULL_SESSION), si.VerificationSession)
    with pytest.raises(TypeError, match="'VerificationSession' object is not iterable"):
        list(session)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="'VerificationSessionLastError' object is not iterable"):
        dict(session.last_error)  # type: ignore[call-overload]
    assert session.to_dict()["id"] == session.id  # the mapping, when one is wanted


def test_unknown_enum_values_are_kept_as_strings() -> None:
    data = {**FULL_SESSION, "status": "awaiting_review", "type": "biometric"}
    data["last_error"] = {"code": "brand_new_code", "reason": None}
    session = structure(data, si.VerificationSession)
    assert session.status == "awaiting_review"
    assert session.type == "biometric"
    assert session.last_error is not None
    assert session.last_error.code == "brand_new_code"


def test_last_verification_report_is_an_id_or_the_expanded_report() -> None:
    as_id = structure(SESSION, si.VerificationSession)
    assert as_id.last_verification_report == "vr_QXhW13B2hsHOm43JtUgs0f0w"
    assert as_id.last_verification_report_id == "vr_QXhW13B2hsHOm43JtUgs0f0w"
    expanded = structure({**SESSION, "last_verification_report": REPORT}, si.VerificationSession)
    assert isinstance(expanded.last_verification_report, si.VerificationReport)
    assert expanded.last_verification_report.document is not None
    assert expanded.last_verification_report_id == REPORT["id"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("created", "yesterday"),
        ("livemode", "no"),
        ("metadata", ["a"]),
        ("id", 5),
        ("redaction", "processing"),
        ("created", True),
    ],
)
def test_wrong_json_types_are_refused(field: str, value: Any) -> None:
    with pytest.raises(Exception):  # noqa: B017,PT011 - decode_model turns any of them into APIError
        structure({**SESSION, field: value}, si.VerificationSession)


def test_models_are_frozen_and_round_trip_to_json() -> None:
    session = structure(FULL_SESSION, si.VerificationSession)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        session.status = "verified"  # type: ignore[misc]
    assert session.to_dict() == FULL_SESSION
    assert structure(SESSION, si.VerificationSession).to_dict() == SESSION


def test_client_secret_is_not_in_the_repr() -> None:
    session = structure(FULL_SESSION, si.VerificationSession)
    assert "secret_test" not in repr(session)


def _model_classes() -> list[type]:
    found = [getattr(si, name) for name in si.__all__]
    return [c for c in found if isinstance(c, type) and issubclass(c, si.StripeObject)]


@pytest.mark.parametrize("cls", _model_classes(), ids=lambda cls: cls.__name__)
def test_every_model_shares_the_base_equality_hash_and_repr(cls: type) -> None:
    # attrs is told not to compile these per class (eq=False, repr=False): StripeObject's serve all.
    if cls is not si.StripeObject:
        assert not {"__eq__", "__hash__", "__repr__"} & set(vars(cls))


def test_models_compare_hash_and_show_as_attrs_would() -> None:
    session = structure(FULL_SESSION, si.VerificationSession)
    again = structure(dict(FULL_SESSION), si.VerificationSession)
    built = attrs.evolve(session)
    # Equal by the fields that take part in equality; the JSON kept beside them does not.
    assert session == again == built and session.__eq__(built) is True
    assert hash(si.Address(city="Paris")) == hash(si.Address(city="Paris", _json={"x": 1}))
    assert session != attrs.evolve(session, status="verified")
    assert session != again.options and session.__eq__(again.options) is NotImplemented
    assert si.Address(city="Paris") != si.Address(city="Lyon")
    # Every field with repr=True, in field order, under the class's name; the others never.
    shown = [f.name for f in attrs.fields(si.VerificationSession) if f.repr]
    text = repr(session)
    assert text.startswith("VerificationSession(id='vs_") and "client_secret" not in text
    assert [name for name in shown if f"{name}=" in text] == shown
    assert text.index("status=") < text.index("type=")
    assert repr(si.Address(city="Paris", _json={"city": "Paris"})) == (
        "Address(city='Paris', country=None, line1=None, line2=None, postal_code=None, state=None)"
    )
    with pytest.raises(TypeError, match="unhashable"):
        hash(session)  # metadata is a dict, as with attrs' own hash


def test_error_object_model() -> None:
    body = {
        "type": "invalid_request_error",
        "code": "parameter_unknown",
        "param": "foo",
        "message": "Received unknown parameter: foo",
        "doc_url": "https://stripe.com/docs",
    }
    error = strict.structure(body, si.ErrorObject)
    assert error.param == "foo"
    assert error.code == "parameter_unknown"


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
