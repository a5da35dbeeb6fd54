"""Reads of the coordinator's view of a project's desk: who works, on what, how fast, and
what the queue still holds. One grouped query per figure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Max, Q
from django.db.models.functions import ExtractHour
from django.utils import timezone
from django.utils.translation import gettext as _

from zbut.accounts.models import User
from zbut.bases.models import Company
from zbut.bases.outcomes import OUTCOME_COLOURS, Outcome
from zbut.desk.models import Priority, ProcessingCycle, QueueItem, QueueState
from zbut.desk.rules import KYIV, kyiv_day
from zbut.desk.selectors import kyiv_day_bounds
from zbut.history.models import Event, EventKind
from zbut.projects.models import Assignment, Phase, Project

ONLINE_WINDOW = timedelta(minutes=10)
WORKING_HOURS = range(8, 21)  # the chart always shows 8:00–20:00 Kyiv, more if work happened
ATTEMPT_COLOUR = "#cbd5e1"
FACET_LIMIT = 500


@dataclass(frozen=True)
class ManagerRow:
    """A manager of the project as the coordinator sees them now."""

    name: str
    is_online: bool
    company: str
    last_action_at: datetime | None
    calls: int
    outcomes: int


@dataclass(frozen=True)
class QueueBuckets:
    callbacks_due: int
    never_reached: int
    retries_due: int
    waiting: int
    claimed: int
    left: int

    @property
    def due(self) -> int:
        return self.callbacks_due + self.never_reached + self.retries_due


def team_board(*, project: Project, now: datetime | None = None) -> list[ManagerRow]:
    """The assigned managers (and anyone else who worked today): online, on what, how much.

    A manager is online with a live claim or an action in the last ten minutes.
    """
    now = now or timezone.now()
    start, end = kyiv_day_bounds(kyiv_day(now))
    claims = {
        item.claimed_by_id: str(item.company)
        for item in QueueItem.objects.filter(
            project=project, state=QueueState.QUEUED, claimed_until__gt=now
        ).select_related("company")
    }
    figures = {
        row["actor_id"]: row
        for row in Event.objects.filter(
            project=project,
            actor__isnull=False,
            kind__in=[EventKind.ATTEMPT, EventKind.OUTCOME, EventKind.NOTE],
            occurred_at__gte=start,
            occurred_at__lt=end,
        )
        .values("actor_id")
        .annotate(
            calls=Count("id", filter=~Q(kind=EventKind.NOTE)),
            outcomes=Count("id", filter=Q(kind=EventKind.OUTCOME)),
            last=Max("occurred_at"),
        )
        .order_by()
    }
    assigned = [a.manager_id for a in Assignment.objects.filter(project=project)]
    ids = set(assigned) | set(claims) | set(figures)
    users = User.objects.filter(pk__in=ids).order_by("full_name", "email")
    rows = []
    for user in users:
        row = figures.get(user.pk, {})
        last = row.get("last")
        rows.append(
            ManagerRow(
                name=user.get_full_name(),
                is_online=user.pk in claims or bool(last and last >= now - ONLINE_WINDOW),
                company=claims.get(user.pk, ""),
                last_action_at=last,
                calls=row.get("calls", 0),
                outcomes=row.get("outcomes", 0),
            )
        )
    return sorted(rows, key=lambda r: (not r.is_online, r.name))


def hourly_chart(*, project: Project, now: datetime | None = None) -> dict[str, Any]:
    """Chart.js stacked bars: per Kyiv hour today, failed attempts and each outcome."""
    now = now or timezone.now()
    start, end = kyiv_day_bounds(kyiv_day(now))
    rows = (
        Event.objects.filter(
            project=project,
            kind__in=[EventKind.ATTEMPT, EventKind.OUTCOME],
            occurred_at__gte=start,
            occurred_at__lt=end,
        )
        .annotate(hour=ExtractHour("occurred_at", tzinfo=KYIV))
        .values("hour", "kind", "payload__outcome")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[tuple[int, str], int] = {}
    for row in rows:
        key = "attempt" if row["kind"] == EventKind.ATTEMPT else str(row["payload__outcome"])
        counts[(row["hour"], key)] = counts.get((row["hour"], key), 0) + row["n"]
    hours = sorted(set(WORKING_HOURS) | {hour for hour, _key in counts})
    series = [("attempt", _("Спроби без результату"), ATTEMPT_COLOUR)] + [
        (outcome.value, str(outcome.label), OUTCOME_COLOURS[outcome]) for outcome in Outcome
    ]
    return {
        "type": "stacked",
        "labels": [f"{hour:02d}:00" for hour in hours],
        "datasets": [
            {
                "label": label,
                "data": [counts.get((hour, key), 0) for hour in hours],
                "backgroundColor": colour,
            }
            for key, label, colour in series
        ],
    }


def queue_buckets(*, project: Project, now: datetime | None = None) -> QueueBuckets:
    """The project's queue by bucket, in the queue's own order (see ``queue.claimable``)."""
    now = now or timezone.now()
    queued = Q(state=QueueState.QUEUED)
    fresh = Q(callback_at__isnull=True, attempts=0, next_attempt_at__isnull=True)
    retry_due = Q(callback_at__isnull=True, next_attempt_at__lte=now)
    no_retry_pending = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    callback_due = Q(callback_at__lte=now) & no_retry_pending
    figures = QueueItem.objects.filter(project=project).aggregate(
        callbacks_due=Count("pk", filter=queued & callback_due),
        never_reached=Count("pk", filter=queued & fresh),
        retries_due=Count("pk", filter=queued & retry_due),
        waiting=Count("pk", filter=queued & ~callback_due & ~fresh & ~retry_due),
        claimed=Count("pk", filter=queued & Q(claimed_until__gt=now)),
        left=Count("pk", filter=~queued),
    )
    return QueueBuckets(**figures)


def cycles_used(*, project: Project, phase: Phase | None) -> tuple[int, int]:
    """Processing cycles of the whole project and of the phase."""
    figures = ProcessingCycle.objects.filter(project=project).aggregate(
        total=Count("id"), phase=Count("id", filter=Q(phase=phase)) if phase else Count("id")
    )
    return figures["total"], figures["phase"] if phase else 0


def priorities_of(*, project: Project) -> list[Priority]:
    return list(Priority.objects.filter(project=project).order_by("-weight", "category", "region"))


def base_facets(*, project: Project) -> tuple[list[str], list[str]]:
    """Categories and regions of the project's base, for the priority form's suggestions."""
    companies = Company.objects.filter(project=project)
    categories = companies.exclude(category="").values_list("category", flat=True)
    regions = companies.exclude(region="").values_list("region", flat=True)
    return (
        list(categories.order_by("category").distinct()[:FACET_LIMIT]),
        list(regions.order_by("region").distinct()[:FACET_LIMIT]),
    )
