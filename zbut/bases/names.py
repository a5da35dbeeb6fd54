"""Company names of an imported base: a display name for the desk and a key for duplicates.

Bases come from registries that write names in capitals, from sites that use every kind of
quote, and from people who type "Cвiт" with a Latin C and i on a mixed keyboard. The display name
is what a manager reads aloud; the key makes "ТОВ «Агро-Світ»", "Агро-Світ, ТОВ" and
"ООО «Агро-Cвiт»" one company.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from zbut.bases.legal_form_variants import LATIN_LOOKALIKES
from zbut.bases.legal_forms import split_legal_form

APOSTROPHE = "ʼ"  # U+02BC, the apostrophe of Ukrainian orthography (ДСТУ 4163 fonts, Unicode)

# A quote between two letters is an apostrophe (Обʼєднання); anywhere else it is a quote.
_APOSTROPHE_BETWEEN_LETTERS = re.compile(r"(?<=[^\W\d_])['’ʼ`‘](?=[^\W\d_])")
_QUOTES = re.compile(r"[«»“”„‟\"'‘’‚‹›`]")
_DASHES = re.compile("[‐‑‒–—―−]")
_SPACED_HYPHEN = re.compile(r"\s*-\s*")
_WORD = re.compile(r"[^\W\d_]+(?:ʼ[^\W\d_]+)*")
_LATIN_TO_CYRILLIC = str.maketrans(LATIN_LOOKALIKES)
_ANY_LATIN_LOOKALIKE = re.compile("[" + "".join(LATIN_LOOKALIKES) + "]")
_DASH_OR_LOOKALIKE = re.compile("[‐‑‒–—―−" + "".join(LATIN_LOOKALIKES) + "]")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_VOWELS = frozenset("аеєиіїоуюяыэёaeiouy")
_KEY_DROP = re.compile(r"[\W_ʼ]+")


@dataclass(frozen=True, slots=True)
class NormalisedName:
    legal_form: str
    display: str
    key: str


# A frozen dataclass's __init__ sets each field through object.__setattr__, an attribute
# lookup and a call apiece (~0.6 µs, a twelfth of normalising a name); setting the slots
# through their descriptors builds the same object in half the time. The test
# test_a_name_is_built_as_its_dataclass_builds_it fails if a field is added.
_set_legal_form = NormalisedName.legal_form.__set__  # type: ignore[attr-defined]
_set_display = NormalisedName.display.__set__  # type: ignore[attr-defined]
_set_key = NormalisedName.key.__set__  # type: ignore[attr-defined]


def _new_normalised_name(legal_form: str, display: str, key: str) -> NormalisedName:
    name = object.__new__(NormalisedName)
    _set_legal_form(name, legal_form)
    _set_display(name, display)
    _set_key(name, key)
    return name


def normalise_company_name(raw: str) -> NormalisedName:
    """Legal form, display name and duplicate key of a company name as a base wrote it.

    Idempotent: normalising ``display`` again gives the same display and key, so a re-import
    of our own export changes nothing.
    """
    # Each step is guarded by a cheap test: 100 000 names, most of them clean. Quotes are the
    # exception (four names in five have them), so they are replaced without a test. Most are
    # «» or "": the lookbehind regex (~1 µs a name) runs only when a quote that may be an
    # apostrophe is there; ʼ itself needs no replacing.
    text = raw
    if "'" in text or "’" in text or "`" in text or "‘" in text:
        text = _APOSTROPHE_BETWEEN_LETTERS.sub(APOSTROPHE, text)
    text = _QUOTES.sub(" ", text)
    # Dashes and Latin look-alikes are rare (one name in seven has either): one search rules
    # out both, and no step in between adds or removes one.
    has_dash_or_latin = _DASH_OR_LOOKALIKE.search(text) is not None
    if has_dash_or_latin and _DASHES.search(text):
        text = _DASHES.sub("-", text)
    words = text.split()
    if has_dash_or_latin and _ANY_LATIN_LOOKALIKE.search(text):
        # Before spaced hyphens are joined, which neither splits nor merges words.
        _fix_lookalikes_by_chunk(words)
    text = " ".join(words)
    if " -" in text or "- " in text:
        text = _SPACED_HYPHEN.sub("-", text).strip("-")
        words = text.split()
    legal_form, rest = split_legal_form(text, words=words)
    # An ALL-CAPS name (registries write them so) is title-cased; mixed case is kept.
    display = _title_shouting(rest) if rest.isupper() else rest
    return _new_normalised_name(legal_form, display, name_key(display))


def name_key(display: str) -> str:
    """Casefolded letters and digits only: spacing, hyphens and apostrophes do not separate
    companies ("Агро-Світ" = "Агро Світ" = "АгроСвіт")."""
    folded = display.casefold()
    # Most keys are words, digits, spaces and hyphens: str.replace and isalnum (the same test
    # as the regex's \w, less "_") are ~4x cheaper than the regex over the whole name.
    compact = folded.replace(" ", "").replace("-", "")
    if compact.isalnum() and APOSTROPHE not in compact:
        return compact
    return _KEY_DROP.sub("", folded)


def _fix_lookalikes_by_chunk(chunks: list[str]) -> None:
    """_fix_word on every word of the whitespace-separated chunks, in place: a word never spans
    whitespace, and in most chunks of a name with Latin letters ("ТОВ", "TransWay", "353") no
    word can change."""
    for i, chunk in enumerate(chunks):
        if chunk.isascii() or not _ANY_LATIN_LOOKALIKE.search(chunk):
            continue
        # A chunk of letters only is one word: no need for the word regex.
        chunks[i] = _fix_word(chunk) if chunk.isalpha() else _WORD.sub(_fix_lookalikes, chunk)


def _fix_lookalikes(word: re.Match[str]) -> str:
    return _fix_word(word.group())


def _fix_word(text: str) -> str:
    """Latin look-alikes → Cyrillic, only in a word that is mostly Cyrillic already.

    "Cвiт" (two of four letters Latin) is a Cyrillic word typed on a mixed keyboard; "Metro"
    and "LLC" are Latin words and stay as written.
    """
    # Only words with a look-alike can change; most words of such a name have none.
    if text.isascii() or not _ANY_LATIN_LOOKALIKE.search(text):
        return text
    cyrillic = len(_CYRILLIC.findall(text))
    if cyrillic == 0 or cyrillic * 2 < len(text.replace(APOSTROPHE, "")):
        return text
    return text.translate(_LATIN_TO_CYRILLIC)


def _title_shouting(name: str) -> str:
    """An ALL-CAPS name becomes "Агро-Світ".

    A word without vowels stays in capitals: it is an abbreviation (НВП, ТД, ВКФ). A short word
    with a vowel (АТБ) cannot be told from a word and is title-cased.
    """
    # Chunk by chunk, as a word never spans a space; the chunks of shouting names repeat
    # (ПЛЮС, ОЛЕКСАНДРОВИЧ), so each is titled once.
    return " ".join([_TITLED.get(chunk) or _title_chunk(chunk) for chunk in name.split(" ")])


# Chunk of a shouting name → the chunk titled; cleared when full, so memory stays bounded.
_TITLED: dict[str, str] = {}
_TITLED_MAX = 20_000


def _title_chunk(chunk: str) -> str:
    # Most chunks are one word (all letters) or a number and need no word regex, which reads
    # every character against Unicode tables.
    if chunk.isalpha():
        titled = _title_case(chunk)
    elif chunk.isdecimal():
        titled = chunk
    else:
        titled = _WORD.sub(_title_word, chunk)
    if len(_TITLED) >= _TITLED_MAX:
        _TITLED.clear()
    _TITLED[chunk] = titled
    return titled


def _title_word(word: re.Match[str]) -> str:
    return _title_case(word.group())


def _title_case(word: str) -> str:
    if _VOWELS.isdisjoint(word.casefold()):
        return word
    return word[0] + word[1:].lower()
