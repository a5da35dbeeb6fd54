"""Company names: display name for the desk, key for duplicates."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zbut.bases.legal_forms import LEGAL_FORMS
from zbut.bases.names import NormalisedName, normalise_company_name


def test_one_company_written_four_ways_has_one_key():
    names = ["ТОВ «Агро-Світ»", 'ТзОВ "АГРО-СВІТ"', "Агро-Світ, ТОВ", "ООО «Агро-Cвiт»"]

    normalised = [normalise_company_name(name) for name in names]

    assert {n.key for n in normalised} == {"агросвіт"}
    assert {n.legal_form for n in normalised} == {"ТОВ"}
    assert {n.display for n in normalised} == {"Агро-Світ"}


def test_latin_look_alikes_are_fixed_in_a_cyrillic_word():
    assert normalise_company_name("Агро-Cвiт").display == "Агро-Світ"
    assert normalise_company_name("ПРОMТЕХ").key == "промтех"


def test_a_latin_word_keeps_its_latin_letters():
    name = normalise_company_name("Metro Cash & Carry Україна")

    assert name.display == "Metro Cash & Carry Україна"
    assert name.key == "metrocashcarryукраїна"


def test_an_all_caps_name_is_title_cased_and_a_mixed_case_name_is_kept():
    assert normalise_company_name("ТОВ «АГРО-СВІТ ПЛЮС»").display == "Агро-Світ Плюс"
    assert normalise_company_name("ТОВ «АгроСвіт iT»").display == "АгроСвіт iT"


def test_an_abbreviation_without_vowels_stays_in_capitals():
    assert normalise_company_name('ТОВ "НВП ЕКО-ТЕХ"').display == "НВП Еко-Тех"


def test_quotes_of_every_kind_are_stripped_and_apostrophes_unified():
    name = normalise_company_name("ПП «ОБ'ЄДНАННЯ „ЛАН“»")

    assert name.display == "Обʼєднання Лан"
    assert name.key == "обєднаннялан"
    assert normalise_company_name("Об’єднання Лан").key == name.key


def test_dashes_and_spacing_are_unified():
    assert normalise_company_name("  Агро —  Світ ").display == "Агро-Світ"
    assert normalise_company_name("Агро Світ").key == normalise_company_name("Агро-Світ").key


def test_the_result_is_frozen():
    name = normalise_company_name("ТОВ Агро")

    with pytest.raises(AttributeError):
        name.key = "x"  # type: ignore[misc]
    assert isinstance(name, NormalisedName)


_FORMS = [variant for variants in LEGAL_FORMS.values() for variant in variants]
_ALPHABET = (
    "абвгґдеєжзиіїйклмнопрстуфхцчшщьюяАБВГҐДЕЄЖЗИІЇЙКЛМНОПРСТУФХЦЧШЩЬЮЯыэёЫЭЁ"
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    " -–—.,;:!?&()№/«»“”„\"'‘’ʼ`"
)
_texts = st.text(alphabet=_ALPHABET, max_size=40)
_with_form = st.builds(
    lambda form, rest, first: f"{form} {rest}" if first else f"{rest}, {form}",
    st.sampled_from(_FORMS),
    _texts,
    st.booleans(),
)
company_names = st.one_of(_texts, _with_form)


@given(company_names)
def test_normalising_a_display_name_again_changes_nothing(raw):
    first = normalise_company_name(raw)
    again = normalise_company_name(first.display)

    assert again.display == first.display
    assert again.key == first.key


@given(st.text())
def test_normalise_company_name_never_raises(raw):
    normalise_company_name(raw)
