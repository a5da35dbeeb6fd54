"""Registry codes in an imported base: ЄДРПОУ of a legal entity or РНОКПП of a ФОП.

Bases put both in one column ("Код ЄДРПОУ / ІПН"), and spreadsheets store them as numbers, so
a code starting with zeros arrives as 7 digits or as a float. The check digit (python-stdnum)
decides; a code whose digits we would have to invent is rejected.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from operator import mul

from django.db import models
from stdnum.ua import edrpou, rntrc

EDRPOU_LENGTH = 8  # Положення про ЄДРПОУ (постанова КМУ № 499 від 22.01.1996)
RNOKPP_LENGTH = 10  # Податковий кодекс, ст. 70; the first five digits are the birth date


class RegistryKind(models.TextChoices):
    EDRPOU = "edrpou", "ЄДРПОУ"
    RNOKPP = "rnokpp", "РНОКПП"


class RegistryCodeRejection(models.TextChoices):
    NOT_A_CODE = "not_a_code", "Не код"
    DIGITS_LOST = "digits_lost", "Цифри втрачено"
    WRONG_LENGTH = "wrong_length", "Неправильна довжина"
    BAD_CHECK_DIGIT = "bad_check_digit", "Неправильна контрольна цифра"


# "Ukrainian / English", as the other normalisers of an import (see phones.py).
MSG_NOT_A_CODE = "Код має складатися з цифр / a registry code is digits only"
MSG_DIGITS_LOST = (
    "Число в експоненційному записі втратило цифри / digits lost in scientific notation"
)
MSG_WRONG_LENGTH = (
    "Потрібно 8 цифр ЄДРПОУ або 10 цифр РНОКПП / 8 digits of ЄДРПОУ or 10 of РНОКПП expected"
)
MSG_BAD_CHECK_DIGIT = "Неправильна контрольна цифра / wrong check digit"

MESSAGES: dict[RegistryCodeRejection, str] = {
    RegistryCodeRejection.NOT_A_CODE: MSG_NOT_A_CODE,
    RegistryCodeRejection.DIGITS_LOST: MSG_DIGITS_LOST,
    RegistryCodeRejection.WRONG_LENGTH: MSG_WRONG_LENGTH,
    RegistryCodeRejection.BAD_CHECK_DIGIT: MSG_BAD_CHECK_DIGIT,
}


@dataclass(frozen=True, slots=True)
class RegistryCode:
    kind: RegistryKind
    code: str


@dataclass(frozen=True, slots=True)
class RejectedRegistryCode:
    fragment: str
    reason: RegistryCodeRejection

    @property
    def message(self) -> str:
        return MESSAGES[self.reason]


_FLOAT_TAIL = re.compile(r"^(\d+)[.,]0+$")
_SCIENTIFIC = re.compile(r"^(\d)[.,](\d+)[eE]\+?(\d{1,2})$")
_DECORATION = re.compile(r"[\s\-]+")


def parse_registry_code(cell: object) -> RegistryCode | RejectedRegistryCode | None:
    """The ЄДРПОУ or РНОКПП in a cell, a rejection saying why not, or ``None`` for an empty cell.

    Up to seven digits are a ЄДРПОУ whose leading zeros a numeric column dropped (codes of old
    state enterprises start with ``00``): we pad to eight and let the check digit confirm it.
    A nine-digit value is not padded to a РНОКПП: one check digit in ten would pass by chance.
    """
    text = original = _cell_text(cell)
    if not text:
        return None
    if 5 <= len(text) <= EDRPOU_LENGTH and text.isdigit() and text.isascii():
        # The common case: a clean ЄДРПОУ, or one whose leading zeros a numeric column dropped.
        # The general path below would pad it and call edrpou.is_valid: a clean-up of
        # separators (there are none), the length (eight now) and the check digit, left here.
        code = text.zfill(EDRPOU_LENGTH)
        if _edrpou_check_digit(code) != code[-1]:
            return RejectedRegistryCode(original, RegistryCodeRejection.BAD_CHECK_DIGIT)
        return RegistryCode(RegistryKind.EDRPOU, code)
    scientific = _SCIENTIFIC.match(text)
    if scientific:
        head, tail, exponent = scientific.groups()
        if len(tail) < int(exponent):  # "3.28556E+7": the spreadsheet kept six digits of eight
            return RejectedRegistryCode(original, RegistryCodeRejection.DIGITS_LOST)
        text = head + tail if len(tail) == int(exponent) else original
    digits = _DECORATION.sub("", _FLOAT_TAIL.sub(r"\1", text))
    if not digits.isdigit() or not digits.isascii():
        return RejectedRegistryCode(original, RegistryCodeRejection.NOT_A_CODE)
    if len(digits) == RNOKPP_LENGTH:
        return _checked(original, RegistryKind.RNOKPP, digits, rntrc.is_valid)
    if len(digits) > EDRPOU_LENGTH or len(digits) < 5:
        return RejectedRegistryCode(original, RegistryCodeRejection.WRONG_LENGTH)
    return _checked(original, RegistryKind.EDRPOU, digits.zfill(EDRPOU_LENGTH), edrpou.is_valid)


# stdnum.ua.edrpou.calc_check_digit, the same arithmetic: the digits weighted 1…7 (7, 1…6 when
# the code starts with 3, 4 or 5), and again with each weight plus two when the first sum
# leaves 10. Its per-call set-up (a list of weights, a generator of int() calls) was most of
# the cost of a code; these digits are ASCII, so each is its byte less the byte of "0" (both
# weightings add up to 28). tests/bases/test_identifiers.py compares the two (and they agreed
# on all 10**7 codes).
_WEIGHTS = (1, 2, 3, 4, 5, 6, 7)
_WEIGHTS_FROM_3_TO_5 = (7, 1, 2, 3, 4, 5, 6)
_ZEROS = ord("0") * sum(_WEIGHTS)
_DIGITS = "0123456789"


def _edrpou_check_digit(code: str) -> str:
    """The check digit of an ЄДРПОУ of eight ASCII digits (the eighth is not read)."""
    weights = _WEIGHTS_FROM_3_TO_5 if code[0] in "345" else _WEIGHTS
    total = sum(map(mul, weights, code.encode())) - _ZEROS  # map stops after seven digits
    if total % 11 < 10:
        return _DIGITS[total % 11]
    # One code in eleven: each weight plus two, so the sum grows by twice the digits' sum.
    return _DIGITS[(total + 2 * sum(map(int, code[:7]))) % 11 % 10]


def _checked(
    text: str, kind: RegistryKind, digits: str, is_valid: Callable[[str], bool]
) -> RegistryCode | RejectedRegistryCode:
    if not is_valid(digits):
        return RejectedRegistryCode(text, RegistryCodeRejection.BAD_CHECK_DIGIT)
    return RegistryCode(kind=kind, code=digits)


def _cell_text(cell: object) -> str:
    if type(cell) is str:  # the common case first; a subclass may have its own __str__
        return cell.strip()
    if cell is None or isinstance(cell, bool):
        return ""
    if isinstance(cell, float):
        if not math.isfinite(cell) or cell != int(cell) or cell < 0:
            return str(cell)
        return str(int(cell))
    return str(cell).strip()
