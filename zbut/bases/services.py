"""Writes to a project's base."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zbut.accounts.models import User
from zbut.bases.columns import ColumnMapping, Field, guess_mapping, mapping_from_choices
from zbut.bases.drafts import CompanyDraft, PhoneDraft
from zbut.bases.import_writer import ImportWriter
from zbut.bases.importing import ImportPlan, gc_paused, plan_import
from zbut.bases.models import (
    BaseImport,
    BaseState,
    Company,
    CompanyEmail,
    CompanyPhone,
    ImportState,
)
from zbut.bases.progress import ImportProgress, estimated_rows
from zbut.bases.readers import EMPTY_FILE, BaseFileError, ReadErrorCode, iter_rows
from zbut.bases.selectors import existing_identities
from zbut.core.db_functions import background_inserts, sqlite_bulk_write
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
    """Judge every row and write the accepted ones, in one transaction or nothing.

    The writing overlaps the judging (``import_writer``), and the rows are written by a
    thread of their own (``background_inserts``), so the transaction spans the whole
    import; its progress goes to the cache, where the page that follows it can see it before
    the commit. Idempotent: only a queued import is run, and it is claimed first, so a task
    delivered twice runs it once.
    """
    claimed = BaseImport.objects.filter(
        pk=base_import_id, state__in=[ImportState.QUEUED, ImportState.MAPPING]
    ).update(state=ImportState.RUNNING)
    base_import = BaseImport.objects.select_related("project").get(pk=base_import_id)
    if not claimed:
        return base_import
    path = Path(base_import.stored_path)
    progress = ImportProgress(base_import_id, rows_total=estimated_rows(path))
    progress.set(0)
    try:
        # gc paused: the plan is millions of live objects, full passes would free nothing.
        with (
            gc_paused(),
            sqlite_bulk_write(),
            transaction.atomic(durable=True),
            background_inserts() as background,
        ):
            plan = ImportPlan()
            writer = ImportWriter(base_import, plan, background)
            plan_import(
                rows=_data_rows(path),
                mapping=mapping_of(base_import),
                existing=existing_identities(project=base_import.project),
                default_source=Path(base_import.file_name).stem[:100],
                on_progress=progress.set,
                workers=import_workers(path),
                plan=plan,
                on_new_company=writer.add_company,
            )
            _finish(writer)
            del plan, writer
    except ZbutError as error:
        _fail(base_import_id, str(error.message))
    except Exception:
        _fail(base_import_id, str(MSG_INTERNAL_ERROR))
        raise
    finally:
        progress.clear()
    base_import.refresh_from_db()
    return base_import


def _finish(writer: ImportWriter) -> None:
    writer.finish()
    base_import = writer.base_import
    base_import.state = ImportState.DONE
    base_import.finished_at = timezone.now()
    base_import.save()


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
