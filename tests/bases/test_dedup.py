"""Duplicate detection rules of issue 4, without a database."""

from __future__ import annotations

from zbut.bases.dedup import DuplicateIndex, Identity

AGRO = "агро світ"
PHONE_1, PHONE_2, PHONE_3 = "+380672945123", "+380441234567", "+380501112233"


def _id(name=AGRO, edrpou="", phones=(), emails=()) -> Identity:
    return Identity(name, edrpou, frozenset(phones), frozenset(emails))


def test_same_edrpou_is_one_company_whatever_the_names():
    index = DuplicateIndex()
    first = index.place(2, _id(edrpou="32855961", phones=[PHONE_1]))
    second = index.place(3, _id(name="зовсім інша назва", edrpou="32855961", phones=[PHONE_2]))
    assert second.merged and second.matched_by == "edrpou"
    assert second.group is first.group
    assert set(first.group.added_phones) == {PHONE_1, PHONE_2}
    assert first.group.first_row == 2


def test_same_name_and_a_shared_phone_is_one_company_with_the_union_of_contacts():
    index = DuplicateIndex()
    first = index.place(2, _id(phones=[PHONE_1], emails=["a@agro.ua"]))
    second = index.place(3, _id(phones=[PHONE_1, PHONE_2], emails=["b@agro.ua"]))
    assert second.merged and second.matched_by == "phone"
    assert set(first.group.added_phones) == {PHONE_1, PHONE_2}
    assert set(first.group.added_emails) == {"a@agro.ua", "b@agro.ua"}


def test_same_name_and_a_shared_email_is_one_company():
    index = DuplicateIndex()
    index.place(2, _id(phones=[PHONE_1], emails=["info@agro.ua"]))
    second = index.place(3, _id(phones=[PHONE_3], emails=["info@agro.ua"]))
    assert second.merged and second.matched_by == "email"


def test_same_phone_under_another_name_is_flagged_not_merged():
    index = DuplicateIndex()
    first = index.place(2, _id(phones=[PHONE_1]))
    second = index.place(3, _id(name="бета", phones=[PHONE_1]))
    assert not second.merged
    assert second.possible_duplicates == ((first.group, PHONE_1),)


def test_same_name_without_a_shared_contact_is_two_companies():
    index = DuplicateIndex()
    index.place(2, _id(phones=[PHONE_1]))
    assert not index.place(3, _id(phones=[PHONE_2])).merged


def test_two_different_valid_edrpou_are_two_companies_even_with_name_and_phone_shared():
    index = DuplicateIndex()
    index.place(2, _id(edrpou="32855961", phones=[PHONE_1]))
    second = index.place(3, _id(edrpou="00032945", phones=[PHONE_1]))
    assert not second.merged


def test_a_row_matching_the_existing_base_adds_only_its_new_contacts():
    index = DuplicateIndex()
    index.add_existing([(41, _id(phones=[PHONE_1], emails=["info@agro.ua"]))])
    placement = index.place(2, _id(phones=[PHONE_1, PHONE_2], emails=["info@agro.ua"]))
    assert placement.merged and placement.group.company_id == 41
    assert set(placement.group.added_phones) == {PHONE_2}
    assert set(placement.group.added_emails) == set()
