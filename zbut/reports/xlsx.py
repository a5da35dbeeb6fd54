"""The final export as an XLSX workbook: the same nine columns as the CSV.

XlsxWriter's ``constant_memory`` mode writes each row to disk as it goes, so 100 000
companies take the memory of one row. Every cell is written as a string (``write_string``):
"+380…" stays text instead of becoming a number, and a cell that starts with = + - @ is
neutralised by ``export_rows`` exactly as in the CSV (phone lists are left readable).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import xlsxwriter
from django.db.models import QuerySet

from zbut.bases.models import Company
from zbut.projects.models import Project
from zbut.reports.exports import export_header, export_rows

COLUMN_WIDTHS = (26, 17, 80, 36, 24, 40, 30, 30, 30)
PROGRESS_EVERY = 1000


def write_export_xlsx(
    *,
    project: Project,
    path: Path,
    companies: QuerySet[Company] | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the project's base (or a filtered view of it) to ``path``; returns the row count."""
    if companies is None:
        companies = Company.objects.filter(project=project)
    workbook = xlsxwriter.Workbook(
        str(path), {"constant_memory": True, "strings_to_numbers": False}
    )
    try:
        sheet = workbook.add_worksheet(project.slug[:31] or "export")
        bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        for column, width in enumerate(COLUMN_WIDTHS):
            sheet.set_column(column, column, width)
        for column, title in enumerate(export_header()):
            sheet.write_string(0, column, title, bold)
        sheet.freeze_panes(1, 0)
        count = 0
        for count, row in enumerate(export_rows(companies.filter(project=project)), start=1):
            for column, cell in enumerate(row):
                sheet.write_string(count, column, cell, wrap)
            if progress is not None and count % PROGRESS_EVERY == 0:
                progress(count)
    finally:
        workbook.close()
    return count
