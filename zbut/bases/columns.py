"""Recognising the columns of a base by their Ukrainian, Russian or English headers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _


class Field(models.TextChoices):
    NAME = "name", _("Назва компанії")
    ADDRESS = "address", _("Адреса")
    PHONES = "phones", _("Телефони")
    CONTACT_PERSON = "contact_person", _("Контактна особа")
    EMAILS = "emails", _("E-mail")
    SOURCE = "source", _("Джерело")
    CATEGORY = "category", _("Категорія")
    EDRPOU = "edrpou", _("ЄДРПОУ / РНОКПП")
    REGION = "region", _("Регіон")


# Header words, already folded by `fold_header`. The first list item is the canonical one.
SYNONYMS: dict[Field, tuple[str, ...]] = {
    Field.NAME: (
        "назва",
        "назва компанії",
        "назва підприємства",
        "найменування",
        "компанія",
        "підприємство",
        "организация",
        "название",
        "название компании",
        "наименование",
        "компания",
        "предприятие",
        "name",
        "company",
        "company name",
        "organization",
    ),
    Field.ADDRESS: (
        "адреса",
        "фактична адреса",
        "юридична адреса",
        "місцезнаходження",
        "адрес",
        "фактический адрес",
        "юридический адрес",
        "address",
        "legal address",
    ),
    Field.PHONES: (
        "телефони",
        "телефон",
        "тел",
        "номер телефону",
        "контактний телефон",
        "телефоны",
        "номер телефона",
        "контактный телефон",
        "phones",
        "phone",
        "tel",
        "telephone",
        "mobile",
    ),
    Field.CONTACT_PERSON: (
        "контактна особа",
        "контакт",
        "особа",
        "опр",
        "керівник",
        "директор",
        "пiб",
        "піб",
        "контактное лицо",
        "фио",
        "руководитель",
        "contact",
        "contact person",
        "decision maker",
    ),
    Field.EMAILS: ("email", "e-mail", "e mail", "пошта", "електронна пошта", "почта", "mail"),
    Field.SOURCE: ("джерело", "источник", "source"),
    Field.CATEGORY: (
        "категорія",
        "категория",
        "category",
        "квед",
        "вид діяльності",
        "вид деятельности",
        "галузь",
        "отрасль",
        "kved",
        "industry",
    ),
    Field.EDRPOU: (
        "єдрпоу",
        "код єдрпоу",
        "едрпоу",
        "егрпоу",
        "код егрпоу",
        "edrpou",
        "рнокпп",
        "іпн",
        "инн",
        "код",
        "ідентифікаційний код",
    ),
    Field.REGION: ("регіон", "область", "регион", "region", "oblast"),
}

_LOOKUP: dict[str, Field] = {word: f for f, words in SYNONYMS.items() for word in words}
_NOISE = re.compile(r"[\s_.:()\[\]№#*\"'«»]+")


def fold_header(header: str) -> str:
    return _NOISE.sub(" ", header.replace("\ufeff", "")).strip().casefold().replace("ё", "е")


@dataclass(frozen=True)
class ColumnMapping:
    """Which column index feeds which field; the rest are kept as extra attributes."""

    headers: tuple[str, ...]
    fields: dict[int, Field] = field(default_factory=dict)

    @property
    def extra_columns(self) -> dict[int, str]:
        return {
            i: header for i, header in enumerate(self.headers) if i not in self.fields and header
        }

    def index_of(self, target: Field) -> list[int]:
        return [i for i, f in self.fields.items() if f == target]

    @property
    def has_name(self) -> bool:
        return Field.NAME in self.fields.values()


def guess_mapping(headers: Sequence[str]) -> ColumnMapping:
    """The best guess of the fields from the header row.

    Several phone or e-mail columns all feed their field; of any other field only the first
    matching column is taken and later ones are kept as extra attributes.
    """
    fields: dict[int, Field] = {}
    for index, header in enumerate(headers):
        target = _match(fold_header(header))
        if target is None:
            continue
        repeatable = target in {Field.PHONES, Field.EMAILS}
        if repeatable or target not in fields.values():
            fields[index] = target
    return ColumnMapping(headers=tuple(h.strip() for h in headers), fields=fields)


def _match(folded: str) -> Field | None:
    if folded in _LOOKUP:
        return _LOOKUP[folded]
    # "Телефон 2", "E-mail (основний)": a known word followed by a qualifier.
    for word, target in _LOOKUP.items():
        if len(word) >= 5 and (folded.startswith(word + " ") or folded.endswith(" " + word)):
            return target
    return None


def mapping_from_choices(headers: Sequence[str], choices: dict[int, str]) -> ColumnMapping:
    """A mapping the coordinator fixed on the mapping screen (index → field or "")."""
    fields = {i: Field(value) for i, value in choices.items() if value and i < len(headers)}
    return ColumnMapping(headers=tuple(h.strip() for h in headers), fields=fields)
