from __future__ import annotations

from collections.abc import Iterator

import pytest

from stripe_identity.emulator import Emulator


@pytest.fixture
def emu() -> Iterator[Emulator]:
    """An emulator on a background thread, for the commands under test to talk to."""
    with Emulator() as emulator:
        yield emulator
