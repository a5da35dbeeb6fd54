"""Ukraine's numbering plan: the kind (mobile, landline, other) and operator of a number.

Read from phonenumbers' own copy of the plan (we never hand-roll it), with its per-call work
taken out: the import classifies 150 000 numbers. Numbers here are national significant
numbers (NSN), the nine digits after +380
(https://en.wikipedia.org/wiki/Telephone_numbers_in_Ukraine).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from phonenumbers import PhoneMetadata, PhoneNumberDesc, PhoneNumberType

from zbut.bases.models import PhoneKind

UKRAINE = 380
NSN_LENGTH = 9  # every Ukrainian national significant number has nine digits

# Operator by the two-digit mobile code, as the regulator allocated the codes. Since mobile
# number portability (1 May 2019) a number may have moved to another operator; this is the
# operator that issued it, which is what the desk needs to guess tariffs, not a routing fact.
MOBILE_OPERATORS: dict[str, str] = {
    **dict.fromkeys(("67", "68", "96", "97", "98", "77"), "Київстар"),
    **dict.fromkeys(("50", "66", "95", "99", "75"), "Vodafone"),
    **dict.fromkeys(("63", "73", "93"), "lifecell"),
    "91": "3Mob",
    "94": "Інтертелеком",
    "92": "PEOPLEnet",
}


def classify(nsn: str) -> tuple[PhoneKind, str] | None:
    """Kind and operator of a nine-digit national number; ``None`` when the plan has none.

    From the table of three-digit prefixes where those digits alone decide (all but a few,
    such as 800 whose fourth digit tells a toll-free number from none), else exactly.
    """
    if nsn[0] == "0":
        return None
    found = classified_by_prefix().get(nsn[:3], _UNDECIDED)
    return _classify_exactly(nsn) if found is _UNDECIDED else found


_UNDECIDED = object()
_PREFIX_PROBES = tuple(d + rest for d in "0123456789" for rest in ("00000", "99999", "50505"))


@lru_cache(maxsize=1)
def classified_by_prefix() -> dict[str, tuple[PhoneKind, str] | None]:
    """``_classify_exactly`` of every nine-digit number, by the three digits that decide it.

    Derived from phonenumbers' own metadata at first use (no plan of our own): a prefix is
    kept only when every probe under it (each fourth digit, the lowest, highest and a middle
    rest) is classified alike. Ukraine's patterns are prefixes followed by any digits, so that
    is exact; tests compare the table with the exact classification over the whole range.
    """
    table = {}
    for number in range(100, 1000):
        prefix = str(number)
        answers = {_classify_exactly(prefix + probe) for probe in _PREFIX_PROBES}
        if len(answers) == 1:
            table[prefix] = answers.pop()
    return table


@lru_cache(maxsize=4096)
def _classify_exactly(nsn: str) -> tuple[PhoneKind, str] | None:
    """Kind and operator of a national number; ``None`` when the plan has no such number.

    phonenumbers.number_type returns UNKNOWN exactly when is_valid_number is False for a
    number of a single-region country code such as 380, so one call answers both questions
    (tests cross-check against parse + is_valid_number). ``_ukrainian_number_type`` is that
    call for Ukraine with its patterns compiled once.
    """
    if nsn[0] == "0":
        return None
    number_type = _ukrainian_number_type(nsn)
    if number_type == PhoneNumberType.MOBILE:
        return PhoneKind.MOBILE, MOBILE_OPERATORS.get(nsn[:2], "")
    if number_type == PhoneNumberType.FIXED_LINE:
        return PhoneKind.LANDLINE, ""
    if number_type == PhoneNumberType.UNKNOWN:
        return None
    return PhoneKind.OTHER, ""


# The order in which phonenumbers' _number_type_helper tries the descriptions.
_SPECIAL_TYPES = (
    ("premium_rate", PhoneNumberType.PREMIUM_RATE),
    ("toll_free", PhoneNumberType.TOLL_FREE),
    ("shared_cost", PhoneNumberType.SHARED_COST),
    ("voip", PhoneNumberType.VOIP),
    ("personal_number", PhoneNumberType.PERSONAL_NUMBER),
    ("pager", PhoneNumberType.PAGER),
    ("uan", PhoneNumberType.UAN),
    ("voicemail", PhoneNumberType.VOICEMAIL),
)
_Matcher = Callable[[str], bool]


def _ukrainian_number_type(nsn: str) -> int:
    """phonenumbers.number_type of +380 ``nsn`` (``nsn`` not starting with 0).

    The same steps on the same metadata as phonenumbers' ``_number_type_helper``; only the
    per-call work is gone (a PhoneNumber, the region lookup, the pattern cache lookups): it
    was most of the time of an import.
    """
    general, specials, fixed_line, mobile, same_pattern = _ukrainian_matchers()
    if not general(nsn):
        return PhoneNumberType.UNKNOWN
    for matches, number_type in specials:
        if matches(nsn):
            return number_type
    if fixed_line(nsn):
        if same_pattern or mobile(nsn):
            return PhoneNumberType.FIXED_LINE_OR_MOBILE
        return PhoneNumberType.FIXED_LINE
    if not same_pattern and mobile(nsn):
        return PhoneNumberType.MOBILE
    return PhoneNumberType.UNKNOWN


@lru_cache(maxsize=1)
def _ukrainian_matchers() -> tuple[_Matcher, list, _Matcher, _Matcher, bool]:
    metadata = PhoneMetadata.metadata_for_region("UA")
    specials = [(_matcher(getattr(metadata, name)), kind) for name, kind in _SPECIAL_TYPES]
    return (
        _matcher(metadata.general_desc),
        specials,
        _matcher(metadata.fixed_line),
        _matcher(metadata.mobile),
        bool(metadata.same_mobile_and_fixed_line_pattern),
    )


def _matcher(desc: PhoneNumberDesc | None) -> _Matcher:
    """phonenumbers' ``_is_number_matching_desc`` for one description, compiled once."""
    if desc is None or not desc.national_number_pattern:
        return lambda nsn: False
    lengths = frozenset(desc.possible_length)
    fullmatch = re.compile(desc.national_number_pattern).fullmatch
    if not lengths:
        return lambda nsn: fullmatch(nsn) is not None
    return lambda nsn: len(nsn) in lengths and fullmatch(nsn) is not None
