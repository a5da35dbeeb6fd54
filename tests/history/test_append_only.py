"""The history is append-only in the database itself, and its chain detects tampering."""

from __future__ import annotations

import itertools

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError

from zbut.accounts.services import create_client
from zbut.core import db_functions
from zbut.history.audit import verify_chains
from zbut.history.models import AGENCY_CHAIN, Event, EventKind, project_chain
from zbut.history.services import (
    HistoryOutsideTransactionError,
    NewEvent,
    record_event,
    record_events,
)
from zbut.projects.services import create_project


@pytest.fixture
def purge_forbidden():
    """Behave as production does: no session may delete events."""
    db_functions.set_purge_forbidden(True)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET zbut.history_purge = 'off'")
    yield
    db_functions.set_purge_forbidden(False)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET zbut.history_purge = 'on'")


def _raw(sql: str) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)


def test_database_refuses_to_update_an_event(world):
    event = Event.objects.filter(project=world.project_a).first()
    with pytest.raises(DatabaseError, match="append-only"):
        _raw(f"UPDATE history_event SET kind = 'note' WHERE id = {event.pk}")
    event.refresh_from_db()
    assert event.kind == EventKind.PROJECT_CREATED


def test_orm_update_of_an_event_is_refused_too(world):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Event.objects.filter(project=world.project_a).update(payload={"forged": True})


def test_database_refuses_to_delete_an_event(world, purge_forbidden):
    event = Event.objects.filter(project=world.project_a).first()
    with pytest.raises(DatabaseError, match="append-only"):
        _raw(f"DELETE FROM history_event WHERE id = {event.pk}")
    assert Event.objects.filter(pk=event.pk).exists()


def test_postgresql_refuses_to_truncate_the_history(world, purge_forbidden):
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE exists on PostgreSQL only")
    with pytest.raises(DatabaseError, match="append-only"):
        # The test's own transaction holds deferred foreign-key checks; settle them first.
        _raw("SET CONSTRAINTS ALL IMMEDIATE; TRUNCATE history_event CASCADE")


def test_a_project_or_user_with_events_cannot_be_deleted(world):
    # PostgreSQL does not check an event's references (history migration 0009): PROTECT does.
    with pytest.raises(ProtectedError) as refused, transaction.atomic():
        world.project_a.delete()
    assert any(isinstance(row, Event) for row in refused.value.protected_objects)
    with transaction.atomic():
        note = record_event(kind=EventKind.NOTE, project=world.project_b, actor=world.admin)
    with pytest.raises(ProtectedError) as refused, transaction.atomic():
        world.admin.delete()
    assert note in refused.value.protected_objects


def test_postgresql_checks_no_reference_of_an_event(world):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite keeps its checks: dropping them would rebuild the table")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid = 'history_event'::regclass"
        )
        assert cursor.fetchall() == []


def test_events_of_a_project_form_a_numbered_chain(world):
    events = list(Event.objects.filter(chain=project_chain(world.project_a.pk)).order_by("seq"))
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash
    assert events[0].kind == EventKind.PROJECT_CREATED


def test_events_without_a_project_go_to_the_agency_chain(world):
    assert Event.objects.filter(chain=AGENCY_CHAIN, kind=EventKind.CLIENT_CREATED).count() == 2


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_refused():
    client = create_client(slug="solo", name="Соло")
    project = create_project(client=client, slug="solo-p", kind="pilot", name="Соло")
    with pytest.raises(HistoryOutsideTransactionError):
        record_event(kind=EventKind.NOTE, project=project, payload={"note": "x"})
    assert not Event.objects.filter(kind=EventKind.NOTE).exists()


def test_batch_append_continues_the_chain(world):
    with transaction.atomic():
        record_event(kind=EventKind.NOTE, project=world.project_a, payload={"note": "перша"})
        record_events(
            project=world.project_a,
            drafts=[NewEvent(kind=EventKind.NOTE, payload={"note": f"№{i}"}) for i in range(50)],
        )
    assert verify_chains().is_intact


def test_intact_history_verifies(world):
    report = verify_chains()
    assert report.is_intact
    assert report.events == Event.objects.count()


def _tamper(sql: str) -> None:
    """Tamper as an attacker with database access would: around the trigger."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER history_event_refuse_update")
            cursor.execute(sql)
            from zbut.history.triggers import SQLITE_INSTALL

            cursor.execute(SQLITE_INSTALL[0])
        else:
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute(sql)


def test_a_changed_payload_breaks_the_chain_at_that_event(world):
    target = Event.objects.get(chain=project_chain(world.project_a.pk), seq=2)
    _tamper(f"UPDATE history_event SET payload = '{{\"manager_id\": 999}}' WHERE id = {target.pk}")
    report = verify_chains()
    assert not report.is_intact
    assert report.broken.event_id == target.pk
    assert report.broken.seq == 2
    assert "hash" in report.broken.reason


def test_a_removed_event_breaks_the_chain(world):
    with transaction.atomic():
        for i in range(3):
            record_event(kind=EventKind.NOTE, project=world.project_a, payload={"n": i})
    target = Event.objects.get(chain=project_chain(world.project_a.pk), seq=2)
    _tamper(f"DELETE FROM history_event WHERE id = {target.pk}")  # purge allowed in tests
    report = verify_chains(chains=[project_chain(world.project_a.pk)])
    assert not report.is_intact
    assert report.broken.seq == 2


def test_audit_verify_command_exits_0_on_an_intact_history(world, capsys):
    call_command("audit", "verify")
    assert "intact" in capsys.readouterr().out


def test_audit_verify_command_exits_1_naming_the_first_broken_event(world, capsys):
    target = Event.objects.get(chain=project_chain(world.project_b.pk), seq=1)
    _tamper(f"UPDATE history_event SET kind = 'note' WHERE id = {target.pk}")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as raised:
        call_command("audit", "verify", "--project", "b-system")
    assert raised.value.returncode == 1
    out = capsys.readouterr().out
    assert f"project:{world.project_b.pk}" in out
    assert "#1" in out
    assert f"id {target.pk}" in out
