"""Planning an import: every row of a base file normalised, deduplicated and judged.

Data in, data out: this module reads rows and the project's existing companies and returns a
plan; ``services.run_import`` writes the plan in one transaction. Nothing here touches the
database, so a plan of 100 000 rows is tested and measured without one.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import models

from zbut.bases.bulk import encode_json
from zbut.bases.columns import ColumnMapping, Field
from zbut.bases.dedup import DuplicateIndex, Group, Identity
from zbut.bases.emails import email_fields
from zbut.bases.identifiers import RegistryCode, RejectedRegistryCode, parse_registry_code
from zbut.bases.judging import JudgedRow, judged, judged_in_workers
from zbut.bases.names import normalise_company_name
from zbut.bases.packed_fields import PackedCells, packed, unpacked
from zbut.bases.phones import phone_fields
from zbut.bases.regions import region_of

PROGRESS_EVERY = 5000


class RowRejection(models.TextChoices):
    NO_NAME = "no_name", "Немає назви"
    NO_CONTACT = "no_contact", "Немає жодного контакту"


MSG_NO_NAME = "Немає назви компанії / no company name"
MSG_NO_CONTACT = "Немає жодного контакту / no valid phone or e-mail"


# A plan keeps the cells of every rejected, merged or flagged row: packed, one string instead
# of a list of strings, half a kilobyte less a row.
@dataclass(frozen=True, slots=True)
class Rejection:
    row_number: int
    code: str
    reason_uk: str
    reason_en: str
    cells: PackedCells


@dataclass(frozen=True, slots=True)
class Merge:
    row_number: int
    group: Group
    matched_by: str
    cells: PackedCells


@dataclass(frozen=True, slots=True)
class Flag:
    """The same phone under another name: left for the coordinator to decide."""

    row_number: int
    group: Group
    other: Group
    phone: str
    cells: PackedCells


# The columns of a new company, from its first row, in this order. A plan keeps them packed as
# one string (``company_record``): an import holds 100 000 companies.
COMPANY_FIELDS = (
    "name", "legal_form", "edrpou", "address", "region", "category", "source",
    "contact_person", "extra",  # extra: the extra attributes as JSON text (bulk.encode_json)
)  # fmt: skip
SOURCE = COMPANY_FIELDS.index("source")


def company_record(fields: tuple[str, ...]) -> str | tuple[str, ...]:
    """The fields as one string (``packed_fields``), or as they are."""
    return packed(fields)


def company_fields(record: str | tuple[str, ...]) -> tuple[str, ...]:
    """The fields of a ``company_record``."""
    return tuple(unpacked(record))


@dataclass
class ImportPlan:
    rows: int = 0
    new_groups: list[Group] = field(default_factory=list)
    new_companies: list[str | tuple[str, ...]] = field(default_factory=list)  # of new_groups
    # e164 → (e164, kind, operator, extension) of its first row, the fields of a PhoneDraft
    phone_details: dict[str, tuple] = field(default_factory=dict)
    merges: list[Merge] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)


def plan_import(
    *,
    rows: Iterable[list[str]],
    mapping: ColumnMapping,
    existing: Iterable[tuple[int, Identity]] = (),
    default_source: str = "",
    on_progress: Callable[[int], None] | None = None,
    workers: int = 0,
    plan: ImportPlan | None = None,
    on_new_company: Callable[[Group, str | tuple[str, ...]], None] | None = None,
) -> ImportPlan:
    """Judge every data row (the header is not among ``rows``; row 2 is the first).

    ``on_new_company``, if given, gets each new company's group and ``company_record`` as soon
    as its first row is placed, instead of ``plan.new_companies`` keeping the record: a writer
    (``import_writer``) writes them while later rows are judged, reading ``plan`` (given here,
    so that it can hold it) for the contacts' details.

    With ``workers`` > 1 the rows are judged (normalised) in that many forked processes, a
    chunk at a time, while this process reads the file and places the judged rows in order:
    dedup stays sequential and deterministic, so the plan is the same as with none.

    The cyclic garbage collector is paused meanwhile: a plan only grows (drafts, groups, the
    index), so each of its full passes would walk every row's objects again to free nothing;
    that was a sixth of the time of a 100 000-row plan.
    """
    judge = RowJudge(mapping, default_source)
    with gc_paused():
        rows_judged = (
            judged_in_workers(rows, judge, workers) if workers > 1 else judged(rows, judge)
        )
        return _plan(rows_judged, existing, on_progress, plan or ImportPlan(), on_new_company)


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside: for work that allocates much and frees little."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _plan(
    judged: Iterable[JudgedRow],
    existing: Iterable[tuple[int, Identity]],
    on_progress: Callable[[int], None] | None,
    plan: ImportPlan,
    on_new_company: Callable[[Group, str | tuple[str, ...]], None] | None,
) -> ImportPlan:
    index = DuplicateIndex()
    index.add_existing(existing)
    details = plan.phone_details
    for row_number, cells, outcome in judged:
        if outcome is None:  # a blank row
            continue
        plan.rows += 1
        if on_progress and plan.rows % PROGRESS_EVERY == 0:
            on_progress(plan.rows)
        if len(outcome) == 3:
            code, reason_uk, reason_en = outcome
            plan.rejections.append(Rejection(row_number, code, reason_uk, reason_en, cells))
            continue
        record, edrpou, name_key, phones, emails = outcome
        for phone in phones:
            if phone[0] not in details:
                details[phone[0]] = phone
        identity = Identity(name_key, edrpou, tuple([phone[0] for phone in phones]), emails)
        placement = index.place(row_number, identity)
        if placement.merged:
            plan.merges.append(Merge(row_number, placement.group, placement.matched_by, cells))
        else:
            plan.new_groups.append(placement.group)
            if on_new_company is None:
                plan.new_companies.append(record)
            else:
                on_new_company(placement.group, record)
        for other, phone in placement.possible_duplicates:
            plan.flags.append(Flag(row_number, placement.group, other, phone, cells))
    if on_progress:
        on_progress(plan.rows)
    return plan


# A judged row, as a worker process sends it back (plain tuples: cheap to pickle):
#   None                                            a blank row
#   (code, reason_uk, reason_en)                    a rejected row
#   (record, edrpou, name_key, phones, emails)      an accepted row: its company_record, each
#       phone as (e164, kind, operator, extension), the fields of a PhoneDraft, and its
#       e-mails, a tuple; each number and each address once, as first written in the row
#       (the workers deduplicate them, not the process every row waits for).
Judged = tuple | None


class RowJudge:
    """Turns one row into a judged row (see ``Judged``): pure, so it runs in any process."""

    def __init__(self, mapping: ColumnMapping, default_source: str) -> None:
        first = {target: indexes[0] for target in Field if (indexes := mapping.index_of(target))}
        # The columns a row's text fields come from, in the order __call__ reads them, looked
        # up once (a TextChoices member is hashed by a Python method). A field the file has no
        # column for reads index -1 of the padded row: the pad's last cell, always "".
        self.text_columns = tuple(
            first.get(target, -1)
            for target in (
                Field.NAME, Field.ADDRESS, Field.REGION, Field.CATEGORY, Field.SOURCE,
                Field.CONTACT_PERSON, Field.EDRPOU,
            )
        )  # fmt: skip
        # Appended to each row, so that a row shorter than its header reads "" for the cells
        # it lacks, without a length test per cell.
        self.pad = [""] * (len(mapping.headers) + 1)
        self.phone_columns = mapping.index_of(Field.PHONES)
        self.email_columns = mapping.index_of(Field.EMAILS)
        self.extra_columns = mapping.extra_columns
        self.default_source = default_source

    def __call__(self, cells: list[str]) -> Judged:
        if not "".join(cells).strip():  # every cell blank
            return None
        row = cells + self.pad
        # Each text cell with its whitespace collapsed.
        raw_name, address, region, category, source, contact_person, raw_edrpou = [
            " ".join(row[index].split()) for index in self.text_columns
        ]
        name = normalise_company_name(raw_name) if raw_name else None
        if name is None or not name.display:
            return (RowRejection.NO_NAME.value, *message_halves(MSG_NO_NAME))
        phones, phone_problems = self._phones(row)
        emails, email_problems = self._emails(row)
        if not phones and not emails:
            return _no_contact(phone_problems + email_problems)
        extra = {}
        for i, header in self.extra_columns.items():
            if value := row[i].strip():
                extra[header] = value
        edrpou = _registry_code(raw_edrpou, extra)
        fields = (
            name.display,
            name.legal_form,
            edrpou,
            address,
            region or region_of(address=address) or "",
            category,
            source or self.default_source,
            contact_person,
            encode_json(extra) if extra else "{}",
        )
        return company_record(fields), edrpou, name.key, phones, emails

    def _phones(self, row: list[str]) -> tuple[list[tuple], list[tuple[str, str]]]:
        found: list[tuple] = []
        problems: list[tuple[str, str]] = []
        for index in self.phone_columns:
            if row[index] and not row[index].isspace():
                phones, refused = phone_fields(row[index])
                found += phones
                problems += refused
        if len(found) > 1:  # the same number may be in two columns, or with two extensions
            first_of: dict[str, tuple] = {}
            for phone in found:
                first_of.setdefault(phone[0], phone)
            found = list(first_of.values())
        return found, problems

    def _emails(self, row: list[str]) -> tuple[tuple[str, ...], list[tuple[str, str]]]:
        found: tuple[str, ...] = ()
        problems: list[tuple[str, str]] = []
        for index in self.email_columns:
            if row[index] and not row[index].isspace():
                emails, refused = email_fields(row[index])
                found += emails
                problems += refused
        if len(self.email_columns) > 1:  # one column's addresses are unique already
            found = tuple(dict.fromkeys(found))
        return found, problems


def _registry_code(raw: str, extra: dict[str, str]) -> str:
    """A valid code, or "" with the unusable value kept among the extra attributes."""
    parsed = parse_registry_code(raw)
    if isinstance(parsed, RegistryCode):
        return parsed.code
    if isinstance(parsed, RejectedRegistryCode):
        extra["ЄДРПОУ (не прийнято)"] = f"{raw} — {parsed.message}"
    return ""


def message_halves(message: str) -> tuple[str, str]:
    """The Ukrainian and English halves of a "Ukrainian / English" message."""
    uk, _sep, en = message.partition(" / ")
    return uk, en


def _no_contact(problems: list[tuple[str, str]]) -> tuple[str, str, str]:
    """The no-contact rejection; each refused fragment is named in both languages."""
    uk, en = message_halves(MSG_NO_CONTACT)
    if problems:
        details_uk, details_en = [], []
        for fragment, message in problems:
            problem_uk, problem_en = message_halves(message)
            details_uk.append(f"{fragment} — {problem_uk}")
            details_en.append(f"{fragment} — {problem_en or problem_uk}")
        uk += ": " + "; ".join(details_uk)
        en += ": " + "; ".join(details_en)
    return RowRejection.NO_CONTACT.value, uk, en
