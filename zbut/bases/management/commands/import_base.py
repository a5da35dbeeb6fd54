"""`zbut import-base PROJECT_SLUG FILE [--json]`: import a base file with the guessed columns."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from zbut.bases.models import BaseImport, ImportState, IssueKind
from zbut.bases.services import confirm_mapping, mapping_of, run_import, start_import
from zbut.core.commands import ZbutCommand
from zbut.projects.models import Project


class Command(ZbutCommand):
    requires_system_checks: list[str] = []  # a data command: `zbut check` is for deploys
    help = (
        "Import a base (CSV in UTF-8 or cp1251, XLSX, XLS) into a project: normalise, merge "
        "duplicates, reject rows without a contact. Accepted rows commit together or not at all."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("project", help="project slug")
        parser.add_argument("file", help="the base file")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args: Any, project: str, file: str, json: bool, **options: Any) -> None:
        project_obj = Project.objects.filter(slug=project).first()
        if project_obj is None:
            raise self.fail(f"unknown project: {project} / невідомий проєкт: {project}")
        path = Path(file).resolve()
        if not path.is_file():
            raise self.fail(f"no such file: {file} / немає такого файлу: {file}")
        base_import = start_import(
            project=project_obj, file_name=path.name, stored_path=path, actor=None
        )
        choices = {i: str(f) for i, f in mapping_of(base_import).fields.items()}
        confirm_mapping(base_import=base_import, choices=choices)
        base_import = run_import(base_import_id=base_import.pk)
        if base_import.state == ImportState.FAILED:
            raise self.fail(base_import.error)
        report = import_report(base_import)
        if json:
            self.stdout.write(json_text(report))
        else:
            self.stdout.write(
                "rows {rows}: imported {imported}, merged {merged}, rejected {rejected}, "
                "possible duplicates {possible_duplicates}".format(**report)
            )
            for rejection in report["rejections"]:
                self.stdout.write(f"  row {rejection['row']}: {rejection['reason']}")


def import_report(base_import: BaseImport) -> dict[str, Any]:
    # Only the columns the report shows: an issue's cells are JSON, decoded for nothing.
    rejections = (
        base_import.issues.filter(kind=IssueKind.REJECTED)
        .order_by("row_number")
        .values_list("row_number", "reason_code", "reason_uk", "reason_en")
    )
    return {
        "import": base_import.pk,
        "rows": base_import.rows,
        "imported": base_import.imported,
        "merged": base_import.merged,
        "rejected": base_import.rejected,
        "possible_duplicates": base_import.possible_duplicates,
        "rejections": [_rejection(*issue) for issue in rejections],
    }


def _rejection(row: int, code: str, reason_uk: str, reason_en: str) -> dict[str, Any]:
    reason = f"{reason_uk} / {reason_en}" if reason_en else reason_uk
    return {"row": row, "code": code, "reason": reason}


def json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
