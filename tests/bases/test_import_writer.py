"""An import writes its companies while it reads: the result is the same as writing at the end."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.db.models import ProtectedError

from tests.bases.test_import import NASTY
from tests.conftest import World
from tests.core.test_db_functions import bulk_write_pragmas_now
from zbut.bases import import_writer, services
from zbut.bases.models import BaseImport, Company, CompanyEmail, CompanyPhone, ImportIssue
from zbut.bases.services import confirm_mapping, mapping_of, run_import, start_import
from zbut.core.db_functions import BULK_WRITE_PRAGMAS, BackgroundInserts
from zbut.history.audit import verify_chains
from zbut.history.models import Event
from zbut.projects.models import Project

pytestmark = pytest.mark.django_db


def _import(project: Project, path: Path) -> BaseImport:
    base_import = start_import(project=project, file_name=path.name, stored_path=path, actor=None)
    choices = {i: str(f) for i, f in mapping_of(base_import).fields.items()}
    confirm_mapping(base_import=base_import, choices=choices)
    return run_import(base_import_id=base_import.pk)


def _written(project: Project) -> tuple:
    """What an import left in a project's base, by company name (ids differ per project)."""
    companies = {
        company.name: (
            company.legal_form,
            company.edrpou,
            company.source,
            sorted(company.phones.values_list("e164", "extension", "kind", "operator")),
            sorted(company.emails.values_list("address", flat=True)),
        )
        for company in Company.objects.filter(project=project).prefetch_related("phones", "emails")
    }
    issues = sorted(
        ImportIssue.objects.filter(base_import__project=project).values_list(
            "row_number", "kind", "reason_code", "company__name"
        ),
        key=str,
    )
    events = sorted(
        (event.kind, event.company.name if event.company else "", event.payload.get("row"))
        for event in Event.objects.filter(project=project).select_related("company")
        if event.kind != "project_created"
    )
    return companies, issues, events


def test_companies_written_one_by_one_as_they_are_placed_end_as_in_one_batch(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every row again after the first pass: later rows merge into companies already written,
    # and bring them contacts that must be added afterwards.
    header, *rows = NASTY.read_bytes().splitlines(keepends=True)
    doubled = tmp_path / "doubled.csv"
    doubled.write_bytes(header + b"".join(rows) + b"".join(rows))

    _import(world.project_b, doubled)
    monkeypatch.setattr(import_writer, "BATCH", 1)
    monkeypatch.setattr(services, "PARALLEL_MIN_BYTES", 0)  # and judged by worker processes
    one_by_one = _import(world.project_a, doubled)

    assert one_by_one.imported == 5 and one_by_one.merged > one_by_one.imported
    assert _written(world.project_a) == _written(world.project_b)
    assert verify_chains().is_intact


def _import_rows(project: Project, tmp_path: Path, rows: list[str]) -> BaseImport:
    base = tmp_path / "база.csv"
    base.write_text("Назва;Телефон;Email\n" + "".join(f"{row}\n" for row in rows), "utf-8")
    return _import(project, base)


def _contacts(company: Company) -> tuple[list[str], list[str]]:
    """Its phones (sorted) and e-mails."""
    phones = sorted(company.phones.values_list("e164", flat=True))
    return phones, list(company.emails.values_list("address", flat=True))


def test_a_merged_row_adds_its_new_phone_to_a_company_written_before_it(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_writer, "BATCH", 1)
    result = _import_rows(
        world.project_a,
        tmp_path,
        [
            "ТОВ «Агро-Світ»;067 294 51 23;",
            "ТОВ «Бета»;050 111 22 33;",
            "Агро-Світ, ТОВ;067 294 51 23, 044 123 45 67;info@agro-svit.ua",
        ],
    )
    assert (result.imported, result.merged) == (2, 1)
    agro = Company.objects.get(project=world.project_a, name="Агро-Світ")
    assert _contacts(agro) == (["+380441234567", "+380672945123"], ["info@agro-svit.ua"])
    added = Event.objects.get(company=agro, kind="company_added")
    assert added.payload["row"] == 2
    assert Event.objects.get(company=agro, kind="companies_merged").payload["row"] == 4


def test_a_company_merged_into_before_and_after_it_was_written_gets_each_contact_once(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_writer, "BATCH", 2)
    result = _import_rows(
        world.project_a,
        tmp_path,
        [
            "ТОВ «Агро-Світ»;067 294 51 23;",
            "Агро-Світ, ТОВ;067 294 51 23, 044 123 45 67;",  # merged while still unwritten
            "ТОВ «Бета»;050 111 22 33;",  # the second company: both are written now
            "ТОВ «Агро-Світ»;067 294 51 23, 044 123 45 67;info@agro-svit.ua",  # merged after
            "ТОВ «Агро-Світ»;044 123 45 67, 093 000 11 22;",  # and again, by the other phone
        ],
    )
    assert (result.imported, result.merged) == (2, 3)
    agro = Company.objects.get(project=world.project_a, name="Агро-Світ")
    assert _contacts(agro) == (
        ["+380441234567", "+380672945123", "+380930001122"],
        ["info@agro-svit.ua"],
    )


def test_an_import_writes_the_same_through_the_background_thread_as_without_it(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The rows, and the chain's head, go to a thread of their own
    # (core.db_functions.background_inserts): multi-row INSERTs on SQLite, COPY on PostgreSQL.
    monkeypatch.setattr(import_writer, "BATCH", 2)
    threaded = _import(world.project_a, NASTY)
    monkeypatch.setattr(services, "background_inserts", lambda: contextlib.nullcontext())
    direct = _import(world.project_b, NASTY)

    assert (threaded.imported, threaded.merged, threaded.rejected) == (
        direct.imported,
        direct.merged,
        direct.rejected,
    )
    assert threaded.imported > 2
    assert _written(world.project_a) == _written(world.project_b)
    assert verify_chains().is_intact


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own settings")
@pytest.mark.django_db(transaction=True)
def test_an_import_writes_with_sqlite_bulk_write_settings(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Statement journals in memory, a larger page cache (core.db_functions).
    seen = []
    real = services.background_inserts

    @contextlib.contextmanager
    def spying() -> Iterator[BackgroundInserts]:
        seen.append(bulk_write_pragmas_now())
        with real() as background:
            yield background

    monkeypatch.setattr(services, "background_inserts", spying)
    assert _import(world.project_a, NASTY).imported > 0
    assert seen == [BULK_WRITE_PRAGMAS]


def test_what_an_import_writes_refers_only_to_its_own_rows_and_none_can_be_deleted(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The database does not check these references (IMPORT_WRITTEN in bases.models): the
    # writer gives each row the ids of rows of the same import, and PROTECT keeps them.
    monkeypatch.setattr(import_writer, "BATCH", 2)
    base_import = _import(world.project_a, NASTY)
    companies = Company.objects.filter(project=world.project_a)
    ids = set(companies.values_list("pk", flat=True))

    assert ids and set(CompanyPhone.objects.values_list("company_id", flat=True)) <= ids
    assert set(CompanyEmail.objects.values_list("company_id", flat=True)) <= ids
    issues = ImportIssue.objects.all()
    assert set(issues.values_list("base_import_id", flat=True)) == {base_import.pk}
    assert set(issues.exclude(company=None).values_list("company_id", flat=True)) <= ids
    with pytest.raises(ProtectedError), transaction.atomic():
        companies.first().delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        world.project_a.delete()
