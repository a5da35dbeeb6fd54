"""Importing a messy base: every row imported, merged or rejected with its reason, atomically."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.bases.xlsx import xlsx_bytes
from zbut.bases.models import BaseImport, Company, CompanyPhone, ImportState, IssueKind
from zbut.bases.packed_fields import unpacked
from zbut.bases.readers import BaseFileError
from zbut.bases.selectors import rejected_rows_csv
from zbut.bases.services import (
    CompanyDraft,
    PhoneDraft,
    add_companies,
    confirm_mapping,
    mapping_of,
    run_import,
    start_import,
)
from zbut.bases.tasks import run_import_task
from zbut.core.errors import ZbutError
from zbut.history.audit import verify_chains
from zbut.history.models import Event, EventKind

CORPUS = Path(__file__).parent / "corpus"
NASTY = CORPUS / "base-nasty-cp1251.csv"


def _import(world, path: Path) -> BaseImport:
    base_import = start_import(
        project=world.project_a, file_name=path.name, stored_path=path, actor=world.coordinator
    )
    choices = {i: str(f) for i, f in mapping_of(base_import).fields.items()}
    confirm_mapping(base_import=base_import, choices=choices)
    return run_import(base_import_id=base_import.pk)


def _issues(base_import: BaseImport, kind: IssueKind) -> dict[int, str]:
    return dict(base_import.issues.filter(kind=kind).values_list("row_number", "reason_code"))


def test_nasty_cp1251_base_is_imported_merged_and_rejected_row_by_row(world):
    result = _import(world, NASTY)
    assert result.state == ImportState.DONE
    assert (result.rows, result.imported, result.merged, result.rejected) == (11, 5, 2, 4)
    assert result.possible_duplicates == 1
    assert _issues(result, IssueKind.REJECTED) == {
        5: "no_contact",  # 3.80673E+11: digits lost, never guessed
        6: "no_name",
        10: "no_contact",  # "не вказано" is not an e-mail
        13: "no_contact",  # a Polish number
    }
    assert _issues(result, IssueKind.MERGED) == {3: "phone", 4: "phone"}
    assert _issues(result, IssueKind.POSSIBLE_DUPLICATE) == {7: "same_phone"}


def test_merged_rows_give_one_company_with_the_union_of_contacts(world):
    _import(world, NASTY)
    agro = Company.objects.get(project=world.project_a, edrpou="32855961")
    assert (agro.legal_form, agro.name, agro.region) == ("ТОВ", "Агро-Світ", "м. Київ")
    phones = set(agro.phones.values_list("e164", "extension", "kind", "operator"))
    assert phones == {
        ("+380672945123", "", "mobile", "Київстар"),
        ("+380441234567", "12", "landline", ""),
        ("+380501112233", "", "mobile", "Vodafone"),
    }
    assert set(agro.emails.values_list("address", flat=True)) == {
        "info@agro-svit.ua",
        "sales@agro-svit.ua",
    }
    assert agro.extra == {"Сайт": "agro-svit.ua"}
    merges = Event.objects.filter(kind=EventKind.COMPANIES_MERGED, company=agro)
    assert sorted(e.payload["row"] for e in merges) == [3, 4]
    assert merges.first().payload["source_row"]["Назва"] in {"Агро-Світ, ТОВ", 'ТзОВ "АГРО-СВІТ"'}


def test_same_phone_under_another_name_stays_two_companies(world):
    _import(world, NASTY)
    assert Company.objects.filter(project=world.project_a, name="Гамма").exists()
    assert CompanyPhone.objects.filter(e164="+380672945123").count() == 2


def test_invalid_registry_code_is_kept_as_an_extra_attribute_not_trusted(world):
    _import(world, NASTY)
    assert not Company.objects.filter(name="Епсилон").exists()  # rejected: no contact
    zeta = Company.objects.get(name="Зета")
    assert zeta.edrpou == "00032945"


def test_import_into_an_existing_base_merges_into_the_existing_company(world):
    (existing,) = add_companies(
        project=world.project_a,
        drafts=[CompanyDraft(name="Агро-Світ", legal_form="ТОВ",
                             phones=[PhoneDraft("+380672945123")])],
    )  # fmt: skip
    result = _import(world, NASTY)
    assert result.imported == 4
    assert existing.phones.count() == 3
    assert _issues(result, IssueKind.MERGED) == {2: "phone", 3: "phone", 4: "phone"}
    assert verify_chains().is_intact


def test_an_import_commits_all_its_rows_or_nothing(world, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("zbut.bases.import_writer.ImportWriter._insert_issues", broken)  # last
    with pytest.raises(RuntimeError):
        _import(world, NASTY)
    assert not Company.objects.filter(project=world.project_a).exists()
    assert not Event.objects.filter(kind=EventKind.COMPANY_ADDED).exists()
    assert BaseImport.objects.get().state == ImportState.FAILED


def test_xlsx_base_is_imported_with_float_phones(world, tmp_path):
    path = tmp_path / "база.xlsx"
    path.write_bytes(xlsx_bytes([["Назва", "Телефон"], ["ТОВ «Альфа»", 380672945123.0]]))
    result = _import(world, path)
    assert result.imported == 1
    assert CompanyPhone.objects.get().e164 == "+380672945123"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty_file"),
        (b"\x7fELF\x02\x01\x01\x00\x00\x00" * 50, "binary_file"),
        ("Колонка;Ще колонка\n1;2\n".encode(), "no_header"),
        (b"PK\x03\x04" + b"\x00" * 64, "broken_spreadsheet"),
    ],
)
def test_an_unreadable_file_gets_one_clear_message_and_changes_nothing(
    world, tmp_path, content, code
):
    path = tmp_path / "база.csv"
    path.write_bytes(content)
    with pytest.raises((BaseFileError, ZbutError)) as raised:
        start_import(project=world.project_a, file_name=path.name, stored_path=path, actor=None)
    assert raised.value.code == code
    assert not BaseImport.objects.exists()


def test_the_mapping_needs_a_name_and_a_contact_column(world):
    base_import = start_import(
        project=world.project_a, file_name=NASTY.name, stored_path=NASTY, actor=None
    )
    with pytest.raises(ZbutError) as raised:
        confirm_mapping(base_import=base_import, choices={2: "phones"})
    assert raised.value.code == "no_name_column"
    with pytest.raises(ZbutError) as raised:
        confirm_mapping(base_import=base_import, choices={0: "name", 1: "address"})
    assert raised.value.code == "no_contact_column"


def test_rejected_rows_download_as_csv_with_their_reasons(world):
    result = _import(world, NASTY)
    out = io.StringIO()
    assert rejected_rows_csv(base_import=result, out=out) == 4
    lines = out.getvalue().lstrip("\ufeff").splitlines()
    assert lines[0].endswith(";Причина / Reason")
    assert lines[1].startswith("ПП «Бета»;")
    assert "digits lost" in lines[1]


def test_the_task_runs_a_queued_import_once(world):
    base_import = start_import(
        project=world.project_a, file_name=NASTY.name, stored_path=NASTY, actor=None
    )
    confirm_mapping(base_import=base_import, choices={0: "name", 2: "phones", 4: "emails"})
    run_import_task.enqueue(base_import.pk)
    run_import_task.enqueue(base_import.pk)
    assert Company.objects.filter(project=world.project_a).count() == 5


def test_import_base_command_prints_the_report_as_json(world, tmp_path, capsys):
    path = tmp_path / "base.csv"
    shutil.copy(NASTY, path)
    call_command("import_base", "a-system", str(path), "--json")
    report = json.loads(capsys.readouterr().out)
    assert {k: report[k] for k in ("rows", "imported", "merged", "rejected")} == {
        "rows": 11, "imported": 5, "merged": 2, "rejected": 4,
    }  # fmt: skip
    assert report["possible_duplicates"] == 1
    assert report["rejections"][0] == {
        "row": 5,
        "code": "no_contact",
        "reason": report["rejections"][0]["reason"],
    }
    assert "digits lost" in report["rejections"][0]["reason"]


def test_import_base_command_refuses_a_missing_file(world):
    with pytest.raises(CommandError) as raised:
        call_command("import_base", "a-system", "/nonexistent/base.csv")
    assert raised.value.returncode == 2


def test_a_no_contact_rejection_names_the_refused_values_in_both_languages(world):
    result = _import(world, NASTY)
    issue = result.issues.get(row_number=5)  # ПП «Бета»: 3.80673E+11
    assert issue.reason_uk.startswith("Немає жодного контакту: 3.80673E+11 — ")
    assert "втратило цифри" in issue.reason_uk
    assert " / " not in issue.reason_uk
    assert issue.reason_en.startswith("no valid phone or e-mail: 3.80673E+11 — ")
    assert issue.reason_en.endswith("digits lost in scientific notation")


def _plan_summary(plan):
    def row_set(group):
        return group.first_row or group.company_id

    return (
        plan.rows,
        [(row_set(g), company, sorted(g.added_phones), sorted(g.added_emails))
         for g, company in zip(plan.new_groups, plan.new_companies, strict=True)],
        [(m.row_number, row_set(m.group), m.matched_by, unpacked(m.cells)) for m in plan.merges],
        [
            (r.row_number, r.code, r.reason_uk, r.reason_en, unpacked(r.cells))
            for r in plan.rejections
        ],
        [(f.row_number, row_set(f.group), row_set(f.other), f.phone) for f in plan.flags],
        plan.phone_details,
    )  # fmt: skip


def test_a_plan_judged_in_worker_processes_is_the_plan_judged_here(monkeypatch):
    from zbut.bases import importing, judging
    from zbut.bases.columns import guess_mapping
    from zbut.bases.readers import iter_rows

    header, *rows = list(iter_rows(NASTY))
    rows = rows * 7  # the same companies again: merged into the first ones, across chunks
    monkeypatch.setattr(judging, "CHUNK_ROWS", 5)  # many chunks, several in flight

    def plan(workers):
        return importing.plan_import(
            rows=iter(rows), mapping=guess_mapping(header), workers=workers, default_source="b"
        )

    here = plan(0)
    assert _plan_summary(plan(2)) == _plan_summary(here)
    assert here.rows == 7 * 11 and len(here.merges) > len(here.new_groups)


@pytest.mark.parametrize(
    "fields",
    [
        ("Агро", "ТОВ", "", "Київ", "", "", "", "", "{}"),
        ("А\x1fБ", "", "", "", "", "", "", "", "{}"),  # the separator in a cell
    ],
)
def test_a_company_record_gives_back_its_fields(fields):
    from zbut.bases.importing import company_fields, company_record

    assert company_fields(company_record(fields)) == fields


def test_a_file_that_breaks_midway_stops_the_worker_processes_too(monkeypatch):
    import multiprocessing

    from zbut.bases import importing, judging
    from zbut.bases.columns import guess_mapping
    from zbut.bases.readers import iter_rows

    header, *rows = list(iter_rows(NASTY))
    monkeypatch.setattr(judging, "CHUNK_ROWS", 3)

    def breaking_rows():
        yield from rows
        raise BaseFileError("broken_csv", "broken")

    with pytest.raises(BaseFileError):
        importing.plan_import(rows=breaking_rows(), mapping=guess_mapping(header), workers=2)
    assert multiprocessing.active_children() == []


def test_a_number_or_address_written_twice_in_a_row_is_one_contact_as_first_written():
    from zbut.bases.columns import guess_mapping
    from zbut.bases.importing import plan_import

    header = ["Назва", "Телефон", "Моб. телефон", "Email", "E-mail"]
    row = [
        "ТОВ Агро",
        "044 234 56 78 доб. 12, 067 294 51 23",
        "+380442345678, 0672945123; 050 123 45 67",
        "info@agro.ua",
        "INFO@agro.ua; sales@agro.ua",
    ]

    plan = plan_import(rows=[row], mapping=guess_mapping(header))

    (group,) = plan.new_groups
    assert group.identity.phones == ("+380442345678", "+380672945123", "+380501234567")
    assert group.identity.emails == ("info@agro.ua", "sales@agro.ua")
    assert plan.phone_details["+380442345678"][3] == "12"  # the extension as first written
