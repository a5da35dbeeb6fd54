"""The region of a company from its postal code or its address."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zbut.bases.regions import REGION_BY_POSTAL_PREFIX, region_of


@pytest.mark.parametrize(
    ("postal_code", "region"),
    [
        ("01001", "м. Київ"),
        ("06000", "м. Київ"),
        ("08300", "Київська"),
        ("10001", "Житомирська"),
        ("49000", "Дніпропетровська"),
        ("50000", "Дніпропетровська"),
        ("61000", "Харківська"),
        ("65000", "Одеська"),
        ("69000", "Запорізька"),
        ("79000", "Львівська"),
        ("88000", "Закарпатська"),
        ("95000", "АР Крим"),
        ("99000", "м. Севастополь"),
    ],
)
def test_the_first_two_digits_of_the_postal_code_name_the_region(postal_code, region):
    assert region_of(postal_code=postal_code) == region


def test_every_prefix_from_01_to_99_has_a_region():
    assert sorted(REGION_BY_POSTAL_PREFIX) == [f"{n:02d}" for n in range(1, 100)]


def test_the_postal_code_in_the_address_wins_over_the_words():
    assert region_of(address="79000, м. Київ (помилка в базі)") == "Львівська"


def test_an_explicit_postal_code_wins_over_the_address():
    assert region_of(postal_code="65000", address="м. Київ") == "Одеська"


@pytest.mark.parametrize(
    ("address", "region"),
    [
        ("м. Київ, вул. Хрещатик, 1", "м. Київ"),
        ("г. Киев, ул. Крещатик 1", "м. Київ"),
        ("м. Дніпро, пр. Гагаріна 5", "Дніпропетровська"),
        ("г. Днепропетровск", "Дніпропетровська"),
        ("г. Днепр", "Дніпропетровська"),
        ("м. Харків", "Харківська"),
        ("г. Харьков, ул. Сумская 10", "Харківська"),
        ("м. Одеса", "Одеська"),
        ("г. Одесса", "Одеська"),
        ("м. Львів", "Львівська"),
        ("г. Львов", "Львівська"),
        ("м. Запоріжжя", "Запорізька"),
        ("г. Запорожье", "Запорізька"),
        ("Київська обл., Броварський р-н, с. Требухів", "Київська"),
        ("Киевская обл, г. Бровары", "Київська"),
        ("с. Петрівка, Полтавська область", "Полтавська"),
        ("вул. Київська 5, м. Львів", "Львівська"),
    ],
)
def test_the_address_words_name_the_region(address, region):
    assert region_of(address=address) == region


@pytest.mark.parametrize("address", ["", "с. Петрівка", "вул. Київська, 5", "00123 село"])
def test_an_address_that_places_no_region_gives_none(address):
    assert region_of(address=address) is None


@given(st.text(), st.one_of(st.none(), st.text(max_size=6)))
def test_region_of_never_raises(address, postal_code):
    region_of(postal_code=postal_code, address=address)


# The fast path (an address that opens with its postal code) and the cache of the words must
# answer as the general path does.
@pytest.mark.parametrize(
    "address",
    [
        "61147, Україна, Харківська обл., м. Харків, вул. Лесі Українки, 49",
        "01001, м. Київ",
        "00123 село",
        "00123, м. Львів",
        "001234, м. Львів",
        "79000",
        "79000١, м. Київ",
        "м. Київ",
        "м. Київ 65000",
        "с. Петрівка, Полтавська область",
    ],
)
def test_the_fast_path_gives_what_the_general_path_gives(address):
    from zbut.bases.regions import _region_of_any, _region_of_words

    assert region_of(address=address) == _region_of_any(None, address)
    assert _region_of_words(address) == _region_of_words.__wrapped__(address)


@given(st.text(), st.from_regex(r"[0-9]{4,6}", fullmatch=True))
def test_whatever_the_fast_path_answers_the_general_path_answers_alike(rest, postal_code):
    from zbut.bases.regions import _region_of_any

    address = postal_code + rest
    assert region_of(address=address) == _region_of_any(None, address)
