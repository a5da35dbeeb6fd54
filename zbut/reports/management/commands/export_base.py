"""`zbut export-base PROJECT_SLUG --out FILE`: the final export of a project's base as CSV."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from zbut.core.commands import ZbutCommand
from zbut.projects.models import Project
from zbut.reports.exports import write_export_csv


class Command(ZbutCommand):
    help = "Write the project's base in the final-export format (CSV, UTF-8 with BOM, ';')."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("project", help="project slug")
        parser.add_argument("--out", required=True, help="the CSV file to write ('-' for stdout)")

    def handle(self, *args: Any, project: str, out: str, **options: Any) -> None:
        project_obj = Project.objects.filter(slug=project).first()
        if project_obj is None:
            raise self.fail(f"unknown project: {project} / невідомий проєкт: {project}")
        if out == "-":
            write_export_csv(project=project_obj, out=sys.stdout)
            return
        target = Path(out)
        if not target.parent.is_dir():
            raise self.fail(f"no such directory: {target.parent} / немає такої теки")
        with target.open("w", encoding="utf-8", newline="") as handle:
            count = write_export_csv(project=project_obj, out=handle)
        self.stderr.write(f"{count} companies written to {target}")
