"""E-mail cells of an imported base: valid addresses, lower-cased, and the fragments refused.

A cell may hold several addresses ("info@agro.ua; sales@agro.ua"), a ``mailto:`` link copied
from a site, or a note ("немає"). Validity is Django's EmailValidator, the same rule the
CompanyEmail form field applies, so an address we import can always be saved and edited.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import models


class EmailRejection(models.TextChoices):
    NOT_AN_EMAIL = "not_an_email", "Не e-mail"
    INVALID = "invalid", "Невірний e-mail"


# "Ukrainian / English", as the other normalisers of an import (see phones.py).
MSG_NOT_AN_EMAIL = "Немає знака @ / no @ sign, not an e-mail address"
MSG_INVALID = "Невірна адреса e-mail / invalid e-mail address"

MESSAGES: dict[EmailRejection, str] = {
    EmailRejection.NOT_AN_EMAIL: MSG_NOT_AN_EMAIL,
    EmailRejection.INVALID: MSG_INVALID,
}


@dataclass(frozen=True, slots=True)
class RejectedEmail:
    fragment: str
    reason: EmailRejection

    @property
    def message(self) -> str:
        return MESSAGES[self.reason]


@dataclass(frozen=True, slots=True)
class EmailParse:
    emails: tuple[str, ...]
    rejected: tuple[RejectedEmail, ...]


_SEPARATORS = re.compile(r"[,;\s]+")
_MAILTO = re.compile(r"^mailto:", re.IGNORECASE)
# Brackets and quotes around an address ("<info@agro.ua>", "(info@agro.ua)"), and the full stop
# that ends a sentence in a notes column.
_WRAPPING = "<>()[]{}\"'«»“”.:"


class _CompiledEmailValidator(EmailValidator):
    """Django's EmailValidator, its patterns compiled up front.

    The class compiles them lazily, so every use goes through a lazy object's attribute
    lookup: four of them per address were most of the cost of reading an e-mail column.
    The rule is Django's own: the same patterns, the same ``__call__``.
    """

    def __init__(self) -> None:
        super().__init__()
        for name in ("user_regex", "domain_regex", "literal_regex"):
            lazy = getattr(EmailValidator, name)
            setattr(self, name, re.compile(lazy.pattern, lazy.flags))
        self.domain_allowlist = list(EmailValidator.domain_allowlist)


@functools.cache
def _validator() -> _CompiledEmailValidator:
    # Made on first use: compiling its patterns took 60 ms of every process's start.
    return _CompiledEmailValidator()


# The fast path: a cell of one to three plain ASCII addresses ("info@agro.ua", "A@b.ua; c@d.ua"),
# 97% of the cells of a real base. The address regex is Django's EmailValidator's own,
# with every character class narrowed to ASCII letters, digits and "_+-" (so whatever it
# matches, the validator's user_regex and domain_regex match too, lower-cased or not) and no
# quoted local part, literal domain or punycode TLD. Such an address neither starts nor ends
# with a _WRAPPING character and has no "mailto:", lower-cases to ASCII of the same length,
# and holds none of _SEPARATORS' characters, so the groups are exactly the fragments the
# general path sees, each valid as it stands. Everything else goes the general way.
_PLAIN_ADDRESS = (
    r"([a-zA-Z0-9_+-]+(?:\.[a-zA-Z0-9_+-]+)*"
    r"@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
    r"(?:\.(?!-)[a-zA-Z0-9-]{1,63}(?<!-))*"
    r"\.[a-zA-Z]{2,63})"
)
_PLAIN_CELL = re.compile(
    rf"[,;\s]*{_PLAIN_ADDRESS}(?:[,;\s]+{_PLAIN_ADDRESS}(?:[,;\s]+{_PLAIN_ADDRESS})?)?[,;\s]*"
)
_MAX_LENGTH = 320  # EmailValidator refuses a longer address; a shorter cell holds none


def parse_emails(cell: object) -> EmailParse:
    """Every valid address in one spreadsheet cell, deduplicated in order, and the rest refused.

    Never raises. Addresses are lower-cased: the local part is case-sensitive by RFC 5321, but
    no mail provider a Ukrainian company uses treats it so, and duplicates differ only in case.
    """
    if cell is None:
        return EmailParse(emails=(), rejected=())
    text = str(cell)
    found = _PLAIN_CELL.fullmatch(text) if len(text) <= _MAX_LENGTH else None
    if found is not None:
        return EmailParse(_plain_addresses(found.groups()), ())  # emails, none rejected
    return _parse_any(text)


def email_fields(cell: str) -> tuple[tuple[str, ...], list[tuple[str, str]]]:
    """``parse_emails(cell)`` as an import keeps it: the addresses, and each refusal as
    (fragment, message); the common cell builds no ``EmailParse`` (an import reads 100 000).
    """
    found = _PLAIN_CELL.fullmatch(cell) if len(cell) <= _MAX_LENGTH else None
    if found is not None:
        return _plain_addresses(found.groups()), []
    parsed = _parse_any(cell)
    return parsed.emails, [(bad.fragment, bad.message) for bad in parsed.rejected]


def _plain_addresses(groups: tuple[str | None, ...]) -> tuple[str, ...]:
    """The addresses _PLAIN_CELL matched, lower-cased and deduplicated in order."""
    emails: list[str] = []
    for address in groups:
        if address is None:
            break
        address = address.lower()
        if address not in emails:
            emails.append(address)
    return tuple(emails)


def _parse_any(text: str) -> EmailParse:
    """The general path: every fragment stripped, checked by EmailValidator, or refused."""
    emails: list[str] = []
    rejected: list[RejectedEmail] = []
    for fragment in _SEPARATORS.split(text):
        address = _MAILTO.sub("", fragment.strip(_WRAPPING)).strip(_WRAPPING).lower()
        if not address:
            continue
        if "@" not in address:
            rejected.append(RejectedEmail(fragment, EmailRejection.NOT_AN_EMAIL))
        elif not _is_valid(address):
            rejected.append(RejectedEmail(fragment, EmailRejection.INVALID))
        elif address not in emails:
            emails.append(address)
    return EmailParse(emails=tuple(emails), rejected=tuple(rejected))


def _is_valid(address: str) -> bool:
    try:
        _validator()(address)
    except ValidationError:
        return False
    return True
