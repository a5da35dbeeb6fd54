"""Writes to a project's base."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zbut.accounts.models import User
from zbut.bases.bulk import insert_rows
from zbut.bases.columns import ColumnMapping, Field, guess_mapping, mapping_from_choices
from zbut.bases.drafts import CompanyDraft, PhoneDraft
from zbut.bases.importing import (
    COMPANY_FIELDS,
    SOURCE,
    ImportPlan,
    company_fields,
    gc_paused,
    plan_import,
)
from zbut.bases.models import (
    BaseImport,
    BaseState,
    Company,
    CompanyEmail,
    CompanyPhone,
    ImportIssue,
    ImportState,
    IssueKind,
)
from zbut.bases.readers import EMPTY_FILE, BaseFileError, ReadErrorCode, iter_rows
from zbut.bases.selectors import existing_identities
from zbut.core.errors import ZbutError
from zbut.history.models import EventKind
from zbut.history.services import NewEvent, record_events
from zbut.projects.models import Project

__all__ = ["CompanyDraft", "PhoneDraft", "add_companies"]


@transaction.atomic(durable=True)
def add_companies(
    *,
    project: Project,
    drafts: Sequence[CompanyDraft],
    actor: User | None = None,
    base_state: BaseState = BaseState.NEW,
    occurred_at: datetime | None = None,
) -> list[Company]:
    """Add companies with their phones and e-mails, one history event each, in one transaction."""
    companies = insert_companies(project=project, drafts=drafts, base_state=base_state)
    record_events(
        project=project,
        drafts=[
            NewEvent(
                kind=EventKind.COMPANY_ADDED,
                company_id=company.pk,
                actor_id=actor.pk if actor else None,
                payload={"source": company.source},
                occurred_at=occurred_at,
            )
            for company in companies
        ],
    )
    return companies


def insert_companies(
    *, project: Project, drafts: Sequence[CompanyDraft], base_state: BaseState
) -> list[Company]:
    """Rows for the companies, phones and e-mails; the caller records the events."""
    companies = Company.objects.bulk_create(
        [
            Company(
                client_id=project.client_id,
                project=project,
                name=d.name,
                legal_form=d.legal_form,
                edrpou=d.edrpou,
                address=d.address,
                region=d.region,
                category=d.category,
                source=d.source,
                contact_person=d.contact_person,
                extra=d.extra,
                base_state=base_state,
            )
            for d in drafts
        ],
        batch_size=1000,
    )
    CompanyPhone.objects.bulk_create(
        [
            CompanyPhone(
                client_id=project.client_id,
                company=company,
                e164=phone.e164,
                extension=phone.extension,
                kind=phone.kind,
                operator=phone.operator,
            )
            for company, draft in zip(companies, drafts, strict=True)
            for phone in draft.phones
        ],
        batch_size=2000,
    )
    CompanyEmail.objects.bulk_create(
        [
            CompanyEmail(client_id=project.client_id, company=company, address=address)
            for company, draft in zip(companies, drafts, strict=True)
            for address in draft.emails
        ],
        batch_size=2000,
    )
    return companies


# --- importing a base file -------------------------------------------------------------------


class ImportErrorCode:
    NO_HEADER = "no_header"
    NO_NAME_COLUMN = "no_name_column"
    NO_CONTACT_COLUMN = "no_contact_column"
    NOT_RUNNABLE = "not_runnable"


MSG_NO_HEADER = _(
    "Не знайдено рядка заголовків: жодна колонка не схожа на назву, телефон чи e-mail."
)
MSG_NO_NAME_COLUMN = _("Позначте колонку з назвою компанії.")
MSG_INTERNAL_ERROR = _("Внутрішня помилка: нічого не імпортовано, спробуйте ще раз.")
MSG_NO_CONTACT_COLUMN = _("Позначте хоча б одну колонку з телефонами або e-mail.")

MATCHED_BY_MESSAGES = {
    "edrpou": "Той самий ЄДРПОУ / same EDRPOU",
    "phone": "Та сама назва і телефон / same name and phone",
    "email": "Та сама назва і e-mail / same name and e-mail",
}


@transaction.atomic(durable=True)
def start_import(
    *, project: Project, file_name: str, stored_path: Path, actor: User | None
) -> BaseImport:
    """Read the header of an uploaded file and guess its columns; the file is not judged yet."""
    header = next((row for row in iter_rows(stored_path) if any(c.strip() for c in row)), None)
    if header is None:
        raise BaseFileError(ReadErrorCode.EMPTY, str(EMPTY_FILE))
    mapping = guess_mapping(header)
    if not mapping.fields:
        raise ZbutError(ImportErrorCode.NO_HEADER, str(MSG_NO_HEADER))
    return BaseImport.objects.create(
        client_id=project.client_id,
        project=project,
        created_by=actor,
        file_name=file_name[:255],
        stored_path=str(stored_path),
        headers=list(mapping.headers),
        mapping={str(i): str(f) for i, f in mapping.fields.items()},
    )


def mapping_of(base_import: BaseImport) -> ColumnMapping:
    choices = {int(i): value for i, value in base_import.mapping.items()}
    return mapping_from_choices(base_import.headers, choices)


@transaction.atomic(durable=True)
def confirm_mapping(*, base_import: BaseImport, choices: dict[int, str]) -> BaseImport:
    """The coordinator's fix of the guessed columns; the import is then queued."""
    mapping = mapping_from_choices(base_import.headers, choices)
    fields = set(mapping.fields.values())
    if Field.NAME not in fields:
        raise ZbutError(ImportErrorCode.NO_NAME_COLUMN, str(MSG_NO_NAME_COLUMN))
    if not fields & {Field.PHONES, Field.EMAILS}:
        raise ZbutError(ImportErrorCode.NO_CONTACT_COLUMN, str(MSG_NO_CONTACT_COLUMN))
    base_import.mapping = {str(i): str(f) for i, f in mapping.fields.items()}
    base_import.state = ImportState.QUEUED
    base_import.save(update_fields=["mapping", "state"])
    return base_import


def run_import(*, base_import_id: int) -> BaseImport:
    """Judge every row, then write the accepted ones in one transaction or nothing.

    Idempotent: only a queued import is run, and it is claimed first, so a task delivered
    twice runs it once.
    """
    claimed = BaseImport.objects.filter(
        pk=base_import_id, state__in=[ImportState.QUEUED, ImportState.MAPPING]
    ).update(state=ImportState.RUNNING)
    base_import = BaseImport.objects.select_related("project").get(pk=base_import_id)
    if not claimed:
        return base_import
    try:
        with gc_paused():  # the plan is millions of live objects: full passes free nothing
            plan = plan_import(
                rows=_data_rows(Path(base_import.stored_path)),
                mapping=mapping_of(base_import),
                existing=existing_identities(project=base_import.project),
                default_source=Path(base_import.file_name).stem[:100],
                on_progress=lambda n: BaseImport.objects.filter(pk=base_import_id).update(
                    rows_read=n
                ),
                workers=import_workers(Path(base_import.stored_path)),
            )
            write_plan(base_import=base_import, plan=plan)
            del plan
    except ZbutError as error:
        _fail(base_import_id, str(error.message))
    except Exception:
        _fail(base_import_id, str(MSG_INTERNAL_ERROR))
        raise
    base_import.refresh_from_db()
    return base_import


PARALLEL_MIN_BYTES = 2 * 1024 * 1024  # below this, forking workers costs more than it saves
MAX_WORKERS = 4


def import_workers(path: Path) -> int:
    """How many processes judge the rows of ``path``: one per CPU we may use, for a big file.

    0 (judge them here) for a small file, or where processes cannot be forked.
    """
    if not hasattr(os, "fork") or not hasattr(os, "sched_getaffinity"):
        return 0
    try:
        size = path.stat().st_size
    except OSError:
        return 0
    cpus = len(os.sched_getaffinity(0))
    return min(cpus, MAX_WORKERS) if size >= PARALLEL_MIN_BYTES and cpus > 1 else 0


def _fail(base_import_id: int, message: str) -> None:
    BaseImport.objects.filter(pk=base_import_id).update(
        state=ImportState.FAILED, error=message, finished_at=timezone.now()
    )


def _data_rows(path: Path) -> Iterator[list[str]]:
    rows = iter_rows(path)
    for row in rows:  # skip up to and including the header row
        if any(cell.strip() for cell in row):
            break
    yield from rows


@transaction.atomic(durable=True)
def write_plan(*, base_import: BaseImport, plan: ImportPlan) -> None:
    """The plan's companies, contacts, events and issues, in one transaction.

    SQLite's default page cache is enough: a 32 MB one made no difference to the time of a
    100 000-row import and cost its size in memory.
    """
    project = base_import.project
    company_ids = _insert_new_companies(project=project, plan=plan)
    company_of = {id(g): pk for g, pk in zip(plan.new_groups, company_ids, strict=True)}

    def target(group: Any) -> int:
        return group.company_id or company_of[id(group)]

    _add_contacts_to_existing(project=project, plan=plan)
    events = _import_events(base_import, plan, company_ids, target)
    while chunk := list(islice(events, EVENT_CHUNK)):  # the written events are not kept
        record_events(project=project, drafts=chunk, returning=False)
    _insert_issues(base_import, plan, target)
    base_import.rows = plan.rows
    base_import.rows_read = plan.rows
    base_import.imported = len(company_ids)
    base_import.merged = len(plan.merges)
    base_import.rejected = len(plan.rejections)
    base_import.possible_duplicates = len(plan.flags)
    base_import.state = ImportState.DONE
    base_import.finished_at = timezone.now()
    base_import.save()


EVENT_CHUNK = 10_000
COMPANY_COLUMNS = ("client_id", "project_id", *COMPANY_FIELDS, "base_state")
PHONE_COLUMNS = ("client_id", "company_id", "e164", "extension", "kind", "operator")
EMAIL_COLUMNS = ("client_id", "company_id", "address")


def _insert_new_companies(*, project: Project, plan: ImportPlan) -> list[int]:
    """The new companies (each its first row's fields, every row's contacts); their ids.

    Written as plain rows (``bulk.insert_rows``): an import's 100 000 companies, phones and
    e-mails never exist as model instances.
    """
    client_id, project_id, state = project.client_id, project.pk, str(BaseState.NEW)
    groups, details = plan.new_groups, plan.phone_details
    rows = ((client_id, project_id, *company_fields(c), state) for c in plan.new_companies)
    ids = insert_rows(
        Company, COMPANY_COLUMNS, rows, count=len(groups), returning_ids=True, json_encoded=True
    )
    if len(ids) != len(groups):
        raise RuntimeError(f"import: wrote {len(groups)} companies, found {len(ids)}")
    phones = (
        (client_id, pk, e164, (p := details[e164])[3], str(p[1]), p[2])  # ext, kind, operator
        for group, pk in zip(groups, ids, strict=True)
        for e164 in sorted(group.added_phones)
    )
    insert_rows(CompanyPhone, PHONE_COLUMNS, phones)
    emails = (
        (client_id, pk, address)
        for group, pk in zip(groups, ids, strict=True)
        for address in sorted(group.added_emails)
    )
    insert_rows(CompanyEmail, EMAIL_COLUMNS, emails)
    return ids


def _import_events(
    base_import: BaseImport, plan: ImportPlan, company_ids: list[int], target: Any
) -> Iterator[NewEvent]:
    """One ``company_added`` per new company, one ``companies_merged`` per merged row."""
    actor_id, headers, pk = base_import.created_by_id, base_import.headers, base_import.pk
    new = zip(plan.new_groups, plan.new_companies, company_ids, strict=True)
    for group, company, company_id in new:
        yield NewEvent(
            kind=EventKind.COMPANY_ADDED,
            company_id=company_id,
            actor_id=actor_id,
            payload={"import": pk, "rows": group.rows, "source": company_fields(company)[SOURCE]},
        )
    for merge in plan.merges:
        yield NewEvent(
            kind=EventKind.COMPANIES_MERGED,
            company_id=target(merge.group),
            actor_id=actor_id,
            payload={
                "import": pk,
                "row": merge.row_number,
                "matched_by": merge.matched_by,
                "source_row": dict(zip(headers, merge.cells, strict=False)),
            },
        )


def _add_contacts_to_existing(*, project: Project, plan: ImportPlan) -> None:
    existing = {id(m.group): m.group for m in plan.merges if m.group.company_id}.values()
    CompanyPhone.objects.bulk_create(
        [
            CompanyPhone(
                client_id=project.client_id,
                company_id=group.company_id,
                e164=e164,
                extension=plan.phone_details[e164][3],
                kind=plan.phone_details[e164][1],
                operator=plan.phone_details[e164][2],
            )
            for group in existing
            for e164 in sorted(group.added_phones)
        ],
        ignore_conflicts=True,
    )
    CompanyEmail.objects.bulk_create(
        [
            CompanyEmail(client_id=project.client_id, company_id=group.company_id, address=a)
            for group in existing
            for a in sorted(group.added_emails)
        ],
        ignore_conflicts=True,
    )


ISSUE_COLUMNS = (
    "client_id", "base_import_id", "row_number", "kind", "company_id", "reason_code",
    "reason_uk", "reason_en", "cells",
)  # fmt: skip
REASON_LENGTH = ImportIssue._meta.get_field("reason_uk").max_length


def _insert_issues(base_import: BaseImport, plan: ImportPlan, target: Any) -> None:
    """One issue per rejected, merged or flagged row, written as plain rows."""
    client_id, import_id = base_import.client_id, base_import.pk
    rejected, merged = str(IssueKind.REJECTED), str(IssueKind.MERGED)
    flagged = str(IssueKind.POSSIBLE_DUPLICATE)
    reasons = {code: _halves(message) for code, message in MATCHED_BY_MESSAGES.items()}

    def issue(row, kind, company_id, code, uk, en, cells):  # one ImportIssue, in ISSUE_COLUMNS
        return (client_id, import_id, row, kind, company_id, code,
                uk[:REASON_LENGTH], en[:REASON_LENGTH], cells)  # fmt: skip

    rows = [
        issue(r.row_number, rejected, None, r.code, r.reason_uk, r.reason_en, r.cells)
        for r in plan.rejections
    ]
    rows += [
        issue(m.row_number, merged, target(m.group), m.matched_by, *reasons[m.matched_by], m.cells)
        for m in plan.merges
    ]
    rows += [
        issue(f.row_number, flagged, target(f.other), "same_phone",
              f"Той самий телефон {f.phone} в іншої компанії", "same phone as another company",
              f.cells)
        for f in plan.flags
    ]  # fmt: skip
    insert_rows(ImportIssue, ISSUE_COLUMNS, rows)


def _halves(message: str) -> tuple[str, str]:
    uk, _sep, en = message.partition(" / ")
    return uk, en
