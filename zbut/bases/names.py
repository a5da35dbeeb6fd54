"""Company names of an imported base: a display name for the desk and a key for duplicates.

Bases come from registries that write names in capitals, from sites that use every kind of
quote, and from people who type "Cвiт" with a Latin C and i on a mixed keyboard. The display name
is what a manager reads aloud; the key makes "ТОВ «Агро-Світ»", "Агро-Світ, ТОВ" and
"ООО «Агро-Cвiт»" one company.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from zbut.bases.legal_forms import LATIN_LOOKALIKES, split_legal_form

APOSTROPHE = "ʼ"  # U+02BC, the apostrophe of Ukrainian orthography (ДСТУ 4163 fonts, Unicode)

# A quote between two letters is an apostrophe (Обʼєднання); anywhere else it is a quote.
_APOSTROPHE_BETWEEN_LETTERS = re.compile(r"(?<=[^\W\d_])['’ʼ`‘](?=[^\W\d_])")
_QUOTES = re.compile(r"[«»“”„‟\"'‘’‚‹›`]")
_DASHES = re.compile("[‐‑‒–—―−]")
_SPACED_HYPHEN = re.compile(r"\s*-\s*")
_WORD = re.compile(r"[^\W\d_]+(?:ʼ[^\W\d_]+)*")
_LATIN_TO_CYRILLIC = str.maketrans(LATIN_LOOKALIKES)
_ANY_LATIN_LOOKALIKE = re.compile("[" + "".join(LATIN_LOOKALIKES) + "]")
_VOWELS = frozenset("аеєиіїоуюяыэёaeiouy")
_KEY_DROP = re.compile(r"[\W_ʼ]+")


@dataclass(frozen=True, slots=True)
class NormalisedName:
    legal_form: str
    display: str
    key: str


def normalise_company_name(raw: str) -> NormalisedName:
    """Legal form, display name and duplicate key of a company name as a base wrote it.

    Idempotent: normalising ``display`` again gives the same display and key, so a re-import
    of our own export changes nothing.
    """
    # Each step is guarded by a cheap test: 100 000 names, most of them clean.
    text = raw
    if _QUOTES.search(text):
        text = _QUOTES.sub(" ", _APOSTROPHE_BETWEEN_LETTERS.sub(APOSTROPHE, text))
    if _DASHES.search(text):
        text = _DASHES.sub("-", text)
    text = " ".join(text.split())
    if " -" in text or "- " in text:
        text = _SPACED_HYPHEN.sub("-", text).strip("-")
    if _ANY_LATIN_LOOKALIKE.search(text):
        text = _WORD.sub(_fix_lookalikes, text)
    legal_form, rest = split_legal_form(text)
    display = _title_if_shouting(rest)
    return NormalisedName(legal_form=legal_form, display=display, key=name_key(display))


def name_key(display: str) -> str:
    """Casefolded letters and digits only: spacing, hyphens and apostrophes do not separate
    companies ("Агро-Світ" = "Агро Світ" = "АгроСвіт")."""
    return _KEY_DROP.sub("", display.casefold())


def _fix_lookalikes(word: re.Match[str]) -> str:
    """Latin look-alikes → Cyrillic, only in a word that is mostly Cyrillic already.

    "Cвiт" (two of four letters Latin) is a Cyrillic word typed on a mixed keyboard; "Metro"
    and "LLC" are Latin words and stay as written.
    """
    text = word.group()
    cyrillic = sum("\u0400" <= char <= "\u04ff" for char in text)
    if cyrillic == 0 or cyrillic * 2 < len(text.replace(APOSTROPHE, "")):
        return text
    return text.translate(_LATIN_TO_CYRILLIC)


def _title_if_shouting(name: str) -> str:
    """An ALL-CAPS name (registries write them so) becomes "Агро-Світ"; mixed case is kept.

    A word without vowels stays in capitals: it is an abbreviation (НВП, ТД, ВКФ). A short word
    with a vowel (АТБ) cannot be told from a word and is title-cased.
    """
    if not name.isupper():
        return name
    return _WORD.sub(_title_word, name)


def _title_word(word: re.Match[str]) -> str:
    text = word.group()
    if not _VOWELS.intersection(text.casefold()):
        return text
    return text[0] + text[1:].lower()
