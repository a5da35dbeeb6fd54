"""Background inserts: rows written by a thread inside the caller's transaction."""

from __future__ import annotations

import sqlite3
import sys
import threading

import pytest
from django.db import IntegrityError, connection, transaction

from tests.conftest import World
from zbut.bases.models import Company, CompanyEmail
from zbut.core.db_functions import (
    BULK_WRITE_PRAGMAS,
    SWITCH_INTERVAL_S,
    BackgroundInserts,
    PostgreSQLBackgroundInserts,
    SQLiteBackgroundInserts,
    _threads_switching_often,
    background_inserts,
    next_ids,
    sqlite_bulk_write,
)
from zbut.history.audit import verify_chains
from zbut.history.models import Event, EventKind
from zbut.history.services import NewEvent, record_events

pytestmark = pytest.mark.django_db

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's own limits and settings"
)

EMAIL_COLUMNS = ("id", "client_id", "company_id", "address")


def _company(world: World, name: str = "Ромашка") -> Company:
    return Company.objects.create(
        client=world.client_a, project=world.project_a, name=name, extra={"Примітка": "x"}
    )


def test_queued_rows_are_written_with_their_values_as_given(world: World) -> None:
    company = _company(world)
    awkward = ['quote " and \\ backslash', "апостроф ’ і «лапки»", "emoji 📞", '{"json": [1]}']
    with transaction.atomic(), background_inserts() as background:
        assert isinstance(background, BackgroundInserts)
        assert isinstance(
            background,
            SQLiteBackgroundInserts
            if connection.vendor == "sqlite"
            else PostgreSQLBackgroundInserts,
        )
        ids = background.reserve_ids(CompanyEmail._meta.db_table, "id", len(awkward))
        background.insert(
            CompanyEmail._meta.db_table,
            EMAIL_COLUMNS,
            [
                (pk, world.client_a.pk, company.pk, address)
                for pk, address in zip(ids, awkward, strict=True)
            ],
        )
    written = CompanyEmail.objects.filter(company=company).order_by("id")
    assert [(e.pk, e.address) for e in written] == list(zip(ids, awkward, strict=True))


def test_more_rows_than_one_batch_all_arrive_in_order(world: World) -> None:
    company = _company(world)
    with transaction.atomic(), background_inserts() as background:
        count = type(background).BATCH_ROWS * 2 + 7
        ids = background.reserve_ids(CompanyEmail._meta.db_table, "id", count)
        rows = ((pk, world.client_a.pk, company.pk, f"a{pk}@x.ua") for pk in ids)
        background.insert(CompanyEmail._meta.db_table, EMAIL_COLUMNS, rows)
    assert list(CompanyEmail.objects.order_by("id").values_list("id", flat=True)) == list(ids)


@sqlite_only
def test_a_statement_never_binds_more_values_than_sqlite_takes(world: World) -> None:
    company = _company(world)
    raw = connection.connection
    limit = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 9)  # two rows of four values
    try:
        with transaction.atomic(), background_inserts() as background:
            ids = background.reserve_ids(CompanyEmail._meta.db_table, "id", 7)
            rows = [(pk, world.client_a.pk, company.pk, f"a{pk}@x.ua") for pk in ids]
            background.insert(CompanyEmail._meta.db_table, EMAIL_COLUMNS, rows)
    finally:
        raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit)
    assert list(CompanyEmail.objects.order_by("id").values_list("id", flat=True)) == list(ids)


def test_reserved_ids_are_above_every_id_the_table_ever_gave(world: World) -> None:
    kept, deleted = _company(world, "Перша"), _company(world, "Друга")
    deleted_id = deleted.pk
    deleted.delete()  # AUTOINCREMENT never gives its id again: neither may we
    with transaction.atomic(), background_inserts() as background:
        first = background.reserve_ids(Company._meta.db_table, "id", 3)
        second = background.reserve_ids(Company._meta.db_table, "id", 2)
    assert list(first) == [deleted_id + 1, deleted_id + 2, deleted_id + 3]
    assert deleted_id > kept.pk
    assert list(second) == [deleted_id + 4, deleted_id + 5]


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="ids from a PostgreSQL sequence"
)


@postgresql_only
def test_ids_from_the_sequence_are_new_ascending_and_never_given_again(world: World) -> None:
    before = _company(world, "Перша").pk
    with connection.cursor() as cursor:
        ids = next_ids(cursor, Company._meta.db_table, "id", 5)
        again = next_ids(cursor, Company._meta.db_table, "id", 2)
    assert ids == sorted(ids) and len(set(ids)) == 5 and ids[0] > before
    assert again[0] > ids[-1]
    assert _company(world, "Друга").pk > again[-1]


@postgresql_only
def test_a_column_without_a_sequence_gives_no_ids(world: World) -> None:
    with connection.cursor() as cursor, pytest.raises(ValueError, match="no sequence"):
        next_ids(cursor, Company._meta.db_table, "name", 1)


def test_a_failed_insert_is_raised_in_the_caller_and_nothing_is_written(world: World) -> None:
    company = _company(world)
    table = CompanyEmail._meta.db_table
    with pytest.raises(IntegrityError), transaction.atomic(), background_inserts() as background:
        ids = background.reserve_ids(table, "id", 3)
        background.insert(table, EMAIL_COLUMNS, [(ids[0], world.client_a.pk, company.pk, "a@x.ua")])
        # The same address for the same company twice: the unique constraint refuses it.
        background.insert(table, EMAIL_COLUMNS, [(ids[1], world.client_a.pk, company.pk, "b@x.ua")])
        background.insert(table, EMAIL_COLUMNS, [(ids[2], world.client_a.pk, company.pk, "b@x.ua")])
    assert not CompanyEmail.objects.exists()


def test_events_appended_in_the_background_chain_on_as_appended_directly(world: World) -> None:
    # The chain's head is read once, then moved by the thread after each batch of events: a
    # direct append after the block continues the chain where the background left it.
    company = _company(world)
    drafts = [
        NewEvent(kind=EventKind.NOTE, company_id=company.pk, payload={"n": n}) for n in range(3)
    ]
    with transaction.atomic(), background_inserts() as background:
        record_events(
            project=world.project_a, drafts=drafts, returning=False, background=background
        )
        record_events(
            project=world.project_a, drafts=drafts, returning=False, background=background
        )
    with transaction.atomic():
        record_events(project=world.project_a, drafts=drafts)

    seqs = Event.objects.filter(project=world.project_a, company=company).order_by("seq")
    assert [event.seq for event in seqs] == list(range(seqs[0].seq, seqs[0].seq + 9))
    assert verify_chains().is_intact


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite checks them at once")
def test_on_postgresql_a_broken_reference_fails_in_the_block_not_at_the_commit(world: World):
    # The constraints are made immediate, so each COPY checks its own foreign keys. (A
    # permission's content type is checked; what an import writes is not: bases.models.)
    columns = ("name", "content_type_id", "codename")
    with pytest.raises(IntegrityError), transaction.atomic(), background_inserts() as background:
        background.insert("auth_permission", columns, [("Може", 999_999, "may")])


def test_threads_switch_often_inside_the_block_and_as_before_after_it(world: World) -> None:
    # The writing thread gets the GIL back promptly after each batch (db_functions).
    before = sys.getswitchinterval()
    with transaction.atomic(), background_inserts():
        assert sys.getswitchinterval() == min(before, SWITCH_INTERVAL_S)
    assert sys.getswitchinterval() == before


def test_overlapping_blocks_restore_the_interval_when_the_last_one_ends() -> None:
    before = sys.getswitchinterval()
    first_in, second_done = threading.Event(), threading.Event()

    def first() -> None:
        with _threads_switching_often():
            first_in.set()
            second_done.wait(timeout=10)

    thread = threading.Thread(target=first)
    thread.start()
    first_in.wait(timeout=10)
    with _threads_switching_often():  # enters after the first, leaves before it
        assert sys.getswitchinterval() == min(before, SWITCH_INTERVAL_S)
    assert sys.getswitchinterval() == min(before, SWITCH_INTERVAL_S)  # the first is still in
    second_done.set()
    thread.join(timeout=10)
    assert sys.getswitchinterval() == before


def bulk_write_pragmas_now() -> dict[str, int]:
    """The connection's values of the pragmas ``sqlite_bulk_write`` sets."""
    with connection.cursor() as cursor:
        values = {}
        for name in BULK_WRITE_PRAGMAS:
            cursor.execute(f"PRAGMA {name}")
            values[name] = cursor.fetchone()[0]
        return values


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_a_bulk_write_has_its_sqlite_settings_inside_the_block_only() -> None:
    before = bulk_write_pragmas_now()
    assert before != BULK_WRITE_PRAGMAS
    with sqlite_bulk_write():
        assert bulk_write_pragmas_now() == BULK_WRITE_PRAGMAS
        with transaction.atomic():  # the transaction begun inside takes them
            Company.objects.none().count()
    assert bulk_write_pragmas_now() == before


@sqlite_only
def test_inside_a_transaction_already_the_block_changes_nothing(world: World) -> None:
    # SQLite read temp_store when the test's transaction began: changing it now is too late.
    before = bulk_write_pragmas_now()
    with sqlite_bulk_write():
        assert bulk_write_pragmas_now() == before


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_a_connection_broken_inside_the_block_leaves_the_error_of_the_block() -> None:
    before = bulk_write_pragmas_now()
    try:
        with pytest.raises(ValueError, match="the block's own"), sqlite_bulk_write():
            connection.connection.close()  # broken under Django's feet
            raise ValueError("the block's own")
    finally:
        connection.close()
    assert bulk_write_pragmas_now() == before  # a new connection, as configured
