"""The calling queue: which company a manager gets next, and the claim that keeps it theirs.

Order (issue 5): callbacks due now — the manager's own first, then the team's once a grace
period has passed —, then approved companies never reached, then companies whose retry time
has come; within each, the coordinator's priority by category/region. Two managers never get
the same company: on PostgreSQL the claim reads with ``FOR UPDATE SKIP LOCKED``, so concurrent
claims skip each other's rows instead of waiting; on SQLite the IMMEDIATE transaction
serialises claims. A claim expires after the project's claim time and the company returns.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from zbut.accounts.models import Membership, Role, User
from zbut.bases.models import BaseState, Company
from zbut.bases.outcomes import POSITIVE_OUTCOMES, Outcome
from zbut.desk.errors import (
    MSG_NO_ACTIVE_PHASE,
    MSG_NOT_ASSIGNED,
    MSG_POSITIVE_CAP_REACHED,
    MSG_PRICE_CAP_REACHED,
    DeskErrorCode,
    NotAssigned,
    QueueStopped,
)
from zbut.desk.models import Priority, QueueItem, QueueRules, QueueState
from zbut.desk.rules import callback_moment
from zbut.outreach.selectors import callable_companies
from zbut.projects.models import Assignment, Phase, Project, ProjectKind
from zbut.projects.selectors import current_phase


def rules_of(project: Project) -> QueueRules:
    rules, _created = QueueRules.objects.get_or_create(project=project)
    return rules


def check_may_work(*, project: Project, manager: User) -> None:
    """Managers work the projects assigned to them; the agency's coordinators may step in."""
    if Assignment.objects.filter(project=project, manager=manager).exists():
        return
    if Membership.objects.filter(
        user=manager, client__isnull=True, role__in=[Role.ADMIN, Role.COORDINATOR]
    ).exists():
        return
    raise NotAssigned(DeskErrorCode.NOT_ASSIGNED, str(MSG_NOT_ASSIGNED))


def check_queue_open(*, project: Project) -> Phase:
    """The active phase, or QueueStopped with the reason the coordinator must act on."""
    phase = current_phase(project=project)
    if phase is None:
        raise QueueStopped(DeskErrorCode.NO_ACTIVE_PHASE, str(MSG_NO_ACTIVE_PHASE))
    if project.kind != ProjectKind.PILOT:
        return phase
    companies = Company.objects.filter(project=project)
    if project.positive_cap is not None:
        positive = companies.filter(outcome__in=POSITIVE_OUTCOMES).count()
        if positive >= project.positive_cap:
            raise QueueStopped(
                DeskErrorCode.POSITIVE_CAP_REACHED,
                str(MSG_POSITIVE_CAP_REACHED) % {"cap": project.positive_cap},
            )
    if project.price_cap and project.price_per_company:
        billed = companies.exclude(outcome="").count() * project.price_per_company
        if billed + project.price_per_company > project.price_cap + Decimal("0.005"):
            raise QueueStopped(
                DeskErrorCode.PRICE_CAP_REACHED,
                str(MSG_PRICE_CAP_REACHED) % {"cap": project.price_cap},
            )
    return phase


def sync_queue(*, project: Project, phase: Phase | None = None) -> int:
    """Put into the queue the approved, callable companies that are not in it yet: those
    never reached, and (system projects) the callbacks from earlier phases.

    A company agreed as the base of a later phase than ``phase`` (the active one) waits.
    """
    weights = _priority_weights(project)
    waiting = Q(outcome="")
    if project.kind == ProjectKind.SYSTEM:
        waiting |= Q(outcome=Outcome.CALLBACK, next_callback_on__isnull=False)
    phase = phase or current_phase(project=project)
    its_phase_came = Q(planned_phase__isnull=True)
    if phase is not None:
        its_phase_came |= Q(planned_phase__number__lte=phase.number)
    fresh = callable_companies(
        Company.objects.filter(
            waiting, its_phase_came, project=project, base_state=BaseState.APPROVED
        ).exclude(Exists(QueueItem.objects.filter(company=OuterRef("pk")))),
        client_id=project.client_id,
    ).values_list("id", "category", "region", "next_callback_on")
    items = [
        QueueItem(
            company_id=company_id,
            client_id=project.client_id,
            project=project,
            priority=_weight(weights, category, region),
            callback_at=callback_moment(callback_on) if callback_on else None,
        )
        for company_id, category, region, callback_on in fresh.iterator(chunk_size=5000)
    ]
    QueueItem.objects.bulk_create(items, batch_size=2000, ignore_conflicts=True)
    return len(items)


def claimable(*, project: Project, manager_id: int, now: datetime, grace: timedelta
              ) -> list[QuerySet[QueueItem]]:  # fmt: skip
    """The items a manager may take now: one query per bucket, in the queue's order, each
    best first.

    A query a bucket, not one ordered by the bucket: ordered by a computed bucket, every claim
    sorted the whole queue (a project of a million companies has a million items), while each
    bucket's query reads its own index (Meta.indexes of QueueItem) from the best item on.
    """
    free = QueueItem.objects.filter(project=project, state=QueueState.QUEUED).filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )
    # A failed attempt on a due callback schedules a retry: the callback waits for it too.
    retry_due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    own = Q(callback_owner_id=manager_id)
    # The due callbacks are few (a range of the callbacks' index): one query sorts them, the
    # manager's own first, then the team's whose owner is gone or whose grace period passed.
    callbacks = (
        free.filter(retry_due, callback_at__lte=now)
        .filter(own | Q(callback_owner__isnull=True) | Q(callback_at__lte=now - grace))
        .annotate(theirs=Case(When(own, then=Value(0)), default=Value(1)))
        .order_by("theirs", "-priority", "callback_at", "next_attempt_at", "company_id")
    )
    return [
        callbacks,
        free.filter(callback_at__isnull=True, next_attempt_at__isnull=True, attempts=0).order_by(
            "-priority", "company_id"
        ),
        free.filter(callback_at__isnull=True, next_attempt_at__lte=now).order_by(
            "-priority", "next_attempt_at", "company_id"
        ),
    ]


def claim_next(*, project: Project, manager: User) -> QueueItem | None:
    """Give the manager the next company, claimed for the project's claim time; None when
    nothing is due now."""
    check_may_work(project=project, manager=manager)
    phase = check_queue_open(project=project)
    # Asking for the next company passes over the one held: it goes back for the others.
    skipped = release_claims(project=project, manager=manager)
    item = _claim(project=project, manager=manager, skipped=skipped)
    if item is None and sync_queue(project=project, phase=phase):
        item = _claim(project=project, manager=manager, skipped=skipped)
    return item


@transaction.atomic(durable=True)
def _claim(*, project: Project, manager: User, skipped: list[int]) -> QueueItem | None:
    rules = rules_of(project)
    now = timezone.now()
    buckets = claimable(
        project=project,
        manager_id=manager.pk,
        now=now,
        grace=timedelta(minutes=rules.callback_grace_minutes),
    )
    item = None
    for bucket in buckets:
        candidates = bucket.exclude(company_id__in=skipped)
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True, of=("self",))
        item = candidates.first()
        if item is not None:
            break
    if item is None:
        return None
    item.claimed_by = manager
    item.claimed_until = now + timedelta(minutes=rules.claim_minutes)
    item.save(update_fields=["claimed_by", "claimed_until"])
    return item


def release_claims(*, project: Project, manager: User) -> list[int]:
    """A manager holds one company at a time: taking the next releases the previous."""
    held = QueueItem.objects.filter(project=project, claimed_by=manager)
    released = list(held.values_list("company_id", flat=True))
    held.update(claimed_by=None, claimed_until=None)
    return released


def _priority_weights(project: Project) -> dict[tuple[str, str], int]:
    return {(p.category, p.region): p.weight for p in Priority.objects.filter(project=project)}


def _weight(weights: dict[tuple[str, str], int], category: str, region: str) -> int:
    """The most specific rule wins: category and region, then category, then region."""
    for key in ((category, region), (category, ""), ("", region)):
        if key in weights:
            return weights[key]
    return 0
