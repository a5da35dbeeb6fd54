"""Reads of a project's base."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from zbut.bases.dedup import Identity
from zbut.bases.models import Company, CompanyEmail, CompanyPhone
from zbut.bases.names import normalise_company_name
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
