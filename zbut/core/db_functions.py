"""Per-connection database set-up that the history triggers rely on.

SQLite has no session variables, so the append-only trigger asks a function registered on
each connection whether a purge is allowed. It answers yes only under the test settings,
so that test flushes can empty the tables; a connection without the function (the sqlite3
shell, say) fails the trigger and is refused too.
"""

from __future__ import annotations

import contextlib
import queue
import sqlite3
import sys
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import chain, islice
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, Error, connection, connections
from django.db.backends.signals import connection_created

PURGE_FUNCTION = "zbut_history_purge_allowed"
_purge_forbidden_override = False


def history_purge_allowed() -> int:
    if _purge_forbidden_override:
        return 0
    return 1 if settings.ZBUT_HISTORY_PURGE_ALLOWED else 0


def set_purge_forbidden(value: bool) -> None:
    """Tests that prove the trigger works forbid purges for their duration."""
    global _purge_forbidden_override
    _purge_forbidden_override = value


def _register(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(PURGE_FUNCTION, 0, history_purge_allowed)


def connect() -> None:
    connection_created.connect(_register, dispatch_uid="zbut_history_purge_function")


def stream_executemany(cursor: Any, sql: str, rows: Iterable[tuple]) -> None:
    """``cursor.executemany`` that streams ``rows`` on SQLite too.

    Django's SQLite cursor peeks at the first row through ``itertools.tee`` and keeps the
    peeking copy alive while the rest is written, so tee buffers every row: 90 MB for the
    companies of a 100 000-row import. sqlite3's own executemany reads them one at a time.
    """
    if connection.vendor != "sqlite":
        cursor.executemany(sql, rows)
        return
    with connection.wrap_database_errors:
        sqlite3.Cursor.executemany(cursor.cursor, sql.replace("%s", "?"), rows)


class BackgroundInserts(ABC):
    """Inserts run by a thread of their own, inside the caller's transaction.

    The caller's thread goes on with its Python work (an import: placing rows, hashing
    events) while the database writes what it queued: on the same connection, so in the same
    transaction, the two threads' calls serialised by the driver. SQLite and PostgreSQL each
    have their subclass, made by ``background_inserts``, which waits for the thread before the
    transaction can end.

    ``insert`` and ``execute`` only queue, and run in their order: what the caller reads back
    meanwhile may not include them, so a caller that needs ids reserves them up front
    (``reserve_ids``). ``heads`` is for ``zbut.history``: the chains whose heads it has moved
    through ``execute``, with their last seq and hash; append to them only through here until
    the block ends.
    """

    BATCH_ROWS: int  # rows per statement at most, set by each database's subclass
    QUEUED_BATCHES = 16  # the caller waits beyond this: a bound on the memory of the queue

    def __init__(self, wrapper: Any) -> None:
        # The caller's own wrapper: ``connection`` in the thread would be another thread's.
        self._wrapper = wrapper
        self._queue: queue.Queue[tuple[str, Sequence] | None] = queue.Queue(self.QUEUED_BATCHES)
        self._error: BaseException | None = None
        self.heads: dict[str, tuple[int, str]] = {}
        self._thread = threading.Thread(target=self._run, name="zbut-inserts", daemon=True)
        self._thread.start()

    @abstractmethod
    def insert(self, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
        """Queue ``rows`` (values of ``columns``) for ``table``."""

    @abstractmethod
    def reserve_ids(self, table: str, pk: str, count: int) -> Sequence[int]:
        """``count`` ids for new rows of ``table``, ascending, above every id it has or had."""

    def execute(self, sql: str, params: Sequence) -> None:
        """Queue one statement (``%s`` placeholders) after what is queued already."""
        self._put(sql, params)

    def wait(self) -> None:
        """Return once everything queued is done; raise the error of what failed."""
        self._queue.join()
        self._raise_error()

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()

    def _put(self, sql: str, values: Sequence) -> None:
        self._raise_error()
        self._queue.put((sql, values))

    def _raise_error(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is None:
                    return
                if self._error is None:  # after a failure the rest is dropped, not written
                    with self._wrapper.wrap_database_errors:
                        self._write(*item)
            except BaseException as error:  # handed to the caller's thread
                self._error = error
            finally:
                self._queue.task_done()

    @abstractmethod
    def _write(self, sql: str, values: Sequence) -> None:
        """Run one queued item, in the thread."""


class SQLiteBackgroundInserts(BackgroundInserts):
    """sqlite3 holds the GIL while it binds each row of an ``executemany`` and lets it go only
    while SQLite works, so a thread doing ``executemany`` would wait for the GIL row by row.
    Here a batch of rows is one ``INSERT … VALUES (…), (…), …`` statement: its values are bound
    at once, then SQLite writes the whole batch in C without the GIL. (Each batch as one JSON
    text read through ``json_each`` was tried first: SQLite parsed every row's JSON again for
    each column, and writing 85 000 companies took 2.7 times as long.)

    Ids: the transaction holds SQLite's write lock, so nobody else takes ids meanwhile; the
    first reservation of a table waits for the queue, then reads its largest id once.
    """

    # Enough that the GIL is rarely asked for (each batch asks for it once more); sqlite3 keeps
    # each compiled statement, and one of 2000 rows took megabytes (peak memory +17 MB, and no
    # faster than 1000).
    BATCH_ROWS = 1000

    def __init__(self, wrapper: Any) -> None:
        self._raw: sqlite3.Connection = wrapper.connection
        self._most_values = self._raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        self._next_ids: dict[str, int] = {}
        super().__init__(wrapper)

    def insert(self, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
        names = ", ".join(_quote(column) for column in columns)
        head = f"INSERT INTO {_quote(table)} ({names}) VALUES "  # noqa: S608
        one_row = "(" + ", ".join(["?"] * len(columns)) + ")"
        # Never more values in one statement than SQLite takes (32 766 since SQLite 3.32).
        per_statement = max(1, min(self.BATCH_ROWS, self._most_values // len(columns)))
        rows = iter(rows)
        while batch := list(islice(rows, per_statement)):
            # A full batch's text is the same every time: sqlite3 reuses its compiled statement.
            self._put(head + ", ".join([one_row] * len(batch)), tuple(chain.from_iterable(batch)))

    def reserve_ids(self, table: str, pk: str, count: int) -> range:
        if table not in self._next_ids:
            self.wait()
            with self._wrapper.cursor() as cursor:
                cursor.execute(f"SELECT COALESCE(MAX({_quote(pk)}), 0) FROM {_quote(table)}")  # noqa: S608
                largest = cursor.fetchone()[0]
                cursor.execute(_LAST_AUTOINCREMENT, [table])
                self._next_ids[table] = max(largest, cursor.fetchone()[0]) + 1
        first = self._next_ids[table]
        self._next_ids[table] = first + count
        return range(first, first + count)

    def execute(self, sql: str, params: Sequence) -> None:
        self._put(sql.replace("%s", "?"), params)

    def _write(self, sql: str, values: Sequence) -> None:
        self._raw.execute(sql, values)


class PostgreSQLBackgroundInserts(BackgroundInserts):
    """Rows go in by ``COPY``, a batch each, from the thread: psycopg lets the GIL go while it
    waits for the server, so the server's work (its indexes, the foreign-key checks) runs
    beside the caller's instead of after it.

    Ids come from the table's sequence through a second connection of the thread's own:
    sequences are outside transactions, so it hands out the same ids the caller's would have,
    without waiting behind a COPY in progress on the caller's connection.

    The caller's transaction has its constraints made immediate (to its end): the foreign
    keys of each COPY are then checked by that COPY, in the thread while the caller works,
    rather than all at the commit while nothing else can (an import of 100 000 rows was
    0.3–1.2 s faster in each of seven pairs of interleaved runs).
    """

    # A COPY of 2000 rows made an import 2.5 s slower than one of 5000 when each statement
    # ended with its foreign-key checks, and still 0.1–0.3 s slower once an import's rows had
    # none to check (bases.models); 10 000 was no faster. Six queued keep its peak under
    # 300 MB.
    BATCH_ROWS = 5000
    QUEUED_BATCHES = 6

    def __init__(self, wrapper: Any) -> None:
        self._raw = wrapper.connection
        self._ids_connection: Any = None
        with wrapper.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        super().__init__(wrapper)

    def insert(self, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
        names = ", ".join(_quote(column) for column in columns)
        copy = f"COPY {_quote(table)} ({names}) FROM STDIN"
        rows = iter(rows)
        while batch := list(islice(rows, self.BATCH_ROWS)):
            self._put(copy, batch)

    def reserve_ids(self, table: str, pk: str, count: int) -> list[int]:
        if self._ids_connection is None:
            import psycopg  # only where PostgreSQL is used

            params = self._wrapper.get_connection_params()
            self._ids_connection = psycopg.connect(**params, autocommit=True)
        with self._wrapper.wrap_database_errors, self._ids_connection.cursor() as cursor:
            return next_ids(cursor, table, pk, count)

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self._ids_connection is not None:
                self._ids_connection.close()

    def _write(self, sql: str, values: Sequence) -> None:
        with self._raw.cursor() as cursor:
            if sql.startswith("COPY "):
                with cursor.copy(sql) as copy:
                    for row in values:
                        copy.write_row(row)
            else:
                cursor.execute(sql, values)


def next_ids(cursor: Any, table: str, pk: str, count: int) -> list[int]:
    """``count`` new ids from the sequence of ``table``'s ``pk``, ascending (PostgreSQL).

    The sequence is looked up once and named by a literal, which PostgreSQL resolves once
    when it plans the statement: given by ``pg_get_serial_sequence`` in the statement, or as a
    parameter, it was looked up again for every id (100 000 ids took 0.4 s instead of 0.05 s,
    while the import that asked for them waited).
    """
    cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pk])
    (sequence,) = cursor.fetchone()
    if sequence is None:
        raise ValueError(f"{table}.{pk} has no sequence")
    # Quoted as SQL text, and any "%" doubled: the statement also takes a parameter.
    literal = "'" + sequence.replace("'", "''").replace("%", "%%") + "'"
    cursor.execute(
        f"SELECT nextval({literal}::regclass) FROM generate_series(1, %s)",  # noqa: S608
        [count],
    )
    return sorted(row[0] for row in cursor.fetchall())


# AUTOINCREMENT never reuses an id, even one whose row is gone: its high mark is kept here.
_LAST_AUTOINCREMENT = "SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = %s"


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


@contextmanager
def background_inserts() -> Iterator[BackgroundInserts]:
    """The database's ``BackgroundInserts``, finished before the block ends, whichever way it
    ends: on leaving normally, once all it queued is written (or its error raised).

    Must be entered inside the transaction the inserts belong to.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("background inserts belong inside the caller's transaction")
    connection.ensure_connection()
    wrapper = connections[DEFAULT_DB_ALIAS]
    postgresql = connection.vendor == "postgresql"
    inserts = (PostgreSQLBackgroundInserts if postgresql else SQLiteBackgroundInserts)(wrapper)
    try:
        with _threads_switching_often():
            yield inserts
            inserts.wait()
    finally:
        inserts.close()


# SQLite's settings for one big write transaction (``sqlite_bulk_write``), by pragma.
BULK_WRITE_PRAGMAS = {
    # A statement that writes many rows to a table with a CHECK constraint (Django adds them
    # for JSON and positive integer fields) can be undone alone, so SQLite keeps the original
    # of every page it changes: in a temporary file by default, 490–700 MB written for a
    # 100 000-row import, which is all or nothing and never undoes one statement. In memory,
    # a journal holds one statement's pages (a few MB) and no file is written.
    "temp_store": 2,  # MEMORY
    # 16 MB of page cache instead of 2 MB: an import's random inserts into the indexes of
    # ЄДРПОУ, phone numbers and e-mails (8 MB of pages) each evicted and read a page back,
    # 516 MB written to the WAL and 852 MB read back for a database of 111 MB. In four
    # interleaved pairs the import took 0–0.5 s less, and 12 MB more at its peak.
    "cache_size": -16_000,  # KiB
}


@contextmanager
def sqlite_bulk_write() -> Iterator[None]:
    """On SQLite, ``BULK_WRITE_PRAGMAS`` for a transaction begun inside, restored after.

    SQLite reads ``temp_store`` when a transaction begins: entered inside one already (a
    test's), the block changes nothing.
    """
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    before = {}
    with connection.cursor() as cursor:
        for name, value in BULK_WRITE_PRAGMAS.items():
            cursor.execute(f"PRAGMA {name}")
            before[name] = cursor.fetchone()[0]
            cursor.execute(f"PRAGMA {name} = {int(value)}")
    try:
        yield
    finally:
        # A connection that broke meanwhile takes the settings with it: its error is the one
        # worth raising, not this one's.
        with contextlib.suppress(Error), connection.cursor() as cursor:
            for name, value in before.items():
                cursor.execute(f"PRAGMA {name} = {int(value)}")


# The thread gives up the GIL while the database works, and needs it back to hand over the
# next batch; a busy caller keeps it up to the switch interval (5 ms by default), so the thread
# used to wait that long after each batch. In an import of 100 000 rows that bound the writing:
# the caller spent 1.6 s waiting for room in the queue; at 0.5 ms (and SQLite's batches of 1000
# rows) 0.2 s, and the import was 0.3–0.7 s faster in each of three interleaved pairs on
# SQLite, 0.05–0.8 s on PostgreSQL.
SWITCH_INTERVAL_S = 0.0005


_switching = threading.Lock()
_blocks_inside = 0  # blocks of _threads_switching_often now running, in any thread
_interval_before = 0.0  # the process's switch interval before the first of them


@contextmanager
def _threads_switching_often() -> Iterator[None]:
    """``SWITCH_INTERVAL_S`` for the process while one block or more (in any thread) is in."""
    global _blocks_inside, _interval_before
    with _switching:
        if _blocks_inside == 0:
            _interval_before = sys.getswitchinterval()
            sys.setswitchinterval(min(_interval_before, SWITCH_INTERVAL_S))
        _blocks_inside += 1
    try:
        yield
    finally:
        with _switching:
            _blocks_inside -= 1
            if _blocks_inside == 0:
                sys.setswitchinterval(_interval_before)
