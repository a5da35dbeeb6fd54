"""The XLSX export: the CSV's nine columns, phones as text, formulas neutralised."""

from __future__ import annotations

import pytest
from python_calamine import CalamineWorkbook

from tests.desk.conftest import approved_companies
from zbut.bases.models import Company
from zbut.reports.exports import export_header
from zbut.reports.xlsx import write_export_xlsx

pytestmark = pytest.mark.django_db


def read_rows(path):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


def test_xlsx_has_the_nine_columns_and_phones_stay_text(world, tmp_path):
    approved_companies(world.project_a, 3, category="Будівництво")
    path = tmp_path / "export.xlsx"
    count = write_export_xlsx(project=world.project_a, path=path)
    rows = read_rows(path)
    assert count == 3
    assert rows[0] == export_header()
    assert len(rows) == 4
    first = rows[1]
    assert first[3] == "ТОВ Компанія 0"
    assert first[4] == "Будівництво"
    assert first[6] == "+380671000000, +380442000000"
    assert isinstance(first[6], str)
    assert first[8] == "info0@firma.ua"


def test_xlsx_neutralises_formulas_but_not_phone_lists(world, tmp_path):
    [company] = approved_companies(world.project_a, 1)
    Company.objects.filter(pk=company.pk).update(
        name='=HYPERLINK("http://evil")', legal_form="", category="@SUM(A1)", address="-2+3"
    )
    path = tmp_path / "export.xlsx"
    write_export_xlsx(project=world.project_a, path=path)
    row = read_rows(path)[1]
    assert row[3] == '\'=HYPERLINK("http://evil")'
    assert row[4] == "'@SUM(A1)"
    assert row[5] == "'-2+3"
    assert row[6].startswith("+380")


def test_xlsx_of_a_filtered_view_and_of_another_project_only_its_own(world, tmp_path):
    approved_companies(world.project_a, 2, region="Київ")
    approved_companies(world.project_a, 1, region="Львів", start=10)
    approved_companies(world.project_b, 2, start=20)
    path = tmp_path / "export.xlsx"
    lviv = Company.objects.filter(region="Львів")
    assert write_export_xlsx(project=world.project_a, path=path, companies=lviv) == 1
    assert [row[3] for row in read_rows(path)[1:]] == ["ТОВ Компанія 10"]
    everything = Company.objects.all()
    assert write_export_xlsx(project=world.project_b, path=path, companies=everything) == 2
