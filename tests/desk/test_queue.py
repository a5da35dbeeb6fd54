"""Which company a manager gets next, and how claims keep two managers apart."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.desk.conftest import approved_companies
from zbut.accounts.services import create_user
from zbut.bases.models import BaseState, Company
from zbut.bases.services import CompanyDraft, PhoneDraft, add_companies
from zbut.desk.errors import DeskErrorCode, NotAssigned, QueueStopped
from zbut.desk.models import Priority, QueueItem
from zbut.desk.queue import claim_next, sync_queue
from zbut.desk.services import record_attempt, record_outcome
from zbut.projects.services import assign_manager, create_project, open_phase


def _ids(items):
    return [item.company_id for item in items]


def test_a_manager_gets_an_approved_company_at_once(desk):
    item = claim_next(project=desk.project_a, manager=desk.manager)
    assert item.company_id == desk.companies[0].pk
    assert item.claimed_by == desk.manager
    assert item.claimed_until > timezone.now() + timedelta(minutes=14)


def test_two_managers_never_get_the_same_company(desk):
    assign_manager(project=desk.project_a, manager=desk.other_manager)
    first = claim_next(project=desk.project_a, manager=desk.manager)
    second = claim_next(project=desk.project_a, manager=desk.other_manager)
    assert first.company_id != second.company_id


def test_taking_the_next_company_releases_the_previous_one(desk):
    first = claim_next(project=desk.project_a, manager=desk.manager)
    claim_next(project=desk.project_a, manager=desk.manager)
    first.refresh_from_db()
    assert first.claimed_by is None


def test_an_expired_claim_returns_the_company_to_the_queue(desk):
    assign_manager(project=desk.project_a, manager=desk.other_manager)
    first = claim_next(project=desk.project_a, manager=desk.manager)
    QueueItem.objects.filter(pk=first.pk).update(
        claimed_until=timezone.now() - timedelta(seconds=1)
    )
    second = claim_next(project=desk.project_a, manager=desk.other_manager)
    assert second.company_id == first.company_id


def test_companies_not_yet_approved_stay_out_of_the_queue(desk):
    add_companies(project=desk.project_a, drafts=[CompanyDraft(
        name="Неузгоджена", phones=[PhoneDraft("+380671234567")])])  # fmt: skip
    sync_queue(project=desk.project_a)
    assert QueueItem.objects.count() == 5
    assert not QueueItem.objects.filter(company__name="Неузгоджена").exists()


def test_queue_order_own_callbacks_then_teams_then_new_then_retries(desk):
    sync_queue(project=desk.project_a)
    now = timezone.now()
    c = desk.companies
    QueueItem.objects.filter(company=c[4]).update(callback_at=now - timedelta(minutes=5),
                                                  callback_owner=desk.manager)  # fmt: skip
    QueueItem.objects.filter(company=c[3]).update(callback_at=now - timedelta(hours=2),
                                                  callback_owner=desk.other_manager)  # fmt: skip
    QueueItem.objects.filter(company=c[2]).update(callback_at=now - timedelta(minutes=5),
                                                  callback_owner=desk.other_manager)  # fmt: skip
    QueueItem.objects.filter(company=c[1]).update(attempts=1, next_attempt_at=now)
    QueueItem.objects.filter(company=c[0]).update(attempts=1, next_attempt_at=now + timedelta(
        hours=1))  # fmt: skip
    order = []
    for _ in range(3):
        item = claim_next(project=desk.project_a, manager=desk.manager)
        order.append(item.company_id)
        QueueItem.objects.filter(pk=item.pk).update(state="left", claimed_by=None)
    assert order == [c[4].pk, c[3].pk, c[1].pk]
    assert claim_next(project=desk.project_a, manager=desk.manager) is None


def test_never_reached_companies_come_before_retries(desk):
    sync_queue(project=desk.project_a)
    QueueItem.objects.filter(company=desk.companies[0]).update(
        attempts=1, next_attempt_at=timezone.now() - timedelta(minutes=1)
    )
    item = claim_next(project=desk.project_a, manager=desk.manager)
    assert item.company_id == desk.companies[1].pk


def test_the_coordinators_priority_orders_each_group(desk):
    approved_companies(desk.project_a, 2, category="Агрохолдинги", region="Полтавська", start=50)
    Priority.objects.create(client=desk.client_a, project=desk.project_a,
                            category="Агрохолдинги", weight=10)  # fmt: skip
    item = claim_next(project=desk.project_a, manager=desk.manager)
    assert Company.objects.get(pk=item.company_id).category == "Агрохолдинги"


def test_a_manager_not_assigned_to_the_project_is_refused(desk):
    with pytest.raises(NotAssigned):
        claim_next(project=desk.project_a, manager=desk.other_manager)


def test_without_an_active_phase_the_queue_is_stopped_with_a_message(world):
    approved_companies(world.project_a, 1)
    with pytest.raises(QueueStopped) as raised:
        claim_next(project=world.project_a, manager=world.manager)
    assert raised.value.code == DeskErrorCode.NO_ACTIVE_PHASE


def test_a_pilot_stops_at_its_positive_cap(world):
    pilot = create_project(client=world.client_a, slug="cap", kind="pilot", name="Пілот",
                           positive_cap=1)  # fmt: skip
    assign_manager(project=pilot, manager=world.manager)
    today = timezone.localdate()
    open_phase(project=pilot, starts_on=today, ends_on=today + timedelta(days=5))
    approved_companies(pilot, 3, start=100)
    item = claim_next(project=pilot, manager=world.manager)
    record_outcome(project=pilot, company_id=item.company_id, manager=world.manager,
                   outcome="warm", note="Вивчають КП")  # fmt: skip
    with pytest.raises(QueueStopped) as raised:
        claim_next(project=pilot, manager=world.manager)
    assert raised.value.code == DeskErrorCode.POSITIVE_CAP_REACHED


def test_a_pilot_stops_when_billed_companies_reach_its_price_cap(world):
    from decimal import Decimal

    pilot = create_project(
        client=world.client_a, slug="price", kind="pilot", name="Пілот",
        price_per_company=Decimal("50.70"), price_cap=Decimal("101.40"),
    )  # fmt: skip
    assign_manager(project=pilot, manager=world.manager)
    today = timezone.localdate()
    open_phase(project=pilot, starts_on=today, ends_on=today + timedelta(days=5))
    approved_companies(pilot, 3, start=200)
    for _ in range(2):
        item = claim_next(project=pilot, manager=world.manager)
        record_outcome(project=pilot, company_id=item.company_id, manager=world.manager,
                       outcome="not_interested")  # fmt: skip
    with pytest.raises(QueueStopped) as raised:
        claim_next(project=pilot, manager=world.manager)
    assert raised.value.code == DeskErrorCode.PRICE_CAP_REACHED


def test_a_coordinator_may_step_in_on_any_project(desk):
    assert claim_next(project=desk.project_a, manager=desk.coordinator) is not None


def test_a_failed_attempt_comes_back_when_its_retry_time_comes(desk):
    item = claim_next(project=desk.project_a, manager=desk.manager)
    record_attempt(project=desk.project_a, company_id=item.company_id, manager=desk.manager,
                   result="busy")  # fmt: skip
    later = QueueItem.objects.get(pk=item.pk)
    assert later.next_attempt_at > timezone.now() + timedelta(minutes=29)
    QueueItem.objects.exclude(pk=item.pk).update(state="left")
    assert claim_next(project=desk.project_a, manager=desk.manager) is None
    QueueItem.objects.filter(pk=item.pk).update(next_attempt_at=timezone.now())
    assert claim_next(project=desk.project_a, manager=desk.manager).pk == item.pk


def test_another_managers_fresh_callback_waits_for_the_grace_period(desk):
    create_user(email="third@agency.ua", role="manager")
    sync_queue(project=desk.project_a)
    QueueItem.objects.exclude(company=desk.companies[0]).update(state="left")
    QueueItem.objects.filter(company=desk.companies[0]).update(
        callback_at=timezone.now() - timedelta(minutes=10), callback_owner=desk.other_manager
    )
    assert claim_next(project=desk.project_a, manager=desk.manager) is None
    assert BaseState.APPROVED


def test_each_bucket_of_the_queue_is_read_from_its_index_not_sorted(desk):
    from django.db import connection

    from zbut.desk.queue import claimable

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL plans a scan for a few rows whatever the index (bench.desk)")
    sync_queue(project=desk.project_a)
    buckets = claimable(project=desk.project_a, manager_id=desk.manager.pk,
                        now=timezone.now(), grace=timedelta(minutes=30))  # fmt: skip
    plans = []
    with connection.cursor() as cursor:
        for bucket in buckets:
            sql, params = bucket[:1].query.sql_with_params()
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plans.append(" / ".join(row[-1] for row in cursor.fetchall()))

    callbacks, fresh, retries = plans
    assert "INDEX queue_callbacks" in callbacks  # the few due callbacks are sorted, in memory
    # A million never-reached companies are read best first and the first free one taken.
    assert "INDEX queue_fresh" in fresh and "TEMP B-TREE" not in fresh
    assert "INDEX queue_retries" in retries and "TEMP B-TREE" not in retries
