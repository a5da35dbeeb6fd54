"""Phases: callbacks come back in a later phase and their new outcome counts there."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.desk.conftest import approved_companies
from zbut.bases.agreements import approve, send_for_agreement
from zbut.bases.models import BaseState
from zbut.bases.services import CompanyDraft, PhoneDraft, add_companies
from zbut.desk.models import ExitReason, ProcessingCycle, QueueItem, QueueState
from zbut.desk.queue import claim_next
from zbut.desk.services import record_outcome
from zbut.history.models import Event, EventKind
from zbut.projects.services import assign_manager, open_phase, plan_phase


def test_a_callback_is_re_processed_in_the_next_phase_and_counted_there(desk, monkeypatch):
    item = claim_next(project=desk.project_a, manager=desk.manager)
    callback_on = timezone.localdate() + timedelta(days=14)
    record_outcome(project=desk.project_a, company_id=item.company_id, manager=desk.manager,
                   outcome="callback", callback_on=callback_on, note="Бюджет у січні")  # fmt: skip
    open_phase(project=desk.project_a, starts_on=timezone.localdate() + timedelta(days=11),
               ends_on=timezone.localdate() + timedelta(days=20))  # fmt: skip
    # The day comes: the callback is due and the manager's own callbacks come first.
    QueueItem.objects.filter(pk=item.pk).update(callback_at=timezone.now() - timedelta(minutes=1))
    again = claim_next(project=desk.project_a, manager=desk.manager)
    assert again.company_id == item.company_id
    on_the_day = timezone.now() + timedelta(days=14)
    monkeypatch.setattr("zbut.desk.services.timezone.now", lambda: on_the_day)
    record_outcome(project=desk.project_a, company_id=item.company_id, manager=desk.manager,
                   outcome="warm", note="Повторна обробка: вивчають КП")  # fmt: skip
    phases = [
        e.payload["phase"]
        for e in Event.objects.filter(kind=EventKind.OUTCOME, company_id=item.company_id).order_by(
            "seq"
        )
    ]
    assert phases == [1, 2]
    assert ProcessingCycle.objects.filter(company_id=item.company_id, phase__number=2).exists()


def test_unreached_companies_carry_over_into_the_next_phase(desk):
    open_phase(project=desk.project_a, starts_on=timezone.localdate(),
               ends_on=timezone.localdate() + timedelta(days=7))  # fmt: skip
    item = claim_next(project=desk.project_a, manager=desk.manager)
    assert item.company_id == desk.companies[0].pk


def test_a_pilot_does_not_re_process_callbacks(world):
    assign_manager(project=world.project_a2, manager=world.manager)
    today = timezone.localdate()
    open_phase(project=world.project_a2, starts_on=today, ends_on=today + timedelta(days=5))
    approved_companies(world.project_a2, 1)
    item = claim_next(project=world.project_a2, manager=world.manager)
    company = record_outcome(project=world.project_a2, company_id=item.company_id,
                             manager=world.manager, outcome="callback",
                             callback_on=today + timedelta(days=3))  # fmt: skip
    assert company.next_callback_on is None
    assert QueueItem.objects.get(pk=item.pk).exit_reason == ExitReason.DECIDED


def test_a_slice_agreed_for_a_later_phase_is_not_called_before_that_phase(desk):
    today = timezone.localdate()
    later = plan_phase(project=desk.project_a, starts_on=today + timedelta(days=11),
                       ends_on=today + timedelta(days=20))  # fmt: skip
    add_companies(project=desk.project_a, drafts=[
        CompanyDraft(name="Склад майбутньої фази", phones=[PhoneDraft("+380672945199")])
    ])  # fmt: skip
    agreement = send_for_agreement(project=desk.project_a, actor=desk.coordinator, phase=later)
    approve(agreement=agreement, actor=desk.alice)
    (waiting,) = agreement.companies.all()
    assert (waiting.base_state, waiting.planned_phase_id) == (BaseState.APPROVED, later.pk)
    offered = set()
    while item := claim_next(project=desk.project_a, manager=desk.manager):
        offered.add(item.company_id)
        QueueItem.objects.filter(pk=item.pk).update(state=QueueState.LEFT)
    assert offered == {c.pk for c in desk.companies}  # phase 1's base only
    open_phase(project=desk.project_a, starts_on=today, ends_on=today + timedelta(days=9))
    assert claim_next(project=desk.project_a, manager=desk.manager).company_id == waiting.pk
