"""The import benchmark's child processes, on the database named by DATABASE_URL.

`python -m bench.importrun setup` migrates and creates the one client and project the import
goes into. `python -m bench.importrun die FILE --limit N` imports the first N rows of FILE
through django-import-export (a plain ``ModelResource``) and prints one JSON object.
Our own import is timed as the real `zbut import-base` command (see ``bench.imports``).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from itertools import islice
from pathlib import Path

CLIENT_SLUG = "bench-client"
PROJECT_SLUG = "bench-import"
COLUMNS = {  # the CSV's header → Company field; phones and e-mails are ignored
    "Назва": "name",
    "Адреса": "address",
    "Контактна особа": "contact_person",
    "Джерело": "source",
    "Категорія": "category",
    "ЄДРПОУ": "edrpou",
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.importrun")
    parser.add_argument("task", choices=["setup", "die"])
    parser.add_argument("file", nargs="?", type=Path)
    parser.add_argument("--limit", type=int, default=0, help="rows to import (0: all)")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zbut.settings")
    import django

    django.setup()
    if args.task == "setup":
        result = _setup()
    else:
        result = _django_import_export(args.file, limit=args.limit)
    sys.stdout.write(json.dumps(result) + "\n")


def _setup() -> dict:
    from django.core.management import call_command

    from zbut.accounts.services import create_client
    from zbut.projects.services import create_project

    call_command("migrate", verbosity=0, interactive=False)
    client = create_client(slug=CLIENT_SLUG, name="ТОВ «Клієнт бенчмарку»")
    project = create_project(client=client, slug=PROJECT_SLUG, kind="system", name="Імпорт бази")
    return {"project": project.slug}


def _django_import_export(path: Path, *, limit: int) -> dict:
    import tablib
    from import_export import fields, resources

    from zbut.bases.models import Company
    from zbut.projects.models import Project

    project = Project.objects.get(slug=PROJECT_SLUG)

    class CompanyResource(resources.ModelResource):
        name = fields.Field(attribute="name", column_name="Назва")
        address = fields.Field(attribute="address", column_name="Адреса")
        contact_person = fields.Field(attribute="contact_person", column_name="Контактна особа")
        source = fields.Field(attribute="source", column_name="Джерело")
        category = fields.Field(attribute="category", column_name="Категорія")
        edrpou = fields.Field(attribute="edrpou", column_name="ЄДРПОУ")

        class Meta:
            model = Company
            fields = ("id", *COLUMNS.values())

        def before_save_instance(self, instance, row, **kwargs):
            instance.client_id, instance.project_id = project.client_id, project.pk

    started = time.perf_counter()
    with path.open(encoding="cp1251", newline="") as text:
        reader = csv.reader(text, delimiter=";")
        header = next(reader)
        rows = list(islice(reader, limit) if limit else reader)
    dataset = tablib.Dataset(*rows, headers=header)
    result = CompanyResource().import_data(dataset, dry_run=False, use_transactions=True)
    seconds = time.perf_counter() - started
    if result.has_errors() or result.has_validation_errors():
        raise SystemExit(f"django-import-export reported errors: {result.totals}")
    return {"rows": len(rows), "seconds": seconds, "imported": Company.objects.count()}


if __name__ == "__main__":
    main()
