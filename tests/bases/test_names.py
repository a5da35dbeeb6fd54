"""Company names: display name for the desk, key for duplicates."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, fields

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zbut.bases import names
from zbut.bases.legal_form_variants import LEGAL_FORMS
from zbut.bases.names import NormalisedName, name_key, normalise_company_name


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


# Fast paths: each must give what the plain way gives.

_SHOUTING = [
    "АГРО-СВІТ ПЛЮС 3",
    "НВП ЕКО-ТЕХ",
    "ОБʼЄДНАННЯ ЛАН",
    "ТД  АТБ",
    "3Д-ПРИНТ ЦЕНТР",
    "ΑΣ ΣΑ",
    "",
]
_MIXED = ["Агро-Cвiт", "ПРОMТЕХ 3", "Metro Cash & Carry Україна", "Нивa-Днiпpo", "Cвiт'Ї", "12ТOB"]


@pytest.mark.parametrize("name", _SHOUTING)
def test_titling_chunk_by_chunk_titles_as_the_word_regex_does(name):
    assert names._title_shouting(name) == names._WORD.sub(names._title_word, name)


@pytest.mark.parametrize("text", _MIXED)
def test_fixing_look_alikes_chunk_by_chunk_fixes_as_the_word_regex_does(text):
    words = text.split()

    names._fix_lookalikes_by_chunk(words)

    assert " ".join(words) == names._WORD.sub(names._fix_lookalikes, " ".join(text.split()))


@pytest.mark.parametrize(
    "display", ["Агро-Світ 3", "Обʼєднання Лан", "Agro_Tech", "A & B", "№ 1", ""]
)
def test_the_key_shortcut_keeps_what_the_regex_keeps(display):
    assert name_key(display) == names._KEY_DROP.sub("", display.casefold())


@given(_texts)
def test_the_fast_paths_agree_with_the_plain_ways_on_any_text(text):
    shouting = text.upper()
    words = text.split()
    names._fix_lookalikes_by_chunk(words)

    assert name_key(text) == names._KEY_DROP.sub("", text.casefold())
    assert names._title_shouting(shouting) == names._WORD.sub(names._title_word, shouting)
    assert " ".join(words) == names._WORD.sub(names._fix_lookalikes, " ".join(text.split()))


def test_a_name_is_built_as_its_dataclass_builds_it():
    built = names._new_normalised_name("ТОВ", "Агро", "агро")
    constructed = NormalisedName(legal_form="ТОВ", display="Агро", key="агро")

    assert [field.name for field in fields(NormalisedName)] == ["legal_form", "display", "key"]
    assert built == constructed
    assert hash(built) == hash(constructed)
    assert repr(built) == repr(constructed)
    with pytest.raises(FrozenInstanceError):
        built.key = "x"  # type: ignore[misc]
