"""Hand-off tests talk to an emulated Bitrix24 portal over real HTTP on a local port."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.emulators.bitrix24 import Portal, running_bitrix24


@pytest.fixture
def bitrix24() -> Iterator[Portal]:
    """A fresh portal per test (own port, own leads, default 2 req/s with a burst of 50)."""
    with running_bitrix24() as portal:
        yield portal
