"""Figures computed from companies and events: the funnel against the norms, recent activity.

Every function takes the projects it may look at; the portal passes
``projects_for(membership=...)``, so a figure can never count another client's companies.
The counting is done by the database (one grouped query per figure), never per row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from zbut.bases.history_lines import CLIENT_HISTORY_KINDS
from zbut.bases.models import Company
from zbut.bases.outcomes import (
    OUTCOME_COLOURS,
    POSITIVE_OUTCOMES,
    Outcome,
    OutcomeShare,
    distribution_from_counts,
    share_percent,
)

# Re-exported: the portal's screens read every figure from reports.
from zbut.bases.selectors import outcome_distribution as outcome_distribution
from zbut.core.days import day_bounds
from zbut.history.models import Event, EventKind
from zbut.projects.models import Phase, PhaseState, Project


@dataclass
class ProjectSummary:
    """The headline figures of one project, as the dashboards show them."""

    project: Project
    companies: int = 0
    processed: int = 0
    contacts: int = 0
    outcome_counts: dict[str, int] = field(default_factory=dict)
    current_phase: Phase | None = None

    @property
    def positive(self) -> int:
        return sum(self.outcome_counts.get(o, 0) for o in POSITIVE_OUTCOMES)

    @property
    def interested(self) -> int:
        return self.outcome_counts.get(Outcome.INTERESTED, 0)

    @property
    def processed_percent(self) -> Decimal:
        return share_percent(self.processed, self.companies)

    @property
    def distribution(self) -> list[OutcomeShare]:
        return distribution_from_counts(self.outcome_counts)


@dataclass(frozen=True)
class FeedRow:
    """One line of the activity feed (Data Base ONLINE): what happened to which company."""

    event_id: int
    occurred_at: datetime
    kind: str
    kind_label: str
    project_name: str
    project_slug: str
    company_id: int | None
    company_name: str
    category: str
    outcome: str
    outcome_label: str
    colour: str
    note: str
    actor_name: str
    # The company was handed to the client (Transfer); its Bitrix24 lead once that is known.
    transferred: bool = False
    bitrix24_lead_id: int | None = None


@dataclass(frozen=True)
class FunnelStep:
    """A step of the client's funnel: how many companies got this far."""

    key: str
    label: str
    count: int


def total_distribution(*, summaries: Iterable[ProjectSummary]) -> list[OutcomeShare]:
    """The distribution over several projects, from figures already counted (no query)."""
    totals: dict[str, int] = {}
    for summary in summaries:
        for outcome, count in summary.outcome_counts.items():
            totals[outcome] = totals.get(outcome, 0) + count
    return distribution_from_counts(totals)


def project_summaries(*, projects: QuerySet[Project]) -> list[ProjectSummary]:
    """Headline figures of each project, in three queries whatever the number of projects."""
    summaries = {p.pk: ProjectSummary(project=p) for p in projects.select_related("client")}
    if not summaries:
        return []
    rows = (
        Company.objects.filter(project_id__in=summaries)
        .values("project_id", "outcome")
        .annotate(n=Count("id"), contacts=Sum("contact_count"))
        .order_by()
    )
    for row in rows:
        summary = summaries[row["project_id"]]
        summary.companies += row["n"]
        summary.contacts += row["contacts"] or 0
        if row["outcome"]:
            summary.processed += row["n"]
            summary.outcome_counts[row["outcome"]] = row["n"]
    phases = Phase.objects.filter(project_id__in=summaries, state=PhaseState.ACTIVE).order_by(
        "number"
    )
    for phase in phases:
        summaries[phase.project_id].current_phase = phase
    return list(summaries.values())


def funnel(*, summaries: Iterable[ProjectSummary]) -> list[FunnelStep]:
    """The client's funnel: base → processed → positive → warm or hot → hot (transferred)."""
    summaries = list(summaries)
    warm_or_hot = sum(
        s.outcome_counts.get(Outcome.WARM, 0) + s.outcome_counts.get(Outcome.INTERESTED, 0)
        for s in summaries
    )
    return [
        FunnelStep("base", _("Компаній у базі"), sum(s.companies for s in summaries)),
        FunnelStep("processed", _("Опрацьовано"), sum(s.processed for s in summaries)),
        FunnelStep("positive", _("Позитивні"), sum(s.positive for s in summaries)),
        FunnelStep("warm_or_hot", _("Теплі та гарячі"), warm_or_hot),
        FunnelStep("interested", _("Гарячі (передано)"), sum(s.interested for s in summaries)),
    ]


# The work on companies that the client watches in Data Base ONLINE: its client history.
WORK_KINDS = CLIENT_HISTORY_KINDS
# One event per imported company: an import of thousands would bury every other action.
BULK_KINDS = frozenset({EventKind.COMPANY_ADDED})


def recent_events(*, projects: QuerySet[Project], limit: int = 20) -> list[FeedRow]:
    """The latest events of the projects, newest first, in one query (the agency's feed).

    Leaves out the per-company import events, which would fill the list after any import.
    """
    events = Event.objects.filter(project__in=projects.values("pk")).exclude(kind__in=BULK_KINDS)
    return _feed(events, limit)


def work_feed(*, projects: QuerySet[Project], limit: int = 20) -> list[FeedRow]:
    """Data Base ONLINE: the latest work on the projects' companies, newest first."""
    events = Event.objects.filter(
        project__in=projects.values("pk"), company__isnull=False, kind__in=WORK_KINDS
    )
    return _feed(events, limit)


def _feed(events: QuerySet[Event], limit: int) -> list[FeedRow]:
    # The company's transfer (zbut.handoff.models.Transfer, one per company) comes in the same
    # query through a left join, so the "передано" badge costs no query per row.
    events = (
        events.select_related("project", "company", "actor")
        .annotate(
            handoff_transfer_id=F("company__transfer__id"),
            handoff_lead_id=F("company__transfer__bitrix24_lead_id"),
        )
        .order_by("-occurred_at", "-id")
    )
    return [_feed_row(event) for event in events[:limit]]


def manager_events_on(
    *, manager_id: int, projects: QuerySet[Project], day: date, limit: int = 20
) -> list[FeedRow]:
    """What the manager did on ``day`` (in the installation's time zone), newest first."""
    start, end = day_bounds(day, day)
    events = Event.objects.filter(
        project__in=projects.values("pk"),
        actor_id=manager_id,
        occurred_at__gte=start,
        occurred_at__lt=end,
    )
    return _feed(events, limit)


@dataclass(frozen=True)
class DayActivity:
    """A manager's counters for one day."""

    events: int
    companies: int
    outcomes: int
    attempts: int


def manager_activity_on(*, manager_id: int, projects: QuerySet[Project], day: date) -> DayActivity:
    """The manager's counters for ``day``: actions, companies touched, outcomes, attempts."""
    start, end = day_bounds(day, day)
    figures = Event.objects.filter(
        project__in=projects.values("pk"),
        actor_id=manager_id,
        occurred_at__gte=start,
        occurred_at__lt=end,
    ).aggregate(
        events=Count("id"),
        companies=Count("company_id", distinct=True),
        outcomes=Count("id", filter=Q(kind=EventKind.OUTCOME)),
        attempts=Count("id", filter=Q(kind=EventKind.ATTEMPT)),
    )
    return DayActivity(**figures)


def callbacks_due(
    *, projects: QuerySet[Project], day: date, limit: int = 50
) -> tuple[int, list[Company]]:
    """Companies whose callback day has come (on or before ``day``): the total and the first."""
    due = Company.objects.filter(
        project__in=projects.values("pk"), next_callback_on__lte=day
    ).exclude(outcome__in=[Outcome.HOSTILE, Outcome.NOT_INTERESTED])
    total = due.count()
    first = list(due.select_related("project").order_by("next_callback_on", "id")[:limit])
    return total, first


def _feed_row(event: Event) -> FeedRow:
    company = event.company
    payload = event.payload if isinstance(event.payload, dict) else {}
    outcome_code = str(payload.get("outcome") or (company.outcome if company else "") or "")
    outcome = Outcome(outcome_code) if outcome_code in Outcome.values else None
    actor = event.actor
    return FeedRow(
        event_id=event.pk,
        occurred_at=event.occurred_at,
        kind=event.kind,
        kind_label=str(event.get_kind_display()),
        project_name=event.project.name if event.project else "",
        project_slug=event.project.slug if event.project else "",
        company_id=company.pk if company else None,
        company_name=str(company) if company else "",
        category=company.category if company else "",
        outcome=outcome.value if outcome else "",
        outcome_label=str(outcome.label) if outcome else "",
        colour=OUTCOME_COLOURS[outcome] if outcome else "",
        note=str(payload.get("note") or payload.get("text") or ""),
        actor_name=actor.get_full_name() if actor else "",
        transferred=getattr(event, "handoff_transfer_id", None) is not None,
        bitrix24_lead_id=getattr(event, "handoff_lead_id", None),
    )
