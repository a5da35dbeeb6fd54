"""A worked project for the Data Base ONLINE tests: companies called through the real desk."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.conftest import World
from tests.desk.conftest import approved_companies
from zbut.bases.models import Company
from zbut.desk.queue import claim_next
from zbut.desk.services import record_attempt, record_outcome
from zbut.projects.services import open_phase


def open_today(world: World) -> None:
    today = timezone.localdate()
    open_phase(project=world.project_a, starts_on=today - timedelta(days=3),
               ends_on=today + timedelta(days=10))  # fmt: skip


def call_next(world: World, outcome: str | None, note: str = "") -> Company:
    """The manager claims the next company and records an outcome (or, with None, no answer)."""
    item = claim_next(project=world.project_a, manager=world.manager)
    assert item is not None
    if outcome is None:
        record_attempt(project=world.project_a, company_id=item.company_id,
                       manager=world.manager, result="no_answer", note=note)  # fmt: skip
    else:
        record_outcome(project=world.project_a, company_id=item.company_id,
                       manager=world.manager, outcome=outcome, note=note)  # fmt: skip
    return Company.objects.get(pk=item.company_id)


def worked_project(world: World) -> list[Company]:
    """Three companies of client A called: not interested, warm, and one that did not answer."""
    open_today(world)
    approved_companies(world.project_a, 2, category="Будівництво", region="Київ")
    approved_companies(world.project_a, 1, category="Агро", region="Львівська", start=10)
    return [
        call_next(world, "not_interested", note="Не актуально: світильники вже замінили"),
        call_next(world, "warm", note="Просили КП на пошту"),
        call_next(world, None),
    ]
