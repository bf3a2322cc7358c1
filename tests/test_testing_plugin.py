"""The pytest plugin users get with the package: two lines to test an integration."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]


def test_fixtures_give_a_running_emulator_and_configured_clients(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import pytest

        def test_sync(stripe_identity_client, stripe_identity_emulator):
            session = stripe_identity_client.verification_sessions.create({"type": "document"})
            stripe_identity_emulator.submit(session.id)
            assert stripe_identity_client.verification_sessions.retrieve(session.id).status == "verified"

        def test_emulator_is_emptied_between_tests(stripe_identity_client):
            assert stripe_identity_client.verification_sessions.list().data == []

        @pytest.mark.anyio
        async def test_async(stripe_identity_async_client, stripe_identity_emulator):
            session = await stripe_identity_async_client.verification_sessions.create(
                {"type": "id_number"}
            )
            assert session.status == "requires_input"

        @pytest.fixture
        def anyio_backend():
            return "asyncio"
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "error")
    result.assert_outcomes(passed=3)
