"""E-mail cells: several addresses a cell, mailto links, and refusals with reasons."""

from __future__ import annotations

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
