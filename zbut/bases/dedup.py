"""Duplicate detection for a base: inside one file and against the project's existing base.

Rules (issue 4): the same valid ЄДРПОУ is one company. Otherwise the same normalised name and
a shared phone or e-mail is one company, whose phones and e-mails become the union. The same
phone under different names is not merged but flagged for the coordinator to decide.
Pure data in, data out: no database here.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import NamedTuple


# Identity and Placement are named tuples, immutable as a frozen dataclass would be: an
# import makes one of each for every row, in the process every row waits for, and a frozen
# dataclass's __init__ (a call of object.__setattr__ per field) took three times as long.
class Identity(NamedTuple):
    """What dedup needs to know of a company or an incoming row.

    Phones and e-mails are any collection without repeats: an import gives tuples, which
    take a quarter of a small set's memory (it holds 100 000 identities).
    """

    name_key: str
    edrpou: str = ""
    phones: Collection[str] = ()
    emails: Collection[str] = ()


@dataclass(eq=False, slots=True)  # groups are compared by identity, not by content
class Group:
    """A company as the import will leave it: an existing one (``company_id``) or a new one."""

    identity: Identity
    company_id: int | None = None
    first_row: int | None = None
    # Collections without repeats, replaced and never changed in place: a new group shares
    # its first row's (an import holds 100 000 groups, most of them never merged into).
    added_phones: Collection[str] = ()
    added_emails: Collection[str] = ()

    @property
    def is_new(self) -> bool:
        return self.company_id is None


class Placement(NamedTuple):
    """Where one row went: a new group, or merged into an earlier group."""

    group: Group
    merged: bool
    matched_by: str = ""  # "edrpou", "phone" or "email"
    possible_duplicates: tuple[tuple[Group, str], ...] = ()  # (other group, shared phone)


class DuplicateIndex:
    """Looks rows up against what is already known, then records them."""

    def __init__(self) -> None:
        self._by_edrpou: dict[str, Group] = {}
        self._by_name_phone: dict[tuple[str, str], Group] = {}
        self._by_name_email: dict[tuple[str, str], Group] = {}
        self._by_phone: dict[str, list[Group]] = {}

    def add_existing(self, companies: Iterable[tuple[int, Identity]]) -> None:
        for company_id, identity in companies:
            self._register(Group(identity=identity, company_id=company_id), identity)

    def place(self, row_number: int, identity: Identity) -> Placement:
        group, matched_by = self._find(identity)
        if group is None:
            group = Group(
                identity=identity,
                first_row=row_number,
                added_phones=identity.phones,
                added_emails=identity.emails,
            )
            flagged = self._possible_duplicates(identity, group)
            self._register(group, identity)
            return Placement(group=group, merged=False, possible_duplicates=flagged)
        known_phones, known_emails = self._known(group)
        if new_phones := [phone for phone in identity.phones if phone not in known_phones]:
            group.added_phones = (*group.added_phones, *new_phones)
        if new_emails := [email for email in identity.emails if email not in known_emails]:
            group.added_emails = (*group.added_emails, *new_emails)
        flagged = self._possible_duplicates(identity, group)
        self._register(group, identity)
        return Placement(
            group=group, merged=True, matched_by=matched_by, possible_duplicates=flagged
        )

    def _find(self, identity: Identity) -> tuple[Group | None, str]:
        if identity.edrpou and identity.edrpou in self._by_edrpou:
            return self._by_edrpou[identity.edrpou], "edrpou"
        for phone in sorted(identity.phones):
            group = self._by_name_phone.get((identity.name_key, phone))
            if group is not None and _codes_agree(group, identity):
                return group, "phone"
        for email in sorted(identity.emails):
            group = self._by_name_email.get((identity.name_key, email))
            if group is not None and _codes_agree(group, identity):
                return group, "email"
        return None, ""

    def _possible_duplicates(
        self, identity: Identity, group: Group
    ) -> tuple[tuple[Group, str], ...]:
        flagged: dict[int, tuple[Group, str]] = {}
        for phone in sorted(identity.phones):
            for other in self._by_phone.get(phone, ()):
                if other is not group and other.identity.name_key != identity.name_key:
                    flagged.setdefault(id(other), (other, phone))
        return tuple(flagged.values())

    def _register(self, group: Group, identity: Identity) -> None:
        if identity.edrpou:
            self._by_edrpou.setdefault(identity.edrpou, group)
        for phone in identity.phones:
            self._by_name_phone.setdefault((identity.name_key, phone), group)
            groups = self._by_phone.setdefault(phone, [])
            if group not in groups:
                groups.append(group)
        for email in identity.emails:
            self._by_name_email.setdefault((identity.name_key, email), group)

    @staticmethod
    def _known(group: Group) -> tuple[set[str], set[str]]:
        return (
            {*group.identity.phones, *group.added_phones},
            {*group.identity.emails, *group.added_emails},
        )


def _codes_agree(group: Group, identity: Identity) -> bool:
    """Two different valid ЄДРПОУ are two companies, whatever their names and phones say."""
    return not (group.identity.edrpou and identity.edrpou) or (
        group.identity.edrpou == identity.edrpou
    )
