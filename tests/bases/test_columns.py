"""Columns are recognised by Ukrainian, Russian and English headers; the rest are kept."""

from __future__ import annotations

import pytest

from zbut.bases.columns import Field, guess_mapping, mapping_from_choices


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Назва", Field.NAME),
        ("Название", Field.NAME),
        ("Company name", Field.NAME),
        ("Адреса", Field.ADDRESS),
        ("Адрес", Field.ADDRESS),
        ("Address", Field.ADDRESS),
        ("Телефони", Field.PHONES),
        ("Телефон", Field.PHONES),
        ("Phones", Field.PHONES),
        ("Тел.", Field.PHONES),
        ("Телефон 2", Field.PHONES),
        ("Контактна особа", Field.CONTACT_PERSON),
        ("Contact", Field.CONTACT_PERSON),
        ("Email", Field.EMAILS),
        ("E-mail", Field.EMAILS),
        ("e-mail:", Field.EMAILS),
        ("Джерело", Field.SOURCE),
        ("Source", Field.SOURCE),
        ("Категорія", Field.CATEGORY),
        ("Category", Field.CATEGORY),
        ("КВЕД", Field.CATEGORY),
        ("ЄДРПОУ", Field.EDRPOU),
        ("ЕГРПОУ", Field.EDRPOU),
        ("EDRPOU", Field.EDRPOU),
        ("Регіон", Field.REGION),
        ("Область", Field.REGION),
        ("\ufeffНазва", Field.NAME),
        ("  НАЗВА  ", Field.NAME),
    ],
)
def test_header_is_recognised(header, field):
    assert guess_mapping([header]).fields == {0: field}


def test_unknown_columns_are_kept_as_extra_attributes():
    mapping = guess_mapping(["Назва", "Сайт", "Кількість працівників", "Телефон"])
    assert mapping.extra_columns == {1: "Сайт", 2: "Кількість працівників"}


def test_several_phone_columns_all_feed_the_phones():
    mapping = guess_mapping(["Назва", "Телефон", "Мобільний телефон", "Phone"])
    assert mapping.index_of(Field.PHONES) == [1, 2, 3]


def test_a_second_name_column_is_kept_as_an_extra_attribute():
    mapping = guess_mapping(["Назва", "Назва"])
    assert mapping.fields == {0: Field.NAME}
    assert mapping.extra_columns == {1: "Назва"}


def test_a_postal_code_column_is_not_taken_for_the_edrpou():
    assert guess_mapping(["Поштовий код"]).fields == {}


def test_the_coordinator_can_fix_the_guess():
    mapping = mapping_from_choices(["Фірма", "Номер", "Інше"], {0: "name", 1: "phones", 2: ""})
    assert mapping.fields == {0: Field.NAME, 1: Field.PHONES}
    assert mapping.extra_columns == {2: "Інше"}
