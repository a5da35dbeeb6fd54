"""Phone cells of an imported base, turned into E.164 numbers or rejected with a reason.

A base arrives from a spreadsheet, so one cell may hold several numbers written in every way a
Ukrainian office writes them (``8 (067) 294-51-23``, ``+38 (044) …``, ``0342 55-12-34``), or a
number the spreadsheet turned into a float. Our own pre-normaliser handles those Ukrainian habits
(trunk ``0``, the Soviet long-distance ``8``, a doubled ``0`` after ``380``, a national number
with its trunk ``0`` dropped by a numeric column) and then phonenumbers decides validity and kind
from its copy of the numbering plan: we never hand-roll the plan, and never guess a digit.

Ukrainian numbering plan (НКРЗІ/НКЕК): country code 380, national significant number of nine
digits, trunk prefix 0 (https://en.wikipedia.org/wiki/Telephone_numbers_in_Ukraine).
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from django.db import models

from zbut.bases.models import PhoneKind
from zbut.bases.numbering_plan import NSN_LENGTH, UKRAINE, classified_by_prefix, classify


class PhoneRejection(models.TextChoices):
    NOT_A_PHONE = "not_a_phone", "Не номер телефону"
    DIGITS_LOST = "digits_lost", "Цифри втрачено"
    TOO_SHORT = "too_short", "Закороткий номер"
    TOO_LONG = "too_long", "Задовгий номер"
    NOT_UKRAINIAN = "not_ukrainian", "Не український номер"
    INVALID = "invalid", "Немає в плані нумерації"


# Messages are "Ukrainian / English" strings: the import report shows them to a coordinator and
# the CLI prints them to an engineer; tests assert on these constants.
MSG_NOT_A_PHONE = "Немає цифр номера / no phone digits in the text"
MSG_DIGITS_LOST = (
    "Число в експоненційному записі втратило цифри / digits lost in scientific notation"
)
MSG_TOO_SHORT = "Замало цифр для номера з кодом міста / too few digits for a number with area code"
MSG_TOO_LONG = "Забагато цифр для одного номера / too many digits for one number"
MSG_NOT_UKRAINIAN = "Номер іншої країни / number of another country"
MSG_INVALID = "Номера немає в плані нумерації України / not in Ukraine's numbering plan"

MESSAGES: dict[PhoneRejection, str] = {
    PhoneRejection.NOT_A_PHONE: MSG_NOT_A_PHONE,
    PhoneRejection.DIGITS_LOST: MSG_DIGITS_LOST,
    PhoneRejection.TOO_SHORT: MSG_TOO_SHORT,
    PhoneRejection.TOO_LONG: MSG_TOO_LONG,
    PhoneRejection.NOT_UKRAINIAN: MSG_NOT_UKRAINIAN,
    PhoneRejection.INVALID: MSG_INVALID,
}


@dataclass(frozen=True, slots=True)
class ParsedPhone:
    e164: str
    extension: str
    kind: PhoneKind
    operator: str


@dataclass(frozen=True, slots=True)
class RejectedPhone:
    fragment: str
    reason: PhoneRejection

    @property
    def message(self) -> str:
        return MESSAGES[self.reason]


@dataclass(frozen=True, slots=True)
class PhoneParse:
    phones: tuple[ParsedPhone, ...]
    rejected: tuple[RejectedPhone, ...]


_EMPTY = PhoneParse(phones=(), rejected=())

# A spreadsheet wrote the number as a float: "380672945123.0" (or ",0" in a Ukrainian locale).
_FLOAT_TAIL = re.compile(r"(?<=\d{6})\.0+(?!\d)|^(?=\s*\d+,0+\s*$)(\s*\d+),0+")
# Scientific notation: "6.72945123E+8" (all digits survive) or "3.80673E+11" (digits lost).
_SCIENTIFIC = re.compile(r"(\d)[.,](\d+)[eE]\+?(\d{1,2})")
# Labels that only say "this is a phone". "тел/факс" goes before splitting, so "/" keeps it whole.
_PHONE_FAX = re.compile(r"(?<!\w)тел(?:ефон)?\.?\s*/\s*факс", re.IGNORECASE)
_LABELS = re.compile(
    r"(?<!\w)(?:тел(?:ефон)?|моб(?:ільний|ильный)?|факс|fax|tel|phone|mob|т\.|ф\.)\.?\s*:?",
    re.IGNORECASE,
)
_SEPARATORS = re.compile(r"[,;/\n\r|]+|\s(?:або|или|or)\s", re.IGNORECASE)
_EXTENSION = re.compile(
    r"(?:\b(?:доб|дод|вн|внутр|ext)\b\.?|(?<=[\d\s])x|#)\s*(\d{1,6})\b", re.IGNORECASE
)
# A run of phone-looking characters; letters end a run (a name in brackets, "уточнюйте").
_RUN = re.compile(r"\+?[\d(][\d\s()\-.\u00a0\u2010-\u2015]*")
_PLAIN = re.compile(r"\+?[\d\s()\-.]+")
_NON_DIGITS = re.compile(r"\D+")
_MAX_GLUED_DIGITS = 40  # three numbers with prefixes; bounds the search in _split_glued
_LOST = "\x00"  # stands in for a scientific number that lost digits, so splitting keeps it whole


def parse_phones(cell: str | float | int | None) -> PhoneParse:
    """Every valid Ukrainian phone in one spreadsheet cell, and every fragment we refused.

    Never raises: an import of 100 000 rows must report a bad cell, not stop on it.
    """
    text = _cell_text(cell)
    if text is None:
        return PhoneParse(phones=(), rejected=(RejectedPhone(str(cell), _reason_of(cell)),))
    if not text or text.isspace():
        return _EMPTY
    if not text.isascii():
        text = _ascii_digits(text)
    parsed = _parse_well_formed(text)
    return _parse_any(text) if parsed is None else parsed


# A phone as an import writes it: (e164, kind, operator, extension), the fields of a
# ``PhoneDraft``, the kind as its plain value (a judging worker pickles it, and an enum member
# costs a class lookup to unpickle).
PhoneFields = tuple[str, str, str, str]


def phone_fields(cell: str) -> tuple[list[PhoneFields], list[tuple[str, str]]]:
    """``parse_phones(cell)`` as an import keeps it: the phones as ``PhoneFields``, each
    refusal as (fragment, message).

    The same answer, without a ``ParsedPhone`` or a ``PhoneParse`` for the common cell: an
    import reads 100 000 of them, and building those objects took half the time of a cell.
    """
    text = cell if cell.isascii() else _ascii_digits(cell)
    fields = _well_formed_fields(text)
    if fields is not None:
        return fields, []
    parsed = parse_phones(cell)
    return (
        [(p.e164, str(p.kind), p.operator, p.extension) for p in parsed.phones],
        [(bad.fragment, bad.message) for bad in parsed.rejected],
    )


# A decimal digit other than ASCII's (Unicode's Nd: Arabic-Indic "٠٦٧", full-width "０６７", …);
# ``\d`` matches them all, and a number that mixed them in kept them in its E.164
# ("+38067٢٩٤5123"). Only those are replaced: a cell is non-ASCII for its "тел." far more often.
_OTHER_DIGIT = re.compile(r"(?![0-9])\d")


def _ascii_digits(text: str) -> str:
    """The text with every decimal digit written as its ASCII digit."""
    return _OTHER_DIGIT.sub(lambda digit: str(unicodedata.decimal(digit.group())), text)


def _parse_any(text: str) -> PhoneParse:
    """The general path: any text, every Ukrainian habit, every refusal."""
    phones: list[ParsedPhone] = []
    rejected: list[RejectedPhone] = []
    seen: set[tuple[str, str]] = set()
    for fragment in _SEPARATORS.split(_prepare(text)):
        for outcome in _parse_fragment(fragment):
            if isinstance(outcome, RejectedPhone):
                rejected.append(outcome)
            elif (outcome.e164, outcome.extension) not in seen:
                seen.add((outcome.e164, outcome.extension))
                phones.append(outcome)
    return PhoneParse(phones=tuple(phones), rejected=tuple(rejected))


# The fast path: a cell of one to three well-formed Ukrainian numbers (98% of the cells of a
# real base), matched whole by one regex that captures each national significant number
# (NSN). Each prefix the regex allows is one branch of _national_number, for the same digits:
#   380 + NSN (with or without "+")  → the country code        ("+38 (067) 294-51-23")
#   8 0 + NSN, no "+"                → the Soviet 8, trunk 0   ("8 (067) 294 51 23")
#   0 + NSN, no "+"                  → the trunk 0             ("(067)2945123")
#   NSN alone, no "+"                → trunk 0 dropped         ("672945123"), except 380… and
#                                      810…, which _national_number reads as prefixes.
# The NSN starts with 1-9 (after a 0 it would be 3800…, 00… or not in the plan). Digits are
# ASCII, gaps are ASCII space, brackets and hyphen: _PLAIN, and _RUN after a label, take the
# number as one run, so only its digits count. The only label is "тел. " and the only
# extensions " доб. N" and " вн. N" (also "доб.N", "доб N"), which _LABELS and _EXTENSION
# strip to the same run and extension. Numbers are separated by _SEPARATORS' characters, none
# of which a number contains, so the numbers are the fragments _SEPARATORS gives. No Latin e,
# no full stop after a digit, no comma before a run of zeros and no "факс" can occur, so
# _prepare leaves such a cell unchanged. Any other cell, or a number the plan does not
# classify (an INVALID refusal), goes the general way.
_GAP = r"[ ()\-]*"


def _well_formed_number(n: int) -> str:
    """The regex of one well-formed number; its only groups: ``nsn<n>``, ``extension<n>``."""
    return (
        r" *(?:тел\. )?"
        r"(?:"
        rf"\+?\(?3{_GAP}8{_GAP}0{_GAP}"
        rf"|\(?8{_GAP}0{_GAP}"
        rf"|\(?0{_GAP}"
        rf"|\(?(?!3{_GAP}8{_GAP}0|8{_GAP}1{_GAP}0)"
        r")"
        rf"(?P<nsn{n}>[1-9](?:{_GAP}[0-9]){{8}})"
        rf"(?: (?:доб|вн)(?:\. ?| )(?P<extension{n}>[0-9]{{1,6}}))?"
        r" *"
    )


# _SEPARATORS without its words ("або", "или", "or"): a well-formed number has none of their
# letters, so a cell that holds one goes the general way.
_LIST_SEPARATOR = r"[,;/\n\r|]+"
_WELL_FORMED = re.compile(
    _well_formed_number(1)
    + rf"(?:{_LIST_SEPARATOR}{_well_formed_number(2)}"
    + rf"(?:{_LIST_SEPARATOR}{_well_formed_number(3)})?)?"
)


def _parse_well_formed(text: str) -> PhoneParse | None:
    """``_parse_any(text)`` for a cell of one to three well-formed numbers, else ``None``."""
    fields = _well_formed_fields(text)
    if fields is None:
        return None
    phones = tuple(
        ParsedPhone(e164, extension, _KINDS[kind], operator)
        for e164, kind, operator, extension in fields
    )
    return PhoneParse(phones, ())


def _well_formed_fields(text: str) -> list[PhoneFields] | None:
    """The phones of ``_parse_well_formed(text)`` as ``PhoneFields``, or ``None``."""
    found = _WELL_FORMED.fullmatch(text)
    if found is None:
        return None
    by_prefix = fields_by_prefix()
    phones: list[PhoneFields] = []
    nsn1, extension1, nsn2, extension2, nsn3, extension3 = found.groups()
    for nsn, extension in ((nsn1, extension1), (nsn2, extension2), (nsn3, extension3)):
        if nsn is None:
            break
        if not nsn.isdigit():
            nsn = nsn.replace(" ", "").replace("-", "").replace("(", "").replace(")", "")
        classified = by_prefix.get(nsn[:3]) or _fields_of(nsn)
        if classified is None:
            return None  # refused as INVALID, quoting the fragment: the general path's work
        phone = ("+380" + nsn, *classified, extension or "")  # e164, kind, operator, extension
        if phone not in phones:  # the same number with the same extension is kept once
            phones.append(phone)
    return phones


_KINDS = {str(kind): kind for kind in PhoneKind}


def warm_up() -> None:
    """Build the lookup tables now: before forking workers, so that they share one copy."""
    fields_by_prefix()


@lru_cache(maxsize=1)
def fields_by_prefix() -> dict[str, tuple[str, str]]:
    """``classified_by_prefix`` with each kind as its plain value: (kind, operator)."""
    return {
        prefix: (str(kind), operator)
        for prefix, classified in classified_by_prefix().items()
        if classified is not None
        for kind, operator in [classified]
    }


def _fields_of(nsn: str) -> tuple[str, str] | None:
    classified = classify(nsn)
    return None if classified is None else (str(classified[0]), classified[1])


def _cell_text(cell: object) -> str | None:
    """The cell as text; ``None`` when a numeric cell cannot be a number at all."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int):
        return str(cell)
    if isinstance(cell, float):
        # A float holds every digit of a 15-digit integer exactly (2**53 > 10**15): a phone
        # that reached us as a float lost nothing unless it was text in scientific notation.
        if not math.isfinite(cell) or cell != int(cell) or abs(cell) >= 2**53:
            return None
        return str(int(cell))
    return str(cell)


def _reason_of(cell: object) -> PhoneRejection:
    if isinstance(cell, float) and math.isfinite(cell) and abs(cell) >= 2**53:
        return PhoneRejection.DIGITS_LOST
    return PhoneRejection.NOT_A_PHONE


def _prepare(text: str) -> str:
    """Undo what a spreadsheet did to a number and keep "тел/факс" whole, before splitting."""
    if "E" in text or "e" in text:
        text = _SCIENTIFIC.sub(_expand_scientific, text)
    if "." in text or "," in text:
        text = _FLOAT_TAIL.sub(r"\1", text)
    if "/" in text:
        text = _PHONE_FAX.sub(" ", text)
    return text


def _expand_scientific(match: re.Match[str]) -> str:
    """``6.72945123E+8`` → ``672945123``; a mantissa too short for its exponent lost digits."""
    head, tail, exponent = match.group(1), match.group(2), int(match.group(3))
    if len(tail) > exponent:
        return match.group(0)
    if len(tail) < exponent:
        return _LOST + match.group(0).replace(",", ".")
    return head + tail


def _parse_fragment(original: str) -> list[ParsedPhone | RejectedPhone]:
    """The phones of one separated fragment; a rejection quotes the fragment as written."""
    original = original.strip()
    if not original:
        return []
    if _LOST in original:
        return [RejectedPhone(original.replace(_LOST, ""), PhoneRejection.DIGITS_LOST)]
    if _PLAIN.fullmatch(original):  # the common case: no labels, extension or comments
        phones = _phones_in_run(original, "")
        return phones if isinstance(phones, list) else [RejectedPhone(original, phones)]
    fragment, extension = _LABELS.sub(" ", original), ""
    found = _EXTENSION.search(fragment)
    if found:
        extension = found.group(1)
        fragment = fragment[: found.start()] + " " + fragment[found.end() :]
    runs = [run.strip() for run in _RUN.findall(fragment) if _digit_count(run)]
    if not runs:
        return [RejectedPhone(original, PhoneRejection.NOT_A_PHONE)]
    if len(runs) > 1 and min(_digit_count(run) for run in runs) < 7:
        # Digits outside the number ("з 9 до 18", "2 лінія"): we would have to guess which.
        return [RejectedPhone(original, PhoneRejection.INVALID)]
    outcomes: list[ParsedPhone | RejectedPhone] = []
    for run in runs:
        phones = _phones_in_run(run, extension)
        outcomes.extend(phones if isinstance(phones, list) else [RejectedPhone(original, phones)])
    return outcomes


def _digit_count(run: str) -> int:
    return sum(ch.isdigit() for ch in run)


def _phones_in_run(run: str, extension: str) -> list[ParsedPhone] | PhoneRejection:
    digits = run if run.isdigit() else _NON_DIGITS.sub("", run)
    nsn = _national_number(digits, international=run.startswith("+"))
    if isinstance(nsn, PhoneRejection):
        if nsn is PhoneRejection.TOO_LONG and " " in run and len(digits) <= _MAX_GLUED_DIGITS:
            return _split_glued(run.split(), extension) or nsn
        return nsn
    classified = classify(nsn)
    if classified is None:
        return PhoneRejection.INVALID
    kind, operator = classified
    return [ParsedPhone(e164=f"+380{nsn}", extension=extension, kind=kind, operator=operator)]


def _split_glued(groups: list[str], extension: str) -> list[ParsedPhone] | None:
    """Numbers separated only by spaces ("067 294 51 23 050 123 45 67").

    Digit groups are joined left to right until they form a valid number, then the rest is
    split the same way; any leftover means we would be guessing, so ``None``. The extension
    belongs to the last number, the one it was written after.
    """
    for cut in range(1, len(groups)):
        head = _phones_in_run(" ".join(groups[:cut]), "")
        if not isinstance(head, list):
            continue
        tail = _phones_in_run(" ".join(groups[cut:]), extension)
        if isinstance(tail, list):
            return head + tail
    return None


def _national_number(digits: str, *, international: bool) -> str | PhoneRejection:
    """The nine-digit national significant number, or why there is none.

    Ukrainian habits, longest prefix first:
    ``3800…`` the trunk 0 kept after the country code (``+38 (0)67`` → ``+380 67``);
    ``380…`` the country code; ``80…`` the Soviet long-distance ``8`` before the trunk ``0``;
    ``0…`` the trunk prefix; nine digits not starting with 0: the national number whose
    trunk 0 a numeric column dropped. ``00`` and ``810`` are international call prefixes.
    """
    length = len(digits)
    if digits.startswith("00") or (digits.startswith("810") and not international):
        digits = digits[2:] if digits.startswith("00") else digits[3:]
        international, length = True, len(digits)
    if digits.startswith("3800") and length == 13:
        return digits[4:]
    if digits.startswith("380"):
        return _fit(digits[3:])
    if international:
        if digits.startswith("0"):
            return _fit(digits[1:])
        return PhoneRejection.NOT_UKRAINIAN if length >= 8 else PhoneRejection.TOO_SHORT
    if digits.startswith("80") and length == 11:
        return digits[2:]
    if digits.startswith("0"):
        return _fit(digits[1:])
    if length == NSN_LENGTH:
        return digits
    if length < NSN_LENGTH:
        return PhoneRejection.TOO_SHORT
    if length >= 11 and _is_foreign(digits):
        return PhoneRejection.NOT_UKRAINIAN
    return PhoneRejection.TOO_LONG if length > 12 else PhoneRejection.INVALID


def _fit(nsn: str) -> str | PhoneRejection:
    if len(nsn) < NSN_LENGTH:
        return PhoneRejection.TOO_SHORT
    if len(nsn) > NSN_LENGTH:
        return PhoneRejection.TOO_LONG
    return nsn


def _is_foreign(digits: str) -> bool:
    """A number written without ``+`` that is valid in another country (``48 22 …``)."""
    try:
        number = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        return False
    return number.country_code != UKRAINE and phonenumbers.is_valid_number(number)
