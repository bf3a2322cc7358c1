"""The models: covering the spec (against the strict oracle), keeping unknown fields and enum
values, refusing wrong JSON types, `in` and iteration, equality, hashing and repr."""

from __future__ import annotations

import copy
from typing import Any

import attrs
import cattrs
import pytest

import stripe_identity as si
from stripe_identity._decoding import structure
from tests.client.model_data import FULL_REPORT, FULL_SESSION
from tests.fake_api import REPORT, SESSION
from tests.strict_converter import make_strict_converter

strict = make_strict_converter()


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
