"""Organisational and legal forms (організаційно-правові форми) in company names.

Bases bought or exported from registries write the form in every way: abbreviated or in full,
Ukrainian, Russian (the pre-2016 registry and most old bases) or Latin, before or after the name,
with or without dots and quotes. The desk shows one canonical Ukrainian abbreviation, and the
duplicate key ignores the form, so "ООО «Агросвіт»" and "Агросвіт, ТОВ" are one company.

Forms follow the classifier КОПФГ (ДК 002:2004) and the Civil and Commercial Codes; the Russian
variants are those of the same classifier before 2016 (ЗАТ/ВАТ became ПрАТ/ПАТ under the Law
"On joint-stock companies" of 2008, https://zakon.rada.gov.ua/laws/show/514-17).
"""

from __future__ import annotations

import re

# Latin letters typed instead of the Cyrillic letters they look like (a mixed keyboard, OCR, a
# copy from a PDF). names.py fixes them in names; here they let "OOO" or "TOB" in Latin match.
LATIN_LOOKALIKES: dict[str, str] = {
    "A": "А", "a": "а", "B": "В", "b": "в", "C": "С", "c": "с", "E": "Е", "e": "е",
    "H": "Н", "h": "н", "I": "І", "i": "і", "K": "К", "k": "к", "M": "М", "m": "м",
    "O": "О", "o": "о", "P": "Р", "p": "р", "T": "Т", "t": "т", "X": "Х", "x": "х",
    "Y": "У", "y": "у", "Ï": "Ї", "ï": "ї",
}  # fmt: skip

# Canonical form → the ways bases write it. ДП stands for both "державне" and "дочірнє
# підприємство": Ukrainian usage abbreviates both as ДП, the name rarely says which, and the
# ЄДРПОУ record (not the name) is the authority on the form. СТ stays apart from СВК because it
# is as often a gardening society (садівниче товариство) as an agricultural one.
LEGAL_FORMS: dict[str, tuple[str, ...]] = {
    "ТОВ": (
        "ТОВ", "ТзОВ", "ООО", "TOV", "LLC", "Товариство з обмеженою відповідальністю",
        "Общество с ограниченной ответственностью", "Limited Liability Company",
    ),
    "ТДВ": (
        "ТДВ", "ОДО", "Товариство з додатковою відповідальністю",
        "Общество с дополнительной ответственностью",
    ),
    "ПрАТ": (
        "ПрАТ", "ЧАО", "ЗАТ", "ЗАО", "PrJSC", "Приватне акціонерне товариство",
        "Частное акционерное общество", "Закрите акціонерне товариство",
        "Закрытое акционерное общество",
    ),
    "ПАТ": (
        "ПАТ", "ПАО", "ВАТ", "ОАО", "PJSC", "Публічне акціонерне товариство",
        "Публичное акционерное общество", "Відкрите акціонерне товариство",
        "Открытое акционерное общество",
    ),
    "АТ": ("АТ", "АО", "JSC", "Акціонерне товариство", "Акционерное общество"),
    "ФОП": (
        "ФОП", "ФО-П", "ФЛП", "СПД ФО", "СПД ФЛ", "СПД", "Фізична особа-підприємець",
        "Физическое лицо-предприниматель", "Суб'єкт підприємницької діяльності фізична особа",
        "Суб'єкт підприємницької діяльності", "Субъект предпринимательской деятельности",
    ),
    "ПСП": ("ПСП", "ЧСП", "Приватне сільськогосподарське підприємство"),
    "ПП": ("ПП", "ЧП", "Приватне підприємство", "Частное предприятие"),
    "ДП": (
        "ДП", "ГП", "Державне підприємство", "Дочірнє підприємство",
        "Государственное предприятие", "Дочернее предприятие",
    ),
    "КНП": (
        "КНП", "Комунальне некомерційне підприємство", "Коммунальное некоммерческое предприятие",
    ),
    "КП": ("КП", "Комунальне підприємство", "Коммунальное предприятие"),
    "ФГ": (
        "ФГ", "ФХ", "СФГ", "Фермерське господарство", "Фермерское хозяйство",
        "Селянське фермерське господарство",
    ),
    "ГО": ("ГО", "ОО", "Громадська організація", "Общественная организация"),
    "ПТ": ("ПТ", "Повне товариство", "Полное товарищество"),
    "КТ": ("КТ", "Командитне товариство", "Коммандитное товарищество"),
    "СВК": (
        "СВК", "СГВК", "СПК", "Сільськогосподарський виробничий кооператив",
        "Сільськогосподарський кооператив", "Сельскохозяйственный производственный кооператив",
    ),
    "СТ": ("СТ",),
    "ОСББ": (
        "ОСББ", "ОСМД", "Об'єднання співвласників багатоквартирного будинку",
        "Объединение совладельцев многоквартирного дома",
    ),
    "БО": ("БО", "Благодійна організація", "Благотворительная организация"),
}  # fmt: skip

_QUOTES = "«»“”„\"'‘’‚‹›`"
_APOSTROPHES = "'’ʼ`"
_LETTER_CLASS: dict[str, str] = {}
for _latin, _cyrillic in LATIN_LOOKALIKES.items():
    _LETTER_CLASS[_cyrillic] = _LETTER_CLASS.get(_cyrillic, _cyrillic) + _latin
    _LETTER_CLASS[_latin] = _LETTER_CLASS.get(_latin, _latin) + _cyrillic


def _variant_pattern(variant: str) -> str:
    """A regex for one variant: any case, dots after letters of an abbreviation, look-alikes.

    Two-letter abbreviations match only in Cyrillic: "AT Consulting" is not an АТ.
    """
    is_abbreviation = " " not in variant and len(variant) <= 6
    twins = len(variant) > 2
    parts = []
    for char in variant:
        if char in " -":
            parts.append(r"(?:\s*[-‐–—]\s*|\s+)")
        elif char == "'":
            parts.append(f"[{_APOSTROPHES}]?")
        else:
            letters = _LETTER_CLASS.get(char, char) if twins else char
            parts.append(f"[{re.escape(letters)}]" if len(letters) > 1 else re.escape(letters))
            if is_abbreviation:
                parts.append(r"(?:\.\s*)?")
    return "".join(parts)


_SEPARATORS = " \t\n,;:-–—("
_TOKEN = re.compile(r"[^\W\d_]+(?:[" + _APOSTROPHES + r"][^\W\d_]+)*")
_FOLD = str.maketrans({**LATIN_LOOKALIKES, **dict.fromkeys(_APOSTROPHES, "")})
_LEADING = r"^[\s{q}(]*(?:{alternatives})\.?(?=$|[\s{q},;:()])[\s,;:)\-–—]*"
_TRAILING = r"(?<![\w{a}])[\s(,;]*(?:{alternatives})\.?[\s.){q}]*$"


_ALPHANUMERIC = re.compile(r"[^\W_]")
_NEEDS_FOLD = re.compile("[" + re.escape("".join(LATIN_LOOKALIKES) + _APOSTROPHES) + "]")


def _fold(token: str) -> str:
    # str.translate walks a dict per character (~1 µs a word); most words need nothing.
    if _NEEDS_FOLD.search(token):
        token = token.translate(_FOLD)
    return token.casefold()


def _patterns_by_edge_word(template: str, *, last: bool) -> dict[str, tuple[re.Pattern, list]]:
    """For each first (or last) word of a variant, a regex of only the variants it starts.

    One alternation of all ~90 variants costs ~10 µs a name; indexing by the edge word makes
    most names skip the regex and the rest try a handful of variants. An abbreviation is also
    indexed by its first (last) letter, for "Т. О. В." written with spaced dots. Each variant is
    its own group, so ``match.lastindex`` names the canonical form.
    """
    grouped: dict[str, list[tuple[str, str]]] = {}
    for form, variants in LEGAL_FORMS.items():
        for variant in variants:
            tokens = _TOKEN.findall(variant)
            keys = {_fold(tokens[-1] if last else tokens[0])}
            if " " not in variant:
                keys.add(_fold(variant[-1] if last else variant[0]))
            for key in keys:
                grouped.setdefault(key, []).append((variant, form))
    patterns = {}
    for key, pairs in grouped.items():
        # Longest first, so "СПД ФО" wins over "СПД" and "Товариство з …" over "ТОВ".
        pairs.sort(key=lambda pair: len(pair[0]), reverse=True)
        alternatives = "|".join(f"({_variant_pattern(variant)})" for variant, _ in pairs)
        regex = template.format(alternatives=alternatives, q=_QUOTES, a=_APOSTROPHES)
        patterns[key] = (re.compile(regex, re.IGNORECASE), [form for _, form in pairs])
    return patterns


_BY_FIRST_WORD = _patterns_by_edge_word(_LEADING, last=False)
_BY_LAST_WORD = _patterns_by_edge_word(_TRAILING, last=True)


def split_legal_form(name: str) -> tuple[str, str]:
    """``(canonical form, the rest of the name)``; ``("", name)`` when no form is written.

    Forms are taken off both ends, repeatedly ("ТОВ «ПП Агро»" → ТОВ, "Агро»"), because a base
    that writes two forms means one company, and because names.py needs normalising to be
    idempotent. The first form found is returned. A form that is the whole name stays a name.
    """
    rest, form = name.strip(), ""
    while True:
        found = _find_form(rest)
        if found is None:
            return form, rest
        written, start, end = found
        remainder = (rest[:start] + rest[end:]).strip(_SEPARATORS)
        if not _ALPHANUMERIC.search(remainder):
            return form, rest
        form, rest = form or written, remainder


def _find_form(name: str) -> tuple[str, int, int] | None:
    """``(canonical form, start, end)`` of a form written at either end of ``name``."""
    first = _TOKEN.search(name[:40])
    if first is None:
        return None
    leading = _BY_FIRST_WORD.get(_fold(first.group()))
    if leading and (found := leading[0].match(name)):
        return leading[1][found.lastindex - 1], found.start(), found.end()
    tail = _TOKEN.findall(name[-40:])
    trailing = _BY_LAST_WORD.get(_fold(tail[-1])) if tail else None
    if trailing and (found := trailing[0].search(name, max(0, len(name) - 80))):
        return trailing[1][found.lastindex - 1], found.start(), found.end()
    return None
