"""Phone cells: every Ukrainian way of writing a number, and what must be refused."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from zbut.bases.models import PhoneKind
from zbut.bases.phones import (
    MSG_DIGITS_LOST,
    ParsedPhone,
    PhoneRejection,
    parse_phones,
)

KYIVSTAR = "Київстар"

FORMS = [
    # (cell, e164, extension, kind, operator)
    ("380672945123", "+380672945123", "", PhoneKind.MOBILE, KYIVSTAR),
    ("+38 (067) 294-51-23", "+380672945123", "", PhoneKind.MOBILE, KYIVSTAR),
    ("067 294 51 23", "+380672945123", "", PhoneKind.MOBILE, KYIVSTAR),
    ("8 (067) 294 51 23", "+380672945123", "", PhoneKind.MOBILE, KYIVSTAR),
    ("8-056-7444444", "+380567444444", "", PhoneKind.LANDLINE, ""),
    ("(0342) 55-12-34", "+380342551234", "", PhoneKind.LANDLINE, ""),
    ("+3800672145565", "+380672145565", "", PhoneKind.MOBILE, KYIVSTAR),
    ("672145565", "+380672145565", "", PhoneKind.MOBILE, KYIVSTAR),
    ("80672945123", "+380672945123", "", PhoneKind.MOBILE, KYIVSTAR),
    ("380672945123.0", "+380672945123", "", PhoneKind.MOBILE, KYIVSTAR),
    (380672945123.0, "+380672945123", "", PhoneKind.MOBILE, KYIVSTAR),
    (380672945123, "+380672945123", "", PhoneKind.MOBILE, KYIVSTAR),
    (672945123, "+380672945123", "", PhoneKind.MOBILE, KYIVSTAR),
    ("6.72945123E+8", "+380672945123", "", PhoneKind.MOBILE, KYIVSTAR),
    ("044 234 56 78 доб. 102", "+380442345678", "102", PhoneKind.LANDLINE, ""),
    ("044 234 56 78 доб.102", "+380442345678", "102", PhoneKind.LANDLINE, ""),
    ("044 234 56 78 вн. 5", "+380442345678", "5", PhoneKind.LANDLINE, ""),
    ("044 234 56 78 ext 12", "+380442345678", "12", PhoneKind.LANDLINE, ""),
    ("044 234 56 78 ext. 12", "+380442345678", "12", PhoneKind.LANDLINE, ""),
    ("044 234 56 78 x12", "+380442345678", "12", PhoneKind.LANDLINE, ""),
    ("068 123 45 67", "+380681234567", "", PhoneKind.MOBILE, KYIVSTAR),
    ("096 123 45 67", "+380961234567", "", PhoneKind.MOBILE, KYIVSTAR),
    ("097 123 45 67", "+380971234567", "", PhoneKind.MOBILE, KYIVSTAR),
    ("098 123 45 67", "+380981234567", "", PhoneKind.MOBILE, KYIVSTAR),
    ("077 123 45 67", "+380771234567", "", PhoneKind.MOBILE, KYIVSTAR),
    ("050 123 45 67", "+380501234567", "", PhoneKind.MOBILE, "Vodafone"),
    ("066 123 45 67", "+380661234567", "", PhoneKind.MOBILE, "Vodafone"),
    ("095 123 45 67", "+380951234567", "", PhoneKind.MOBILE, "Vodafone"),
    ("099 123 45 67", "+380991234567", "", PhoneKind.MOBILE, "Vodafone"),
    ("075 123 45 67", "+380751234567", "", PhoneKind.MOBILE, "Vodafone"),
    ("063 123 45 67", "+380631234567", "", PhoneKind.MOBILE, "lifecell"),
    ("073 123 45 67", "+380731234567", "", PhoneKind.MOBILE, "lifecell"),
    ("093 123 45 67", "+380931234567", "", PhoneKind.MOBILE, "lifecell"),
    ("091 123 45 67", "+380911234567", "", PhoneKind.MOBILE, "3Mob"),
    ("094 123 45 67", "+380941234567", "", PhoneKind.MOBILE, "Інтертелеком"),
    ("092 123 45 67", "+380921234567", "", PhoneKind.MOBILE, "PEOPLEnet"),
    ("0800 50 12 34", "+380800501234", "", PhoneKind.OTHER, ""),
    ("089 123 45 67", "+380891234567", "", PhoneKind.OTHER, ""),
]


@pytest.mark.parametrize(("cell", "e164", "extension", "kind", "operator"), FORMS)
def test_every_ukrainian_form_gives_the_expected_phone(cell, e164, extension, kind, operator):
    parse = parse_phones(cell)

    assert parse.phones == (ParsedPhone(e164, extension, kind, operator),)
    assert parse.rejected == ()


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("3.80673E+11", PhoneRejection.DIGITS_LOST),
        ("12345", PhoneRejection.TOO_SHORT),
        ("тел. уточнюйте", PhoneRejection.NOT_A_PHONE),
        ("+48 22 123 45 67", PhoneRejection.NOT_UKRAINIAN),
        ("4822123456 7", PhoneRejection.NOT_UKRAINIAN),
        ("067 294 51 234", PhoneRejection.TOO_LONG),
        ("090 012 34 56", PhoneRejection.INVALID),
        (float("nan"), PhoneRejection.NOT_A_PHONE),
        (3.5, PhoneRejection.NOT_A_PHONE),
        (1e300, PhoneRejection.DIGITS_LOST),
    ],
)
def test_a_value_that_is_not_a_ukrainian_phone_is_rejected_with_a_reason(cell, reason):
    parse = parse_phones(cell)

    assert parse.phones == ()
    assert [rejected.reason for rejected in parse.rejected] == [reason]


def test_a_rejection_quotes_the_fragment_as_written_and_says_why_in_two_languages():
    (rejected,) = parse_phones("067 294 51 23, 3.80673E+11").rejected

    assert rejected.fragment == "3.80673E+11"
    assert rejected.message == MSG_DIGITS_LOST
    assert rejected.message == (
        "Число в експоненційному записі втратило цифри / digits lost in scientific notation"
    )


def test_the_same_number_twice_in_a_cell_is_kept_once():
    parse = parse_phones("067 294 51 23, +380672945123; 80672945123")

    assert [phone.e164 for phone in parse.phones] == ["+380672945123"]


def test_an_empty_cell_gives_nothing_and_refuses_nothing():
    for cell in ("", "   ", None):
        assert parse_phones(cell).phones == ()
        assert parse_phones(cell).rejected == ()


def _corpus() -> list[tuple[str, str]]:
    path = Path(__file__).parent / "corpus" / "phones.csv"
    with path.open(encoding="utf-8", newline="") as source:
        rows = list(csv.reader(source, delimiter=";"))
    return [(row[0], row[1]) for row in rows[1:] if row and not row[0].startswith("#")]


@pytest.mark.parametrize(("cell", "expected"), _corpus())
def test_the_corpus_of_nasty_cells_parses_as_recorded(cell, expected):
    phones_part, _, rejected_part = expected.partition("!")
    parse = parse_phones(cell)

    found = ["#".join(filter(None, (p.e164, p.extension))) for p in parse.phones]
    assert found == [p for p in phones_part.split("|") if p]
    assert [r.reason.value for r in parse.rejected] == [r for r in rejected_part.split("|") if r]


cells = st.one_of(
    st.text(),
    st.text(alphabet="0123456789 +()-.,;/\nEexдоб", max_size=60),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(),
    st.from_regex(r"\+?3?8?0?[0-9]{9}(\.0)?", fullmatch=True),
    # Digits of other scripts among ours.
    st.text(alphabet="0123456789٠١٢٣٤٥٦٧٨٩０１２３ +()-доб.", max_size=30),
)


@given(cells)
def test_parse_phones_never_raises_on_any_cell(cell):
    parse_phones(cell)


@given(cells)
def test_every_phone_returned_is_a_valid_ukrainian_number(cell):
    for phone in parse_phones(cell).phones:
        number = phonenumbers.parse(phone.e164, "UA")
        assert phonenumbers.is_valid_number_for_region(number, "UA")
        assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == (
            phone.e164
        )
        # phonenumbers reads any script's digits itself: ours must be ASCII, as E.164 is.
        assert re.fullmatch(r"\+380[0-9]{9}", phone.e164)
        assert re.fullmatch(r"[0-9]*", phone.extension)


@pytest.mark.parametrize(
    "cell", ["067 ٢٩٤ 51 23", "+380٦٧2945123", "０６７ ２９４ ５１ ２３", "(067) 294-51-2٣"]
)
def test_digits_of_other_scripts_are_read_as_their_ascii_digits(cell):
    assert [phone.e164 for phone in parse_phones(cell).phones] == ["+380672945123"]


# The zeros of Arabic-Indic, Extended Arabic-Indic, Devanagari, full-width and bold digits.
OTHER_ZEROS = [0x0660, 0x06F0, 0x0966, 0xFF10, 0x1D7CE]


@given(
    st.from_regex(r"0[3-9][0-9]{8}( доб\. [0-9]{1,4})?", fullmatch=True),
    st.lists(st.tuples(st.integers(min_value=0, max_value=9), st.sampled_from(OTHER_ZEROS))),
)
def test_a_number_reads_the_same_whatever_script_its_digits_are_in(cell, swaps):
    mixed = list(cell)
    for position, zero in swaps:
        mixed[position] = chr(zero + int(cell[position]))

    assert parse_phones("".join(mixed)) == parse_phones(cell)


@given(cells)
def test_feeding_back_the_e164_of_a_phone_gives_the_same_phone(cell):
    for phone in parse_phones(cell).phones:
        again = parse_phones(phone.e164)

        assert again.phones == (ParsedPhone(phone.e164, "", phone.kind, phone.operator),)


@given(st.from_regex(r"0[3-9][0-9]{8}", fullmatch=True))
def test_the_kind_agrees_with_phonenumbers_parse_and_number_type(national):
    number = phonenumbers.parse(national, "UA")
    expected = {
        phonenumbers.PhoneNumberType.MOBILE: PhoneKind.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE: PhoneKind.LANDLINE,
    }.get(phonenumbers.number_type(number), PhoneKind.OTHER)

    parse = parse_phones(national)

    if phonenumbers.is_valid_number(number):
        assert [phone.kind for phone in parse.phones] == [expected]
    else:
        assert parse.phones == ()
        assert [r.reason for r in parse.rejected] == [PhoneRejection.INVALID]


# The fast path (phones._parse_well_formed) must answer exactly as the general path would; a cell
# outside its grammar, or one the general path reads another way, is left to the general path.
WELL_FORMED_CELLS = [
    "380672945123",
    "+380672945123",
    "+38 (067) 294-51-23",
    "+38(067)294-5123",
    "+38 067 294 51 23",
    "(067)2945123",
    "0672945123",
    "067 294 51 23",
    "067-294-51-23",
    "8 (067) 294 51 23",
    "8-067-294-51-23",
    "80672945123",
    "672945123",
    "(0342) 55-12-34",
    "0800 50 12 34",
    "089 123 45 67",
    "тел. 067-294-51-23",
    "067 294 51 23 доб. 102",
    "044 234 56 78 доб.102",
    "044 234 56 78 доб 7",
    "044 234 56 78 вн. 5",
    "тел. 044-234-56-78 вн.5",
    " 067 294 51 23 ",
    "067 294 51 23, 050 123 45 67",
    "+38 056 958 30 46\n0979809231",
    "0672945123/0501234567",
    "067 294 51 23; +380672945123 | 80672945123",
    "0672945123, 0672945123 доб. 1",
]
NOT_WELL_FORMED_CELLS = [
    "380123456",  # nine digits after 380: too short, not a national number
    "3 (80) 123-456",
    "810672945123",  # the international prefix 810
    "+80672945123",  # not Ukrainian
    "+672945123",
    "+3800672145565",
    "3800672145565",
    "090 012 34 56",  # invalid: refused by the general path, quoting the fragment
    "044 234 56 78 доб102",
    "044 234 56 78 доб. 1234567",
    "Тел. 067 294 51 23",
    "067.294.51.23",
    "067 294 51 23 або 050 123 45 67",
    "067 294 51 23, 050 123 45 67, 063 123 45 67, 093 123 45 67",
    "067 ٢٩٤ 51 23",
    "067 294 51 23,",
]


@pytest.mark.parametrize("cell", WELL_FORMED_CELLS)
def test_the_fast_path_gives_what_the_general_path_gives(cell):
    from zbut.bases.phones import _parse_any, _parse_well_formed

    fast = _parse_well_formed(cell)

    assert fast is not None
    assert fast == _parse_any(cell)
    assert repr(fast) == repr(_parse_any(cell))


@pytest.mark.parametrize("cell", NOT_WELL_FORMED_CELLS)
def test_a_cell_outside_the_fast_path_is_left_to_the_general_path(cell):
    from zbut.bases.phones import _parse_well_formed

    assert _parse_well_formed(cell) is None


well_formed_like = st.from_regex(
    r"(тел\. ?)?\+?\(?(380?|80?|0|810|3800)?[ ()-]?[0-9]{2,3}[ ()-]{0,2}[0-9]{3}[ ()-]?[0-9]{2}"
    r"[ -]?[0-9]{2}( (доб|вн)\.? ?[0-9]{1,7})?",
    fullmatch=True,
)


@given(
    st.one_of(
        well_formed_like,
        st.lists(well_formed_like, min_size=1, max_size=4).map(", ".join),
        st.text(alphabet="0123456789 +()-.,;/\n|доб.вн", max_size=40),
    )
)
def test_whatever_the_fast_path_answers_the_general_path_answers_alike(cell):
    from zbut.bases.phones import _parse_any, _parse_well_formed

    fast = _parse_well_formed(cell)

    if fast is not None:
        assert fast == _parse_any(cell)


def _as_import_keeps_it(cell):
    parse = parse_phones(cell)
    phones = [(p.e164, str(p.kind), p.operator, p.extension) for p in parse.phones]
    return phones, [(bad.fragment, bad.message) for bad in parse.rejected]


@pytest.mark.parametrize(
    "cell", [form[0] for form in FORMS if isinstance(form[0], str)] + WELL_FORMED_CELLS
)
def test_an_import_keeps_each_phone_as_parse_phones_reads_it(cell):
    from zbut.bases.phones import phone_fields

    assert phone_fields(cell) == _as_import_keeps_it(cell)


@given(
    st.one_of(
        well_formed_like,
        st.lists(well_formed_like, min_size=1, max_size=4).map(", ".join),
        st.text(alphabet="0123456789 +()-.,;/\n|доб.вн٢", max_size=40),
        st.text(max_size=30),
    )
)
def test_whatever_the_cell_an_import_keeps_what_parse_phones_reads(cell):
    from zbut.bases.phones import phone_fields

    phones, refused = phone_fields(cell)

    assert (phones, refused) == _as_import_keeps_it(cell)
    assert all(type(kind) is str for _e164, kind, _operator, _extension in phones)
