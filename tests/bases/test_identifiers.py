"""Registry codes: ЄДРПОУ and РНОКПП, with zeros a spreadsheet dropped put back."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zbut.bases.identifiers import (
    MSG_BAD_CHECK_DIGIT,
    RegistryCode,
    RegistryCodeRejection,
    RegistryKind,
    RejectedRegistryCode,
    parse_registry_code,
)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("32855961", RegistryCode(RegistryKind.EDRPOU, "32855961")),
        (" 32 85 59 61 ", RegistryCode(RegistryKind.EDRPOU, "32855961")),
        (32855961, RegistryCode(RegistryKind.EDRPOU, "32855961")),
        (32855961.0, RegistryCode(RegistryKind.EDRPOU, "32855961")),
        ("32855961.0", RegistryCode(RegistryKind.EDRPOU, "32855961")),
        ("3.2855961E+7", RegistryCode(RegistryKind.EDRPOU, "32855961")),
        ("132486", RegistryCode(RegistryKind.EDRPOU, "00132486")),
        (132486.0, RegistryCode(RegistryKind.EDRPOU, "00132486")),
        ("0032106", RegistryCode(RegistryKind.EDRPOU, "00032106")),
        ("1759013776", RegistryCode(RegistryKind.RNOKPP, "1759013776")),
        (1759013776, RegistryCode(RegistryKind.RNOKPP, "1759013776")),
    ],
)
def test_a_valid_code_is_recognised_with_its_kind(cell, expected):
    assert parse_registry_code(cell) == expected


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("32855962", RegistryCodeRejection.BAD_CHECK_DIGIT),
        ("1759013770", RegistryCodeRejection.BAD_CHECK_DIGIT),
        ("3.28559E+7", RegistryCodeRejection.DIGITS_LOST),
        ("123", RegistryCodeRejection.WRONG_LENGTH),
        ("175901377", RegistryCodeRejection.WRONG_LENGTH),
        ("123456789012", RegistryCodeRejection.WRONG_LENGTH),
        ("немає", RegistryCodeRejection.NOT_A_CODE),
        ("１２３４５６７８", RegistryCodeRejection.NOT_A_CODE),
        (3.5, RegistryCodeRejection.NOT_A_CODE),
    ],
)
def test_a_value_that_is_not_a_valid_code_is_rejected_with_a_reason(cell, reason):
    rejected = parse_registry_code(cell)

    assert isinstance(rejected, RejectedRegistryCode)
    assert rejected.reason == reason


def test_a_rejection_says_why_in_two_languages():
    rejected = parse_registry_code("32855962")

    assert rejected.message == MSG_BAD_CHECK_DIGIT
    assert rejected.message == "Неправильна контрольна цифра / wrong check digit"


@pytest.mark.parametrize("cell", [None, "", "   "])
def test_an_empty_cell_has_no_code(cell):
    assert parse_registry_code(cell) is None


@given(st.one_of(st.text(), st.floats(), st.integers(), st.none()))
def test_parse_registry_code_never_raises_and_returns_a_code_it_can_validate(cell):
    result = parse_registry_code(cell)

    if isinstance(result, RegistryCode):
        assert len(result.code) == {RegistryKind.EDRPOU: 8, RegistryKind.RNOKPP: 10}[result.kind]
        assert result.code.isdigit()


@given(st.text(alphabet="0123456789", min_size=8, max_size=8))
def test_a_clean_eight_digit_code_is_judged_by_stdnum_check_digit(digits):
    from stdnum.ua import edrpou

    result = parse_registry_code(digits)

    if edrpou.is_valid(digits):
        assert result == RegistryCode(RegistryKind.EDRPOU, digits)
    else:
        assert result == RejectedRegistryCode(digits, RegistryCodeRejection.BAD_CHECK_DIGIT)


@pytest.mark.parametrize(
    "code",
    # The second four need the second weighting (the first sum leaves 10).
    [
        "32855961",
        "00032945",
        "12345678",
        "99999994",
        "14158680",
        "36258514",
        "48303881",
        "50889950",
    ],
)
def test_the_check_digit_is_stdnum_s(code):
    from stdnum.ua import edrpou

    from zbut.bases.identifiers import _edrpou_check_digit

    assert _edrpou_check_digit(code) == edrpou.calc_check_digit(code[:7]) == code[-1]


@given(st.integers(min_value=0, max_value=9_999_999))
def test_the_check_digit_of_any_seven_digits_is_stdnum_s(number):
    from stdnum.ua import edrpou

    from zbut.bases.identifiers import _edrpou_check_digit

    digits = f"{number:07d}"
    assert _edrpou_check_digit(digits + "0") == edrpou.calc_check_digit(digits)


# The fast path (five to eight ASCII digits) must answer as the general path does: pad to eight
# and ask edrpou.is_valid.
@pytest.mark.parametrize(
    "cell", ["32855961", "32855962", "132486", "132487", "0032106", "32106", "14158680", "99999"]
)
def test_the_fast_path_gives_what_edrpou_is_valid_gives(cell):
    from stdnum.ua import edrpou

    padded = cell.zfill(8)
    expected = (
        RegistryCode(RegistryKind.EDRPOU, padded)
        if edrpou.is_valid(padded)
        else RejectedRegistryCode(cell, RegistryCodeRejection.BAD_CHECK_DIGIT)
    )
    assert parse_registry_code(cell) == expected
