"""Settings is the one list: the constructors and ``with_options`` take exactly its fields."""

from __future__ import annotations

import inspect
import typing

import attrs
import pytest

import stripe_identity as si
from stripe_identity._settings import POOL_FIELDS, Settings, ViewOptions
from tests.conftest import TEST_KEY

FIELDS = attrs.fields(Settings)


@pytest.mark.parametrize("client", [si.AsyncStripeIdentity, si.StripeIdentity])
def test_the_constructors_take_exactly_the_settings(client: type) -> None:
    parameters = inspect.signature(client).parameters
    assert list(parameters) == [field.name for field in FIELDS]
    for field in FIELDS:
        default = parameters[field.name].default
        # None means "from the environment, or derived" (see Settings.from_arguments).
        assert default is None or default == field.default, field.name


def test_the_constructors_defaults_are_the_settings_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("STRIPE_API_KEY", "STRIPE_API_BASE", "STRIPE_FILES_BASE", "STRIPE_INSECURE_HTTP_HOSTS"):
        monkeypatch.delenv(name, raising=False)
    parameters = inspect.signature(si.AsyncStripeIdentity.__init__).parameters
    arguments = {name: p.default for name, p in parameters.items() if name != "self"}
    assert Settings.from_arguments(arguments) == Settings()


def test_with_options_changes_every_setting_but_the_pools() -> None:
    assert set(typing.get_type_hints(ViewOptions)) == {f.name for f in FIELDS} - POOL_FIELDS
    assert {
        "max_connections",
        "ssl_context",
        "max_response_bytes",
        "proxy",
        "trust_env",
        "rate_limit",
    } == POOL_FIELDS


def test_with_options_refuses_a_pool_setting_at_run_time() -> None:
    client = si.AsyncStripeIdentity(TEST_KEY)
    with pytest.raises(TypeError, match="cannot change max_connections"):
        client.with_options(max_connections=5)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected keyword"):
        client.with_options(no_such_setting=1)  # type: ignore[call-arg]
