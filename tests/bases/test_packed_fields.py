"""Fields packed as one string come back as they went, whatever their text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from zbut.bases.packed_fields import FIELD_SEPARATOR, packed, unpacked


@given(st.lists(st.text(), min_size=1, max_size=12))
def test_packed_fields_come_back_as_they_went(fields: list[str]) -> None:
    assert list(unpacked(packed(fields))) == fields


def test_fields_holding_the_separator_stay_as_they_are() -> None:
    fields = ["А", f"Б{FIELD_SEPARATOR}В"]
    assert packed(fields) is fields
    assert packed(["А", "Б"]) == f"А{FIELD_SEPARATOR}Б"
