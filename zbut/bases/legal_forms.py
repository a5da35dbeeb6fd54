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
from dataclasses import dataclass

from zbut.bases.legal_form_variants import LATIN_LOOKALIKES, LEGAL_FORMS

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
            for key in _index_keys(variant, last=last):
                grouped.setdefault(key, []).append((variant, form))
    patterns = {}
    for key, pairs in grouped.items():
        # Longest first, so "СПД ФО" wins over "СПД" and "Товариство з …" over "ТОВ".
        pairs.sort(key=lambda pair: len(pair[0]), reverse=True)
        alternatives = "|".join(f"({_variant_pattern(variant)})" for variant, _ in pairs)
        regex = template.format(alternatives=alternatives, q=_QUOTES, a=_APOSTROPHES)
        patterns[key] = (_LazyRegex(regex), [form for _, form in pairs])
    return patterns


class _LazyRegex:
    """A case-insensitive regex compiled when it is first used.

    Compiling all ~170 regexes of the edge words took 0.2 s of every process's start (the web
    server's, each command's), and a process meets only the forms its names are written in.
    """

    __slots__ = ("_regex", "_source")

    def __init__(self, source: str) -> None:
        self._source = source
        self._regex: re.Pattern[str] | None = None

    def _compiled(self) -> re.Pattern[str]:
        if self._regex is None:
            self._regex = re.compile(self._source, re.IGNORECASE)
        return self._regex

    def match(self, text: str) -> re.Match[str] | None:
        return self._compiled().match(text)

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
        return self._compiled().search(text, pos)


def _index_keys(variant: str, *, last: bool) -> set[str]:
    tokens = _TOKEN.findall(variant)
    keys = {_fold(tokens[-1] if last else tokens[0])}
    if " " not in variant:
        keys.add(_fold(variant[-1] if last else variant[0]))
    return keys


_BY_FIRST_WORD = _patterns_by_edge_word(_LEADING, last=False)
_BY_LAST_WORD = _patterns_by_edge_word(_TRAILING, last=True)


def _most_words_by_edge_word(*, last: bool) -> dict[str, int]:
    """For each first (or last) word, the most words of a variant indexed under it: the most
    chunks of a name a match of those variants can take ("Товариство з обмеженою
    відповідальністю", 4; "ФО-П", 2; "ТОВ", 1), as only between words may one read whitespace
    (see _variant_pattern; an abbreviation's dots aside)."""
    most: dict[str, int] = {}
    for variants in LEGAL_FORMS.values():
        for variant in variants:
            words = len(re.split("[ -]", variant))
            for key in _index_keys(variant, last=last):
                most[key] = max(most.get(key, 1), words)
    return most


_LEADING_SPANS = _most_words_by_edge_word(last=False)
_TRAILING_SPANS = _most_words_by_edge_word(last=True)


def split_legal_form(name: str, *, words: list[str] | None = None) -> tuple[str, str]:
    """``(canonical form, the rest of the name)``; ``("", name)`` when no form is written.

    Forms are taken off both ends, repeatedly ("ТОВ «ПП Агро»" → ТОВ, "Агро»"), because a base
    that writes two forms means one company, and because names.py needs normalising to be
    idempotent. The first form found is returned. A form that is the whole name stays a name.
    ``words`` is ``name.split()`` when the caller has it already, so it is not split again.
    """
    rest = name.strip()
    common = _split_common(rest, words)
    return common if common is not None else _split_repeatedly(rest)


def _split_repeatedly(rest: str) -> tuple[str, str]:
    """split_legal_form on a stripped name, form by form: the general way."""
    form = ""
    while True:
        found = _find_form(rest)
        if found is None:
            return form, rest
        written, start, end = found
        remainder = (rest[:start] + rest[end:]).strip(_SEPARATORS)
        # A remainder usually starts with a letter: the regex only looks further when not.
        if not (remainder[:1].isalnum() or _ALPHANUMERIC.search(remainder)):
            return form, rest
        form, rest = form or written, remainder


def _find_form(name: str) -> tuple[str, int, int] | None:
    """``(canonical form, start, end)`` of a form written at either end of ``name``."""
    head = name[:40].split()
    first = _first_worded(head)
    if first is None:
        return None
    leading = first.starts
    if leading and (found := leading[0].match(name)):
        return leading[1][found.lastindex - 1], found.start(), found.end()
    last = _last_worded(head if len(name) <= 40 else name[-40:].split())
    trailing = last.ends if last is not None else None
    if trailing and (found := trailing[0].search(name, max(0, len(name) - 80))):
        return trailing[1][found.lastindex - 1], found.start(), found.end()
    return None


# Words are looked up by the whitespace-separated chunks of the 40-character windows: no word
# spans whitespace, so the first word of a window is the first word of its first chunk that has
# one (the last likewise from the end). Chunks repeat across a base ("ТОВ", "Плюс", "3"), so each
# is searched and folded once (_Chunk) instead of a regex search and a fold per name and end.


_Patterns = tuple[_LazyRegex, list[str]]  # a value of _BY_FIRST_WORD or _BY_LAST_WORD


@dataclass(frozen=True, slots=True)  # slots: the hot lookups read fields fast
class _Chunk:
    """What finding forms needs to know of a whitespace-free chunk of a name."""

    has_word: bool
    # The regexes of the forms its first word may start and its last word may end (from
    # _BY_FIRST_WORD, _BY_LAST_WORD); None when none does, as for most chunks.
    starts: _Patterns | None = None
    ends: _Patterns | None = None
    span: int = 0  # chunks a leading form that starts with it can take
    leading: tuple[str, int, int] | tuple[()] = ()  # _leading_prefix_match of it alone
    trailing: str = ""  # _trailing_chunk_form of it


_NO_WORD = _Chunk(has_word=False)
_PLAIN_WORD = _Chunk(has_word=True)


def _first_worded(chunks: list[str]) -> _Chunk | None:
    for chunk in chunks:
        known = _CHUNKS.get(chunk) or _learn_chunk(chunk)
        if known.has_word:
            return known
    return None


def _last_worded(chunks: list[str]) -> _Chunk | None:
    for chunk in reversed(chunks):
        known = _CHUNKS.get(chunk) or _learn_chunk(chunk)
        if known.has_word:
            return known
    return None


# Chunk → _Chunk; cleared when full, so a long-lived worker's memory stays bounded.
_CHUNKS: dict[str, _Chunk] = {}
_CHUNKS_MAX = 20_000


def _learn_chunk(chunk: str) -> _Chunk:
    if chunk.isalpha():  # most chunks: one word, all letters
        first = last = _fold(chunk)
    elif (found := _TOKEN.search(chunk)) is None:
        first = last = None
    else:
        first = _fold(found.group())
        # The last word is the first word of the chunk reversed: a word (letters joined by
        # single apostrophes) reads the same both ways.
        reversed_last = _TOKEN.search(chunk[::-1])
        last = _fold(reversed_last.group()[::-1]) if reversed_last else None
    if first is None or last is None:
        known = _NO_WORD
    elif (starts := _BY_FIRST_WORD.get(first)) is None and last not in _BY_LAST_WORD:
        known = _PLAIN_WORD
    else:
        ends = _BY_LAST_WORD.get(last)
        span = _LEADING_SPANS[first] if starts else 0
        known = _Chunk(
            has_word=True,
            starts=starts,
            ends=ends,
            span=span,
            leading=_leading_prefix_match(chunk, starts) if starts and span == 1 else (),
            trailing=_trailing_chunk_form(chunk, last) if ends else "",
        )
    if len(_CHUNKS) >= _CHUNKS_MAX:
        _CHUNKS.clear()
    _CHUNKS[chunk] = known
    return known


def _split_common(name: str, words: list[str] | None) -> tuple[str, str] | None:
    """What the loop of _split_repeatedly returns for the common shapes, a form at either end
    and none in the rest ("ТОВ Агро 3", "Товариство з обмеженою відповідальністю Агро",
    "Агро 3, ТОВ"); None for other shapes.

    Nine names in ten of a base have such a shape. Deciding it from remembered chunks (see
    _leading_prefix_match) costs a third of the loop: no regex, one split, no second
    _find_form. Every condition below is one the loop meets the same way; where it might not,
    None, and the loop decides.
    """
    if len(name) > 100:  # rare; the loop reads them through its 40-character windows
        return None
    if words is None:
        words = name.split()
    if len(words) < 2:
        return None
    found = _off_leading_chunks(name, words) or _off_last_chunk(name, words)
    if found is None:
        return None
    form, remainder, words = found
    if not remainder[:1].isalnum() or len(remainder) > 40:
        return None
    # The loop looks for a second form at either end of the remainder, whose words are those
    # of ``words`` (the strips take no letters), within its windows as it is short.
    first, last = _first_worded(words), _last_worded(words)
    if (first is not None and first.starts) or (last is not None and last.ends):
        return None
    return form, remainder


def _off_leading_chunks(name: str, words: list[str]) -> tuple[str, str, list[str]] | None:
    """The loop's first step on "ТОВ Агро": form, remainder and the remainder's chunks."""
    first = _CHUNKS.get(words[0]) or _learn_chunk(words[0])
    if first.starts is None or len(words) <= first.span:
        return None
    if first.span == 1:  # most forms: "ТОВ", "ФОП"
        prefix, found = words[0], first.leading
    else:
        prefix = " ".join(words[: first.span])
        if not name.startswith(prefix):  # more than one space between its chunks
            return None
        known = _LEADING_PREFIXES.get(prefix)
        if known is None:
            if len(_LEADING_PREFIXES) >= _CHUNKS_MAX:
                _LEADING_PREFIXES.clear()
            known = _LEADING_PREFIXES[prefix] = _leading_prefix_match(prefix, first.starts)
        found = known
    if not found:
        return None
    form, end, taken = found
    # Where the probe's match took the space after the prefix, the name's match takes all the
    # separators there. The strip takes them too, but for ")" and whitespace other than
    # _SEPARATORS', which it leaves at the remainder's start: _split_common then leaves the
    # name to the loop.
    return form, name[end:].strip(_SEPARATORS), words[taken:]


def _off_last_chunk(name: str, words: list[str]) -> tuple[str, str, list[str]] | None:
    """The loop's first step on "Агро, ТОВ": form, remainder and the remainder's chunks."""
    if len(name) > 40:  # the loop's windows
        return None
    first = _first_worded(words)
    if first is None or first.span:  # no word at all, or a leading form may come first
        return None
    chunk = words[-1]
    form = (_CHUNKS.get(chunk) or _learn_chunk(chunk)).trailing
    if not form:
        return None
    # The trailing match starts among the separators before the form (the first of them after
    # a letter is left out by its lookbehind, and the remainder's strip takes it anyway); it
    # may take more of the name only after another kind of whitespace or after a dot.
    head = name[: len(name) - len(chunk)].rstrip(" ,;(")
    if not head or head[-1].isspace() or head[-1] == ".":
        return None
    return form, head.strip(_SEPARATORS), words[:-1]


# Prefixes of more than one chunk → _leading_prefix_match; cleared when full.
_LEADING_PREFIXES: dict[str, tuple[str, int, int] | tuple[()]] = {}
_HYPHENS = "-‐–—"


def _leading_prefix_match(prefix: str, leading: _Patterns) -> tuple[str, int, int] | tuple[()]:
    """``(form, end, chunks taken)`` of the leading match on "<prefix> x", which is the match on
    every name that is the prefix, whitespace and more (but for the separators it may take
    after the whitespace); ``()`` when the prefix alone does not decide the match.

    The prefix is as many chunks as the longest variant under its first word has words, one
    space apart. With no dot in it (an abbreviation's dots may be followed by spaces,
    "Т. О. В.") and no hyphen at a chunk's edge (a hyphen between words may have spaces
    around it), a variant's words can only be apart where chunks are, so no alternative reads
    past the prefix, the lookahead after one reads the prefix or the whitespace, and all that
    is read beyond are the separators taken after the form.
    """
    chunks = prefix.split(" ")
    if len(chunks[0]) > 40 or "." in prefix:
        return ()
    if any(chunk[0] in _HYPHENS or chunk[-1] in _HYPHENS for chunk in chunks):
        return ()
    found = leading[0].match(prefix + " x")
    if found is None:
        return ()
    end = found.end()
    if end == len(prefix) + 1:
        taken = len(chunks)
    elif prefix[end - 1 : end] == " ":  # the form ends a chunk inside the prefix
        taken = prefix.count(" ", 0, end)
    else:
        return ()
    return leading[1][found.lastindex - 1], end, taken


def _trailing_chunk_form(chunk: str, last: str) -> str:
    """The form of the trailing match on every "<name> <chunk>", starting at the whitespace or
    at the separators before it; "" when the chunk alone does not decide it.

    As for _leading_prefix_match: with no variant under the chunk's last word of more than one
    word and no dot, no alternative reads before the chunk, and what the match takes before it
    are separators, which _off_last_chunk reads. So the match on "1 <chunk>" decides them all.
    """
    if _TRAILING_SPANS[last] > 1 or len(chunk) > 40 or "." in chunk:
        return ""
    trailing = _BY_LAST_WORD[last]
    found = trailing[0].search("1 " + chunk)
    if found is None or found.start() != 2:
        return ""
    return trailing[1][found.lastindex - 1]
