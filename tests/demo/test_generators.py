"""The demo's companies are realistic and reproducible (pure generators, no database)."""

from __future__ import annotations

import random

import phonenumbers
from django.core.validators import validate_email
from stdnum.ua import edrpou

from zbut.demo.catalogue import LIGHTING_CATEGORIES, MOBILE_OPERATORS, OBLASTS
from zbut.demo.generators import CompanyGenerator, domain_label, transliterate, valid_edrpou


def generate(count: int, seed: str = "test") -> list:
    return CompanyGenerator(seed=seed, categories=LIGHTING_CATEGORIES).companies(count)


def test_a_larger_base_starts_with_the_same_companies() -> None:
    assert generate(40) == generate(80)[:40]
    assert generate(40) != generate(40, seed="other")


def test_generated_edrpou_has_a_right_check_digit() -> None:
    rng = random.Random(1)
    assert all(edrpou.is_valid(valid_edrpou(rng)) for _ in range(500))


def test_every_phone_is_a_valid_ukrainian_number_of_its_kind() -> None:
    operators = {operator: codes for operator, codes, _ in MOBILE_OPERATORS}
    for company in generate(400):
        assert 1 <= len(company.phones) <= 3
        for phone in company.phones:
            number = phonenumbers.parse(phone.e164)
            assert phonenumbers.is_valid_number(number), phone.e164
            if phone.kind == "mobile":
                assert phone.e164[4:6] in operators[phone.operator]
            else:
                assert phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.FIXED_LINE


def test_landlines_carry_the_area_code_of_the_company_city() -> None:
    codes = {city.name: city.area_code for oblast in OBLASTS for city in oblast.cities}
    for company in generate(300):
        if "м. " not in company.address:
            continue
        city = company.address.split("м. ")[1].split(",")[0]
        for phone in company.phones:
            if phone.kind == "landline":
                assert phone.e164[4:].startswith(codes[city])


def test_emails_are_valid_and_derived_from_the_company_name() -> None:
    for company in generate(300):
        for address in company.emails:
            validate_email(address)
        if company.emails and company.legal_form != "ФОП":
            label = domain_label(company.name)[:20]
            assert label in company.emails[0].replace("_", "-")


def test_addresses_have_postal_codes_and_the_region() -> None:
    for company in generate(200):
        postcode, country, *_ = company.address.split(", ")
        assert len(postcode) == 5 and postcode.isdigit()
        assert country == "Україна"
        assert company.region == "м. Київ" or company.region in company.address


def test_kyiv_and_the_big_oblasts_dominate() -> None:
    regions = [company.region for company in generate(1000)]
    assert regions.count("м. Київ") > regions.count("Волинська обл.") * 5


def test_transliteration_follows_the_national_standard() -> None:
    assert transliterate("Агро-Світло Україна") == "ahro-svitlo ukraina"
    assert transliterate("Їжакевич Юрій Яковлевич") == "yizhakevych yurii yakovlevych"
    assert domain_label("«Агро-Світло Україна»") == "ahro-svitlo-ukraina"
