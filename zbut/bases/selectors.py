"""Reads of a project's base."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import IO

from django.db.models import Count, Prefetch, QuerySet

from zbut.accounts.models import Membership, Role
from zbut.bases.dedup import Identity
from zbut.bases.models import (
    AgreementState,
    BaseAgreement,
    BaseImport,
    BaseState,
    Company,
    CompanyEmail,
    CompanyPhone,
    ImportIssue,
    IssueKind,
)
from zbut.bases.names import normalise_company_name
from zbut.bases.outcomes import OutcomeShare, distribution_from_counts
from zbut.bases.readers import iter_rows
from zbut.core.csv_safety import neutralise_cell
from zbut.core.days import day_bounds
from zbut.history.models import Event, EventKind
from zbut.projects.models import Phase, PhaseState, Project
from zbut.projects.selectors import project_for


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


# --- screens: imports and the base agreement ---------------------------------------------------


def base_project_for(*, membership: Membership, slug: str, agency_only: bool = False) -> Project:
    """A project whose base the membership may see; Project.DoesNotExist (a 404) otherwise.

    Tenancy goes through ``projects_for``; on top of it a manager never sees the base screens,
    and ``agency_only`` screens (imports, sending) are for the coordinator and admin.
    """
    if membership.role == Role.MANAGER or (agency_only and not membership.can_manage_agency):
        raise Project.DoesNotExist
    return project_for(membership=membership, slug=slug)


def imports_of(*, project: Project, limit: int = 20) -> list[BaseImport]:
    return list(BaseImport.objects.filter(project=project).select_related("created_by")[:limit])


def import_of(*, project: Project, import_id: int) -> BaseImport:
    """One import of an already visible project; BaseImport.DoesNotExist otherwise."""
    return BaseImport.objects.select_related("project", "created_by").get(
        project=project, pk=import_id
    )


def import_preview(*, base_import: BaseImport, limit: int = 5) -> list[list[str]]:
    """The first data rows of the uploaded file, padded to the header's width."""
    width = len(base_import.headers)
    rows: list[list[str]] = []
    data = (row for row in iter_rows(Path(base_import.stored_path)) if any(c.strip() for c in row))
    next(data, None)  # the header
    for row in islice(data, limit):
        rows.append((row + [""] * width)[:width])
    return rows


def import_issues(*, base_import: BaseImport, kind: str = "") -> QuerySet[ImportIssue]:
    issues = base_import.issues.select_related("company").order_by("row_number", "id")
    return issues.filter(kind=kind) if kind in IssueKind.values else issues


def open_agreements(*, project: Project) -> list[BaseAgreement]:
    return list(
        BaseAgreement.objects.filter(project=project, state=AgreementState.SENT)
        .select_related("phase")
        .order_by("sent_at", "id")
    )


def agreements_of(*, project: Project) -> list[BaseAgreement]:
    return list(
        BaseAgreement.objects.filter(project=project).select_related(
            "sent_by", "approved_by", "phase"
        )
    )


def agreement_of(*, project: Project, agreement_id: int) -> BaseAgreement:
    """One agreement of an already visible project; BaseAgreement.DoesNotExist otherwise."""
    return BaseAgreement.objects.select_related("project").get(project=project, pk=agreement_id)


def company_of(*, project: Project, company_id: int) -> Company:
    """One company of an already visible project; Company.DoesNotExist otherwise."""
    return Company.objects.select_related("project", "agreement").get(
        project=project, pk=company_id
    )


def agreement_companies(
    *, agreement: BaseAgreement, category: str = "", region: str = "", state: str = ""
) -> QuerySet[Company]:
    """The agreement's companies with their phones and e-mails prefetched, for a paged table."""
    companies = Company.objects.filter(agreement=agreement)
    companies = companies.filter(base_state=state or BaseState.PROPOSED)
    if category:
        companies = companies.filter(category=category)
    if region:
        companies = companies.filter(region=region)
    return companies.prefetch_related(
        Prefetch("phones", queryset=CompanyPhone.objects.order_by("id")),
        Prefetch("emails", queryset=CompanyEmail.objects.order_by("id")),
    ).order_by("name", "id")


def agreement_facets(*, agreement: BaseAgreement) -> tuple[list[str], list[str]]:
    """The categories and regions of the companies still awaiting the client's decision."""
    companies = Company.objects.filter(agreement=agreement, base_state=BaseState.PROPOSED)

    def distinct(field: str) -> list[str]:
        values = companies.exclude(**{field: ""}).values_list(field, flat=True).distinct()
        return sorted(values.order_by())

    return distinct("category"), distinct("region")


def comments_of(*, company_ids: list[int]) -> dict[int, list[Event]]:
    """The client's comments on the given companies, oldest first, in one query."""
    comments: dict[int, list[Event]] = defaultdict(list)
    events = Event.objects.filter(company_id__in=company_ids, kind=EventKind.CLIENT_COMMENT)
    for event in events.select_related("actor").order_by("occurred_at", "seq"):
        comments[event.company_id].append(event)
    return comments


def base_state_counts(*, project: Project) -> dict[str, int]:
    """How many of the project's companies stand in each base state."""
    rows = Company.objects.filter(project=project).values("base_state").annotate(n=Count("id"))
    counts = {state.value: 0 for state in BaseState}
    counts.update({row["base_state"]: row["n"] for row in rows.order_by()})
    return counts


def new_company_facets(*, project: Project) -> tuple[list[str], list[str]]:
    """The categories and regions among the project's NEW companies: the slices one may send."""
    companies = Company.objects.filter(project=project, base_state=BaseState.NEW)

    def distinct(field: str) -> list[str]:
        values = companies.exclude(**{field: ""}).values_list(field, flat=True).distinct()
        return sorted(values.order_by())

    return distinct("category"), distinct("region")


def plannable_phases(*, project: Project) -> list[Phase]:
    """The phases a slice of the base may be agreed for: those not closed yet."""
    return list(Phase.objects.filter(project=project).exclude(state=PhaseState.CLOSED))


def plannable_phase(*, project: Project, number: int) -> Phase | None:
    """The project's phase of that number if it is not closed."""
    return next((p for p in plannable_phases(project=project) if p.number == number), None)


def outcome_distribution(*, project: Project, phase: Phase | None = None) -> list[OutcomeShare]:
    """The project's outcome distribution against the norms.

    With a phase, only companies last contacted during that phase count: the stored outcome is
    the company's current one, and the phase is the window in which it was set.
    """
    companies = Company.objects.filter(project=project).exclude(outcome="")
    if phase is not None:
        start, end = day_bounds(phase.starts_on, phase.ends_on)
        companies = companies.filter(last_contact_at__gte=start, last_contact_at__lt=end)
    counts = dict(companies.values_list("outcome").annotate(n=Count("id")).order_by())
    return distribution_from_counts(counts)
