"""Real history for report tests: two phases of work made through the desk's services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from tests.desk.conftest import approved_companies
from zbut.bases.models import Company
from zbut.desk.models import QueueItem
from zbut.desk.queue import claim_next
from zbut.desk.services import record_attempt, record_outcome
from zbut.projects.services import open_phase


@dataclass
class TwoPhases:
    """Phase 1: callback ×2, warm, not interested. Phase 2: one callback becomes warm
    (re-processing), the other stays callback (re-processing too: callback is positive), and
    a fresh company becomes existing client, and the last one is busy (one attempt)."""

    companies: list[Company]
    callback_ids: list[int]
    warm_1: int
    not_interested_1: int
    fresh_2: int


def work(world, outcome: str, **kwargs) -> Company:
    """The manager claims the next company and sets ``outcome`` (one call, one cycle)."""
    item = claim_next(project=world.project_a, manager=world.manager)
    assert item is not None
    return record_outcome(project=world.project_a, company_id=item.company_id,
                          manager=world.manager, outcome=outcome, **kwargs)  # fmt: skip


def two_phases(world) -> TwoPhases:
    today = timezone.localdate()
    tomorrow = today + timedelta(days=1)
    open_phase(project=world.project_a, starts_on=today - timedelta(days=3), ends_on=today)
    companies = approved_companies(world.project_a, 6, category="Будівництво", region="Київ")
    first = work(world, "callback", callback_on=tomorrow, note="Передзвонити завтра")
    second = work(world, "callback", callback_on=tomorrow)
    warm = work(world, "warm", note="Вивчають КП")
    cold = work(world, "not_interested")
    open_phase(project=world.project_a, starts_on=today, ends_on=today + timedelta(days=10))
    QueueItem.objects.filter(pk__in=[first.pk, second.pk]).update(callback_at=timezone.now())
    again = {work(world, "warm", note="Після передзвону: цікаво").pk}
    again.add(work(world, "callback", callback_on=tomorrow + timedelta(days=1)).pk)
    assert again == {first.pk, second.pk}
    fresh = work(world, "existing")
    busy = claim_next(project=world.project_a, manager=world.manager)
    record_attempt(project=world.project_a, company_id=busy.company_id, manager=world.manager,
                   result="busy")  # fmt: skip
    return TwoPhases(
        companies=companies,
        callback_ids=[first.pk, second.pk],
        warm_1=warm.pk,
        not_interested_1=cold.pk,
        fresh_2=fresh.pk,
    )
