"""E-mail cells: several addresses a cell, mailto links, and refusals with reasons."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zbut.bases.emails import MSG_INVALID, EmailRejection, parse_emails


def test_several_addresses_in_a_cell_are_split_lowercased_and_deduplicated():
    parse = parse_emails("Info@Agro.ua; sales@agro.ua, info@agro.ua\nmailto:Boss@agro.ua")

    assert parse.emails == ("info@agro.ua", "sales@agro.ua", "boss@agro.ua")
    assert parse.rejected == ()


def test_brackets_quotes_and_a_final_full_stop_are_not_part_of_the_address():
    assert parse_emails("<info@agro.ua>, «sales@agro.ua».").emails == (
        "info@agro.ua",
        "sales@agro.ua",
    )


def test_a_word_without_an_at_sign_is_rejected_as_not_an_email():
    parse = parse_emails("немає")

    assert parse.emails == ()
    assert [r.reason for r in parse.rejected] == [EmailRejection.NOT_AN_EMAIL]


def test_a_broken_address_is_rejected_as_invalid_with_a_bilingual_message():
    (rejected,) = parse_emails("info@agro, sales@agro.ua").rejected

    assert rejected.fragment == "info@agro"
    assert rejected.reason == EmailRejection.INVALID
    assert rejected.message == MSG_INVALID == "Невірна адреса e-mail / invalid e-mail address"


def test_an_empty_cell_gives_nothing():
    assert parse_emails(None).emails == ()
    assert parse_emails("  ").rejected == ()


@given(st.one_of(st.text(), st.floats(), st.integers(), st.none()))
def test_parse_emails_never_raises_and_returns_lowercase_addresses(cell):
    for address in parse_emails(cell).emails:
        assert address == address.lower()
        assert "@" in address


# The fast path (a cell of plain ASCII addresses) must answer as EmailValidator would.
PLAIN_CELLS = [
    "info@agro.ua",
    "Info@Agro.UA",
    "a.b-c_d+e@mail.agro-svit.com.ua",
    "-a@b.ua",
    "x@xn--80aa.com",
    "info@agro.ua, sales@agro.ua",
    "x@a.ua; X@A.UA",
    "a@b.ua c@d.ua\ne@f.ua",
    " ,info@agro.ua; ",
]
NOT_PLAIN_CELLS = [
    "info@agro",
    "mailto:info@agro.ua",
    "<info@agro.ua>",
    "info@agro.ua.",
    "a..b@agro.ua",
    "a@-agro.ua",
    "a@agro.u",
    "a@agro.123",
    "юзер@agro.ua",
    "a@b.ua, c@d.ua, e@f.ua, g@h.ua",
]


@pytest.mark.parametrize("cell", PLAIN_CELLS)
def test_the_fast_path_gives_what_the_general_path_gives(cell):
    from zbut.bases.emails import _PLAIN_CELL, _parse_any

    assert _PLAIN_CELL.fullmatch(cell)
    assert parse_emails(cell) == _parse_any(cell)


@pytest.mark.parametrize("cell", NOT_PLAIN_CELLS)
def test_a_cell_that_is_not_plain_is_left_to_the_general_path(cell):
    from zbut.bases.emails import _PLAIN_CELL

    assert not _PLAIN_CELL.fullmatch(cell)


def test_an_address_longer_than_320_characters_is_refused_though_plain():
    (rejected,) = parse_emails("a" * 320 + "@agro.ua").rejected

    assert rejected.reason == EmailRejection.INVALID


@given(
    st.one_of(
        st.emails(),
        st.lists(st.emails(), min_size=1, max_size=4).map("; ".join),
        st.text(alphabet="abcAB01._-+@ ,;\n", max_size=40),
    )
)
def test_whatever_the_fast_path_accepts_the_general_path_accepts_alike(cell):
    from zbut.bases.emails import _PLAIN_CELL, _parse_any

    if len(cell) <= 320 and _PLAIN_CELL.fullmatch(cell):
        assert parse_emails(cell) == _parse_any(cell)


@given(
    st.one_of(
        st.emails(),
        st.lists(st.emails(), min_size=1, max_size=4).map("; ".join),
        st.text(alphabet="abcAB01._-+@ ,;\n<>", max_size=40),
        st.sampled_from(PLAIN_CELLS + NOT_PLAIN_CELLS),
    )
)
def test_an_import_keeps_each_address_and_refusal_as_parse_emails_reads_them(cell):
    from zbut.bases.emails import email_fields

    parse = parse_emails(cell)

    assert email_fields(cell) == (
        parse.emails,
        [(bad.fragment, bad.message) for bad in parse.rejected],
    )
