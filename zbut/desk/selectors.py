"""Reads of the manager's desk: the call card of the claimed company and the day's counters.

The desk page is the hottest page of the product (a hundred calls a manager a day), so each
figure here is one query whatever the size of the history; tests pin the page's query count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Min, Q
from django.utils import timezone

from zbut.accounts.models import User
from zbut.bases.history_lines import CLIENT_HISTORY_KINDS, contact_summary, history_line
from zbut.bases.models import Company, CompanyEmail, CompanyPhone
from zbut.core.days import day_bounds
from zbut.desk.models import ProcessingCycle, QueueItem, QueueState
from zbut.desk.rules import KYIV, kyiv_day, quick_callback_days
from zbut.history.models import Event, EventKind
from zbut.projects.models import Phase, PhaseState, Project

# The client history shown beside the call; older lines are rare and stay in the export.
HISTORY_LIMIT = 300


@dataclass(frozen=True)
class CallCard:
    """Everything the manager needs on screen while the phone rings."""

    item: QueueItem
    company: Company
    phones: list[CompanyPhone]
    emails: list[CompanyEmail]
    history: list[str]
    history_more: bool
    last_reached: str

    @property
    def good_phones(self) -> list[CompanyPhone]:
        return [phone for phone in self.phones if not phone.is_bad]

    @property
    def first_phone(self) -> str:
        good = self.good_phones
        return good[0].e164 if good else ""

    @property
    def first_email(self) -> str:
        return self.emails[0].address if self.emails else ""


@dataclass(frozen=True)
class DeskDay:
    """The manager's counters today (Kyiv day) on one project, and the project's cycles."""

    calls: int
    attempts: int
    outcomes: int
    cycles: int
    project_cycles: int
    contracted_cycles: int

    @property
    def cycles_percent(self) -> int:
        if not self.contracted_cycles:
            return 0
        return min(100, round(self.project_cycles * 100 / self.contracted_cycles))


@dataclass(frozen=True)
class NextDue:
    """When the queue gives out something again, if nothing is due now."""

    callback_at: datetime | None
    retry_at: datetime | None
    waiting: int


def held_item(*, project: Project, manager: User) -> QueueItem | None:
    """The company the manager holds on this project (a reload keeps it), or None."""
    return (
        QueueItem.objects.select_related("company")
        .filter(project=project, claimed_by=manager, state=QueueState.QUEUED)
        .order_by("-claimed_until")
        .first()
    )


def call_card(*, item: QueueItem) -> CallCard:
    """The claimed company with its phones, e-mails and client history (newest first)."""
    company = item.company
    events = list(
        Event.objects.filter(company_id=company.pk, kind__in=CLIENT_HISTORY_KINDS)
        .select_related("actor")
        .order_by("-occurred_at", "-id")[: HISTORY_LIMIT + 1]
    )
    lines = [
        history_line(
            occurred_at=event.occurred_at,
            actor_name=event.actor.get_full_name() if event.actor else "",
            kind=event.kind,
            payload=event.payload if isinstance(event.payload, dict) else {},
        )
        for event in events[:HISTORY_LIMIT]
    ]
    return CallCard(
        item=item,
        company=company,
        phones=list(CompanyPhone.objects.filter(company_id=company.pk).order_by("is_bad", "id")),
        emails=list(CompanyEmail.objects.filter(company_id=company.pk).order_by("id")),
        history=lines,
        history_more=len(events) > HISTORY_LIMIT,
        last_reached=contact_summary(
            last_contact_at=company.last_contact_at, contact_count=company.contact_count
        ),
    )


def desk_day(*, project: Project, manager: User, now: datetime | None = None) -> DeskDay:
    """Calls (attempts and outcomes), outcomes and processing cycles of the manager today."""
    now = now or timezone.now()
    start, end = kyiv_day_bounds(kyiv_day(now))
    figures = Event.objects.filter(
        project=project,
        actor=manager,
        kind__in=[EventKind.ATTEMPT, EventKind.OUTCOME],
        occurred_at__gte=start,
        occurred_at__lt=end,
    ).aggregate(
        calls=Count("id"),
        attempts=Count("id", filter=Q(kind=EventKind.ATTEMPT)),
        outcomes=Count("id", filter=Q(kind=EventKind.OUTCOME)),
    )
    cycles = ProcessingCycle.objects.filter(project=project).aggregate(
        total=Count("id"), mine=Count("id", filter=Q(manager=manager, day=kyiv_day(now)))
    )
    return DeskDay(
        calls=figures["calls"],
        attempts=figures["attempts"],
        outcomes=figures["outcomes"],
        cycles=cycles["mine"],
        project_cycles=cycles["total"],
        contracted_cycles=project.contracted_cycles,
    )


def next_due(*, project: Project, now: datetime | None = None) -> NextDue:
    """The earliest callback and retry still to come, for the "nothing due" message."""
    now = now or timezone.now()
    figures = QueueItem.objects.filter(project=project, state=QueueState.QUEUED).aggregate(
        next_callback=Min("callback_at", filter=Q(callback_at__gt=now)),
        next_retry=Min(
            "next_attempt_at", filter=Q(callback_at__isnull=True, next_attempt_at__gt=now)
        ),
        waiting=Count("pk"),
    )
    return NextDue(
        callback_at=figures["next_callback"],
        retry_at=figures["next_retry"],
        waiting=figures["waiting"],
    )


@dataclass(frozen=True)
class PhaseInfo:
    """The active phase and the day the next one starts (the callback's "next phase" pick)."""

    current: Phase | None
    next_starts: date | None


def phase_info(*, project: Project) -> PhaseInfo:
    """One query: the active phase, and a planned phase's start or the day after the active
    one ends."""
    phases = list(
        Phase.objects.filter(project=project).exclude(state=PhaseState.CLOSED).order_by("number")
    )
    active = [phase for phase in phases if phase.state == PhaseState.ACTIVE]
    planned = [phase for phase in phases if phase.state == PhaseState.PLANNED]
    current = active[-1] if active else None
    if planned:
        return PhaseInfo(current=current, next_starts=planned[0].starts_on)
    next_starts = current.ends_on + timedelta(days=1) if current else None
    return PhaseInfo(current=current, next_starts=next_starts)


def callback_picks(
    *, project: Project, info: PhaseInfo | None = None, now: datetime | None = None
) -> dict[str, date]:
    """The callback field's quick picks (next phase, in a week, in a month) for today."""
    info = info or phase_info(project=project)
    today = kyiv_day(now or timezone.now())
    return quick_callback_days(today=today, next_phase_starts=info.next_starts)


def kyiv_day_bounds(day: date) -> tuple[datetime, datetime]:
    """Aware datetimes of the start of a Kyiv day and of the next one."""
    with timezone.override(KYIV):
        return day_bounds(day, day)
