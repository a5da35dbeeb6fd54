"""Data Base ONLINE (база онлайн): the client's live table of the work on its project's companies.

Rows are work events (``WORK_KINDS``) joined to their company, newest first. Paging is by
keyset on the project's chain sequence (``seq``), which the index ``(project, seq)`` serves in
both directions, so page 20 000 costs what page 1 costs; OFFSET is never used. Within a
project, ``seq`` and the event id grow together (the chain's head lock orders writers), so the
live stream resumes by event id and the table pages by ``seq`` over the same order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone

from zbut.bases.history_lines import history_line
from zbut.bases.models import Company, CompanyEmail, CompanyPhone
from zbut.bases.outcomes import OUTCOME_COLOURS, Outcome
from zbut.core.days import day_bounds
from zbut.history.models import Event, EventKind
from zbut.projects.models import Assignment, Phase, Project
from zbut.reports.selectors import WORK_KINDS

PAGE_SIZE = 50
# Chain positions the table's page query scans per step before it leaves the rest to the
# planner (``_newest_events``): the first holds a page of any filter matching a few per cent.
SCAN_WINDOWS = (2_000, 16_000)
CHOICES_LIMIT = 300
CALL_KINDS = (EventKind.ATTEMPT, EventKind.OUTCOME)
_WORK_KINDS = sorted(WORK_KINDS)


@dataclass(frozen=True)
class OnlineFilters:
    """The table's filters, already validated (``OnlineFilterForm.filters``)."""

    outcome: str = ""
    category: str = ""
    region: str = ""
    phase: int | None = None
    manager_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    q: str = ""


@dataclass(frozen=True)
class FilterChoices:
    """The values the filters may take for one project (what the selects offer)."""

    categories: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    phases: list[int] = field(default_factory=list)
    managers: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class OnlineRow:
    event_id: int
    seq: int
    kind: str
    occurred_at: datetime
    company_id: int
    company_name: str
    category: str
    region: str
    outcome: str
    outcome_label: str
    colour: str
    note: str
    contacts: list[str]
    is_call: bool


@dataclass(frozen=True)
class TodayCounters:
    """Today's (Kyiv day) calls — attempts and outcomes — and outcomes alone."""

    calls: int
    outcomes: int


@dataclass(frozen=True)
class OnlinePage:
    rows: list[OnlineRow]
    next_before: int | None  # the ``before`` of the next (older) page; None on the last one
    counters: TodayCounters


def online_page(
    *, project: Project, filters: OnlineFilters, before: int | None = None, limit: int = PAGE_SIZE
) -> OnlinePage:
    """One page of the table, newest first, older than the chain position ``before``."""
    rows = _rows(_newest_events(_work_events(project, filters), project, before, limit + 1))
    next_before = rows[limit - 1].seq if len(rows) > limit else None
    return OnlinePage(
        rows=rows[:limit],
        next_before=next_before,
        counters=today_counters(project=project, filters=filters),
    )


def online_rows_after(
    *, project: Project, filters: OnlineFilters, after_id: int, limit: int = PAGE_SIZE
) -> list[OnlineRow]:
    """The rows after event ``after_id``, oldest first: what a live stream sends next."""
    events = _work_events(project, filters).filter(id__gt=after_id)
    return _rows(events.order_by("id")[:limit])


def last_event_id(*, project: Project) -> int:
    """The id of the project's newest event (0 when none): where a fresh stream starts."""
    last = Event.objects.filter(project=project).order_by("-seq").values_list("id", flat=True)
    return last.first() or 0


def today_counters(*, project: Project, filters: OnlineFilters) -> TodayCounters:
    """Today's calls and outcomes among the rows the filters let through (one query)."""
    start, end = day_bounds(timezone.localdate(), timezone.localdate())
    figures = (
        _work_events(project, filters)
        .filter(kind__in=CALL_KINDS, occurred_at__gte=start, occurred_at__lt=end)
        .aggregate(
            calls=Count("id"),
            outcomes=Count("id", filter=Q(kind=EventKind.OUTCOME)),
        )
    )
    return TodayCounters(**figures)


def filter_choices(*, project: Project) -> FilterChoices:
    """The project's categories, regions, phases and managers, for the filter selects."""
    companies = Company.objects.filter(project=project)
    return FilterChoices(
        categories=_distinct(companies, "category"),
        regions=_distinct(companies, "region"),
        phases=list(
            Phase.objects.filter(project=project)
            .order_by("number")
            .values_list("number", flat=True)
        ),
        managers=[
            (a.manager_id, a.manager.get_full_name() or a.manager.email)
            for a in Assignment.objects.filter(project=project).select_related("manager")
        ],
    )


def _distinct(companies: QuerySet[Company], column: str) -> list[str]:
    values = companies.exclude(**{column: ""}).values_list(column, flat=True).distinct()
    return list(values.order_by(column)[:CHOICES_LIMIT])


def _work_events(project: Project, filters: OnlineFilters) -> QuerySet[Event]:
    events = Event.objects.filter(project=project, kind__in=_WORK_KINDS, company__isnull=False)
    if filters.outcome:
        # The reaction shown: the outcome an outcome event set, the company's own for the rest.
        events = events.filter(
            Q(kind=EventKind.OUTCOME, payload__outcome=filters.outcome)
            | (~Q(kind=EventKind.OUTCOME) & Q(company__outcome=filters.outcome))
        )
    if filters.category:
        events = events.filter(company__category=filters.category)
    if filters.region:
        events = events.filter(company__region=filters.region)
    if filters.phase is not None:
        events = events.filter(payload__phase=filters.phase)
    if filters.manager_id is not None:
        events = events.filter(actor_id=filters.manager_id)
    if filters.date_from is not None or filters.date_to is not None:
        start, end = day_bounds(
            filters.date_from or date(2000, 1, 1), filters.date_to or date(9998, 12, 30)
        )
        events = events.filter(occurred_at__gte=start, occurred_at__lt=end)
    if filters.q:
        events = events.filter(
            Q(company__name__icontains=filters.q) | Q(payload__note__icontains=filters.q)
        )
    return events


def _newest_events(
    events: QuerySet[Event], project: Project, before: int | None, limit: int
) -> list[Event]:
    """The newest ``limit`` of ``events`` below chain position ``before``, newest first.

    A filter on the joined company or on the payload (outcome, search) is one the planner
    cannot estimate: guessing it rare, PostgreSQL hash-joins every event of the project with
    every company and sorts them (hundreds of milliseconds at a million events), when walking
    the ``(project, seq)`` index backwards finds the page after a few thousand rows. So we walk
    it ourselves, in windows of ``SCAN_WINDOWS`` positions, where an index range scan is the
    only sensible plan; a filter that has not filled the page after them is a rare one, and
    the rest of the chain goes to the planner as one query, where its usual plan is the right
    one. The rows are those of the plain query: the windows are contiguous, newest first.
    """
    upper = _head_seq(project) + 1
    if before is not None:
        upper = min(upper, before)
    found: list[Event] = []
    for window in (*SCAN_WINDOWS, None):
        if upper <= 1 or len(found) >= limit:
            break
        lower = 1 if window is None else max(1, upper - window)
        chunk = events.filter(seq__gte=lower, seq__lt=upper).order_by("-seq")
        found += chunk.select_related("company", "actor")[: limit - len(found)]
        upper = lower
    return found


def _head_seq(project: Project) -> int:
    """The chain position of the project's newest event (0 when none)."""
    head = Event.objects.filter(project=project).order_by("-seq").values_list("seq", flat=True)
    return head.first() or 0


def _rows(events: QuerySet[Event] | list[Event]) -> list[OnlineRow]:
    if isinstance(events, QuerySet):
        events = list(events.select_related("company", "actor"))
    prefetch_related_objects(
        events,
        Prefetch("company__phones", queryset=CompanyPhone.objects.filter(is_bad=False)),
        Prefetch("company__emails", queryset=CompanyEmail.objects.order_by("id")),
    )
    return [_row(event) for event in events]


def _row(event: Event) -> OnlineRow:
    company = event.company
    payload = event.payload if isinstance(event.payload, dict) else {}
    code = str(payload.get("outcome") or "") if event.kind == EventKind.OUTCOME else ""
    code = code or company.outcome
    outcome = Outcome(code) if code in Outcome.values else None
    actor_name = event.actor.get_full_name() if event.actor else ""
    return OnlineRow(
        event_id=event.pk,
        seq=event.seq,
        kind=event.kind,
        occurred_at=event.occurred_at,
        company_id=company.pk,
        company_name=str(company),
        category=company.category,
        region=company.region,
        outcome=outcome.value if outcome else "",
        outcome_label=str(outcome.label) if outcome else "",
        colour=OUTCOME_COLOURS[outcome] if outcome else "",
        note=history_line(
            occurred_at=event.occurred_at, actor_name=actor_name, kind=event.kind, payload=payload
        ),
        contacts=_contacts(company),
        is_call=event.kind in CALL_KINDS,
    )


def _contacts(company: Company) -> list[str]:
    phones: Sequence[CompanyPhone] = list(company.phones.all())
    emails: Sequence[CompanyEmail] = list(company.emails.all())
    contacts = [company.contact_person] if company.contact_person else []
    contacts += [phone.e164 for phone in phones[:2]]
    contacts += [email.address for email in emails[:1]]
    return contacts
