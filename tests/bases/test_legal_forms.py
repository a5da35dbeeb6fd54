"""Legal forms at either end of a company name, in every spelling a base uses."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zbut.bases import legal_forms
from zbut.bases.legal_form_variants import LEGAL_FORMS
from zbut.bases.legal_forms import _fold, split_legal_form


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ТОВ «Агро-Світ»", ("ТОВ", "«Агро-Світ»")),
        ("Агро-Світ, ТОВ", ("ТОВ", "Агро-Світ")),
        ('ТОВАРИСТВО З ОБМЕЖЕНОЮ ВІДПОВІДАЛЬНІСТЮ "АГРО-СВІТ"', ("ТОВ", '"АГРО-СВІТ"')),
        ("ООО 'Агросвит'", ("ТОВ", "'Агросвит'")),
        ("Общество с ограниченной ответственностью «Агросвит»", ("ТОВ", "«Агросвит»")),
        ("ТзОВ Агро", ("ТОВ", "Агро")),
        ("т.о.в. Агро", ("ТОВ", "Агро")),
        ("ТОВ. Агро", ("ТОВ", "Агро")),
        ("TOV Agro", ("ТОВ", "Agro")),
        ("Agro LLC", ("ТОВ", "Agro")),
        ("OOO Агросвит", ("ТОВ", "Агросвит")),
        ("ЧП Петренко", ("ПП", "Петренко")),
        ("Приватне підприємство «Мрія»", ("ПП", "«Мрія»")),
        ("ЗАТ «Оболонь»", ("ПрАТ", "«Оболонь»")),
        ("Приватне акціонерне товариство «Київстар»", ("ПрАТ", "«Київстар»")),
        ("ВАТ «Укрнафта»", ("ПАТ", "«Укрнафта»")),
        ("ОАО Укрнафта", ("ПАТ", "Укрнафта")),
        ("Акціонерне товариство «Укргазбанк»", ("АТ", "«Укргазбанк»")),
        ("СПД ФО Петренко І.І.", ("ФОП", "Петренко І.І.")),
        ("ФЛП Петренко", ("ФОП", "Петренко")),
        ("Фізична особа-підприємець Петренко Іван", ("ФОП", "Петренко Іван")),
        ("ГП «Антонов»", ("ДП", "«Антонов»")),
        ("Дочірнє підприємство «Агро»", ("ДП", "«Агро»")),
        ("КНП «Міська лікарня № 1»", ("КНП", "«Міська лікарня № 1»")),
        ("Комунальне підприємство «Водоканал»", ("КП", "«Водоканал»")),
        ("ФХ «Колос»", ("ФГ", "«Колос»")),
        ("Громадська організація «Світло»", ("ГО", "«Світло»")),
        ("ОДО «Гарант»", ("ТДВ", "«Гарант»")),
        ("СВК «Нива»", ("СВК", "«Нива»")),
        ("ОСББ «Сонячний»", ("ОСББ", "«Сонячний»")),
        ("Обʼєднання співвласників багатоквартирного будинку Сонячний", ("ОСББ", "Сонячний")),
        ("БО «Карітас»", ("БО", "«Карітас»")),
        ("Агро (ТОВ)", ("ТОВ", "Агро")),
        ("ТОВ ПП Агро", ("ТОВ", "Агро")),
    ],
)
def test_the_form_is_found_at_either_end_in_any_spelling(name, expected):
    assert split_legal_form(name) == expected


@pytest.mark.parametrize(
    "name", ["Мрія", "Патріот", "СТО-Сервіс", "AT Consulting", "Товариш", "Пасічник"]
)
def test_a_name_without_a_form_is_returned_whole(name):
    assert split_legal_form(name) == ("", name)


def test_a_form_alone_is_kept_as_the_name():
    assert split_legal_form("ФОП") == ("", "ФОП")


@pytest.mark.parametrize("form", list(LEGAL_FORMS))
def test_every_canonical_form_recognises_itself_and_its_variants(form):
    for variant in LEGAL_FORMS[form]:
        assert split_legal_form(f"{variant} «Агро»") == (form, "«Агро»")
        assert split_legal_form(f"Агро, {variant}") == (form, "Агро")


# Fast paths: _split_common decides the common shapes from remembered chunks, and _find_form
# looks words up chunk by chunk. Both must answer exactly as the general way does.

_SHAPES = [
    "ТОВ Агро-Світ 3",
    "ТОВ  Агро",
    "ТОВ\tАгро",
    "ТОВ\u00a0Агро",
    "ТОВ - Агро",
    "ТОВ, Агро",
    "ТОВ (Агро)",
    "ТОВ «Агро»",
    "ТОВ. Агро",
    "т.о.в. Агро",
    "Т. О. В. Агро",
    "ТОВ ПП Агро",
    "ТОВ Агро ПП",
    "ТОВ Агро, ТОВ",
    "ТОВ 12",
    "ТОВ -",
    "ТОВ )Агро",
    "ТОВ \u00a0Агро",
    "ТОВ \rАгро",
    "ТОВ ,(Агро",
    "ТОВ,Агро Плюс",
    "ТОВ-Агро Плюс",
    "СПД ФО Петренко",
    "СПД Петренко",
    "СПД ФОТО",
    "ФО-П Петренко",
    "ФО -П Петренко",
    "ФО - П Петренко",
    "Товариство з обмеженою відповідальністю Агро",
    "ТОВАРИСТВО З ОБМЕЖЕНОЮ ВІДПОВІДАЛЬНІСТЮ АГРО ПЛЮС",
    "Товариство  з обмеженою відповідальністю Агро",
    "Товариство з обмеженою відповідальністю, Агро",
    "Товариство з обмеженою Агро",
    "Приватне підприємство Мрія",
    "Приватне акціонерне товариство Мрія 3",
    "Фізична особа-підприємець Петренко Іван",
    "Агро, ТОВ",
    "Агро , ТзОВ",
    "Агро (ТОВ)",
    "Агро ТОВ.",
    "Агро Т.О.В.",
    "Агро Т. О. В",
    "Агро ПП, ТОВ",
    "Агро\t, ТОВ",
    "Агро', ТОВ",
    "Агро. ТОВ",
    "12, ТОВ",
    "Агро, Приватне підприємство",
    "ПП ТОВ",
    "AT Consulting",
    "TOV Agro",
    "OOO Агросвит",
    "Об'єднання співвласників багатоквартирного будинку Сонячний",
    "Мрія",
    "Мрія ТОВ Плюс",
    "",
]


@pytest.mark.parametrize("name", _SHAPES)
def test_the_fast_path_agrees_with_the_general_way(name):
    words = name.split()

    assert split_legal_form(name) == legal_forms._split_repeatedly(name.strip())
    assert split_legal_form(name, words=words) == split_legal_form(name)


def test_the_fast_path_decides_the_common_shapes():
    for name in ["ТОВ Агро 3", "Товариство з обмеженою відповідальністю Агро", "Агро, ТОВ"]:
        assert legal_forms._split_common(name, None) == legal_forms._split_repeatedly(name)


_VARIANTS = [variant for variants in LEGAL_FORMS.values() for variant in variants]
_written_forms = st.sampled_from(_VARIANTS).flatmap(
    lambda variant: st.sampled_from([variant, variant.upper(), variant.lower()])
)
_gaps = st.sampled_from(
    [" ", "  ", "\t", "\u00a0", ", ", " , ", " - ", "-", " (", ") ", ". ", " «"]
)
_rest_words = ["Агро", "СВІТ", "3", "Плюс", "ТОВ", "ПП", "Т.О.В.", "«Мрія»", "(Агро)", "-", "Агро,"]
_rest_words += ["Обʼєднання", "AT", "Tx", "і", "партнери", "Т", "О", "В", "ФО", "СПД", "LLC"]
_rests = st.one_of(
    st.lists(st.sampled_from(_rest_words), max_size=3).map(" ".join),
    st.text(alphabet="АгроСвітПлюсТОВПП3 -'ʼ.,«»()Tx\t", max_size=24),
)
_names_with_forms = st.one_of(
    st.builds(lambda form, gap, rest: form + gap + rest, _written_forms, _gaps, _rests),
    st.builds(lambda form, gap, rest: rest + gap + form, _written_forms, _gaps, _rests),
    st.builds(
        lambda a, gap, rest, b: a + gap + rest + gap + b,
        _written_forms,
        _gaps,
        _rests,
        _written_forms,
    ),
)


@given(_names_with_forms)
def test_the_fast_path_agrees_with_the_general_way_on_any_name(name):
    assert split_legal_form(name) == legal_forms._split_repeatedly(name.strip())


@pytest.mark.parametrize("name", [*_SHAPES, "Агро" * 12 + " ТОВ", "ТОВ " + "Агро" * 12, "«» ТОВ"])
def test_words_are_found_chunk_by_chunk_as_the_regex_finds_them(name):
    first = legal_forms._TOKEN.search(name[:40])
    tail = legal_forms._TOKEN.findall(name[-40:])
    head = name[:40].split()

    found_first = legal_forms._first_worded(head)
    found_last = legal_forms._last_worded(name[-40:].split())

    assert (found_first is None) == (first is None)
    assert (found_last is None) == (not tail)
    if first is not None:
        assert found_first.starts is legal_forms._BY_FIRST_WORD.get(_fold(first.group()))
    if tail:
        assert found_last.ends is legal_forms._BY_LAST_WORD.get(_fold(tail[-1]))
