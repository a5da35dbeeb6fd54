"""Reads of a project's base."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterator
from typing import IO

from zbut.bases.dedup import Identity
from zbut.bases.models import BaseImport, Company, CompanyEmail, CompanyPhone, IssueKind
from zbut.bases.names import normalise_company_name
from zbut.core.csv_safety import neutralise_cell
from zbut.projects.models import Project


def existing_identities(*, project: Project) -> Iterator[tuple[int, Identity]]:
    """What dedup needs of every company already in the project's base (three queries)."""
    phones: dict[int, set[str]] = defaultdict(set)
    for company_id, e164 in CompanyPhone.objects.filter(
        company__project=project, is_bad=False
    ).values_list("company_id", "e164"):
        phones[company_id].add(e164)
    emails: dict[int, set[str]] = defaultdict(set)
    for company_id, address in CompanyEmail.objects.filter(company__project=project).values_list(
        "company_id", "address"
    ):
        emails[company_id].add(address)
    rows = Company.objects.filter(project=project).values_list("id", "legal_form", "name", "edrpou")
    for company_id, legal_form, name, edrpou in rows.iterator(chunk_size=5000):
        yield (
            company_id,
            Identity(
                name_key=normalise_company_name(f"{legal_form} {name}").key,
                edrpou=edrpou,
                phones=frozenset(phones.get(company_id, ())),
                emails=frozenset(emails.get(company_id, ())),
            ),
        )


def rejected_rows_csv(*, base_import: BaseImport, out: IO[str]) -> int:
    """The rejected rows as the coordinator sent them, plus the reason: fix and re-import.

    The same encoding-proof format as every export: UTF-8 with BOM, `;`. The reason goes in
    the last column, which the re-import keeps as an extra attribute if left in.
    """
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([*base_import.headers, "Причина / Reason"])
    count = 0
    issues = base_import.issues.filter(kind=IssueKind.REJECTED).order_by("row_number")
    for issue in issues.iterator(chunk_size=2000):
        cells = list(issue.cells) + [""] * (len(base_import.headers) - len(issue.cells))
        reason = f"{issue.reason_uk} / {issue.reason_en}" if issue.reason_en else issue.reason_uk
        writer.writerow([neutralise_cell(cell) for cell in (*cells, reason)])
        count += 1
    return count
