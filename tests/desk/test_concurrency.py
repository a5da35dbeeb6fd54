"""Fifty managers claiming from one queue at once never get the same company."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from tests.desk.conftest import approved_companies
from zbut.accounts.services import create_client, create_user
from zbut.desk.queue import claim_next
from zbut.desk.services import record_outcome
from zbut.history.audit import verify_chains
from zbut.history.models import Event, EventKind
from zbut.projects.services import assign_manager, create_project, open_phase

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("concurrency")]


def _work_the_queue(project, manager, claimed: list[int], errors: list[BaseException]) -> None:
    try:
        while (item := claim_next(project=project, manager=manager)) is not None:
            claimed.append(item.company_id)
            record_outcome(project=project, company_id=item.company_id, manager=manager,
                           outcome="mispositioned", note="Не наш сегмент")  # fmt: skip
    except BaseException as error:
        errors.append(error)
    finally:
        connections.close_all()


def _run(threads: int, companies: int) -> None:
    client = create_client(slug="race", name="Гонка")
    project = create_project(client=client, slug="race-p", kind="system", name="Гонка")
    today = timezone.localdate()
    open_phase(project=project, starts_on=today, ends_on=today + timedelta(days=7))
    approved_companies(project, companies)
    managers = [create_user(email=f"m{i}@agency.ua", role="manager") for i in range(threads)]
    for manager in managers:
        assign_manager(project=project, manager=manager)
    claimed: list[int] = []
    errors: list[BaseException] = []
    workers = [
        threading.Thread(target=_work_the_queue, args=(project, m, claimed, errors))
        for m in managers
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)
    assert not errors, errors[:3]
    assert len(claimed) == companies
    assert Counter(claimed).most_common(1)[0][1] == 1, "a company was handed out twice"
    assert Event.objects.filter(kind=EventKind.OUTCOME).count() == companies
    assert verify_chains().is_intact


def test_fifty_threads_on_postgresql_never_share_a_company():
    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED claims are PostgreSQL's; SQLite is covered below")
    _run(threads=50, companies=300)


def test_eight_threads_on_sqlite_never_share_a_company():
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite run")
    _run(threads=8, companies=60)
