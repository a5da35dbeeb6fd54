"""The numbering plan classifies every national number exactly as phonenumbers does."""

from __future__ import annotations

import random

import phonenumbers
from hypothesis import given
from hypothesis import strategies as st

from zbut.bases.models import PhoneKind
from zbut.bases.numbering_plan import MOBILE_OPERATORS, classify


def _classified_by_phonenumbers(nsn: str):
    number = phonenumbers.parse("+380" + nsn, None)
    if not phonenumbers.is_valid_number(number):
        return None
    number_type = phonenumbers.number_type(number)
    if number_type == phonenumbers.PhoneNumberType.MOBILE:
        return PhoneKind.MOBILE, MOBILE_OPERATORS.get(nsn[:2], "")
    if number_type == phonenumbers.PhoneNumberType.FIXED_LINE:
        return PhoneKind.LANDLINE, ""
    return PhoneKind.OTHER, ""


@given(st.integers(min_value=0, max_value=999_999_999))
def test_the_prefix_table_classifies_any_national_number_as_phonenumbers_does(number):
    nsn = f"{number:09d}"
    expected = None if nsn[0] == "0" else _classified_by_phonenumbers(nsn)
    assert classify(nsn) == expected


def test_the_prefix_table_agrees_with_phonenumbers_under_every_prefix():
    rng = random.Random(4)
    for prefix in range(100, 1000):
        for _ in range(8):
            nsn = f"{prefix}{rng.randrange(10**6):06d}"
            assert classify(nsn) == _classified_by_phonenumbers(nsn), nsn
