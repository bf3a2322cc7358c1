from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, strategies as st

import stripe_identity as si
from stripe_identity._encoding import FormDecodeError, decode_form, encode_form, indexed_list


def test_nested_create_params_encode_like_stripe() -> None:
    form = encode_form(
        {
            "type": "document",
            "metadata": {"user": "42", "plan": "pro plan"},
            "options": {
                "document": {
                    "allowed_types": ["passport", "id_card"],
                    "require_matching_selfie": True,
                    "require_live_capture": False,
                }
            },
            "expand": ["last_verification_report"],
            "client_reference_id": None,
            "return_url": "",
        }
    )
    assert form == (
        "expand[0]=last_verification_report"
        "&metadata[plan]=pro+plan&metadata[user]=42"
        "&options[document][allowed_types][0]=passport"
        "&options[document][allowed_types][1]=id_card"
        "&options[document][require_live_capture]=false"
        "&options[document][require_matching_selfie]=true"
        "&return_url="
        "&type=document"
    )


def test_params_class_and_mapping_put_identical_bytes_on_the_wire() -> None:
    typed = si.VerificationSessionCreateParams(
        type="document",
        metadata={"user": "42"},
        options=si.OptionsParams(
            document=si.DocumentOptionsParams(allowed_types=["passport"], require_id_number=True)
        ),
        related_person=si.RelatedPersonParams(account="acct_1", person="person_1"),
        expand=["last_verification_report"],
    )
    plain = {
        "related_person": {"person": "person_1", "account": "acct_1"},
        "expand": ["last_verification_report"],
        "options": {"document": {"require_id_number": True, "allowed_types": ["passport"]}},
        "metadata": {"user": "42"},
        "type": "document",
    }
    assert encode_form(typed) == encode_form(plain)


def test_empty_string_is_sent_to_unset() -> None:
    params = si.VerificationSessionUpdateParams(metadata="", options=si.OptionsParams(document=""))
    assert encode_form(params) == "metadata=&options[document]="


def test_keys_and_values_are_escaped() -> None:
    form = encode_form({"metadata": {"a&b=c": "x y+z/é"}})
    assert form == "metadata[a%26b%3Dc]=x+y%2Bz%2F%C3%A9"
    assert decode_form(form) == {"metadata": {"a&b=c": "x y+z/é"}}


@pytest.mark.parametrize("bad", [object(), {1, 2}, float("nan"), b"bytes"])
def test_unencodable_values_raise_type_error(bad: Any) -> None:
    with pytest.raises(TypeError, match="cannot encode"):
        encode_form({"metadata": {"k": bad}})


def test_params_must_be_a_mapping() -> None:
    with pytest.raises(TypeError, match="params must be"):
        encode_form(["type", "document"])


@pytest.mark.parametrize("form", ["a[[[=x", "a]=1", "a[b=1", "a=1&a[b]=2", "a[b]=2&a=1", "a[]=1&a[x]=2"])
def test_malformed_forms_raise_a_decode_error_naming_the_param(form: str) -> None:
    with pytest.raises(FormDecodeError) as info:
        decode_form(form)
    assert info.value.param


def test_decode_accepts_both_array_spellings() -> None:
    assert decode_form("expand[]=a&expand[]=b") == {"expand": ["a", "b"]}
    decoded = decode_form("expand[0]=a&expand[1]=b")
    assert indexed_list(decoded["expand"]) == ["a", "b"]
    assert indexed_list({"0": "a", "2": "b"}) is None
    assert indexed_list({"x": "a"}) is None


# --- property: decode(encode(x)) == x, modulo what the wire cannot say -----------------------------

text_chars = st.characters(exclude_categories=["Cs"])  # lone surrogates are not text
keys = st.text(
    st.characters(exclude_categories=["Cs"], exclude_characters="[]"), min_size=1, max_size=12
)
scalars = st.one_of(
    st.text(text_chars, max_size=20), st.booleans(), st.integers(-(10**12), 10**12), st.none()
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=4),
        st.dictionaries(keys, inner, min_size=1, max_size=4),
    ),
    max_leaves=12,
)
params_strategy = st.dictionaries(keys, values, max_size=6)


def wire_view(value: Any) -> Any:
    """What the decoder can give back: strings, dicts for arrays, and no None or empty containers."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        value = {str(i): v for i, v in enumerate(value)}
    if isinstance(value, dict):
        out = {k: wire_view(v) for k, v in value.items() if v is not None}
        return {k: v for k, v in out.items() if v != {}}
    return value


@given(params_strategy)
def test_decoding_the_encoding_gives_back_the_input(params: dict[str, Any]) -> None:
    assert decode_form(encode_form(params)) == wire_view(params)


@given(params_strategy)
def test_encoding_is_canonical(params: dict[str, Any]) -> None:
    reordered = dict(reversed(list(params.items())))
    assert encode_form(reordered) == encode_form(params)


def test_lone_surrogates_are_refused_with_a_value_error() -> None:
    with pytest.raises(ValueError, match="not valid Unicode"):
        encode_form({"metadata": {"k": "\ud800"}})
    with pytest.raises(ValueError, match="not valid Unicode"):
        encode_form({"\ud800": "v"})


@pytest.mark.parametrize("name", ["a[b]", "x]", "[y"])
def test_param_names_with_brackets_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="cannot contain"):
        encode_form({"metadata": {name: "v"}})
