"""Per-connection database set-up that the history triggers rely on.

SQLite has no session variables, so the append-only trigger asks a function registered on
each connection whether a purge is allowed. It answers yes only under the test settings,
so that test flushes can empty the tables; a connection without the function (the sqlite3
shell, say) fails the trigger and is refused too.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import chain, islice
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
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


class BackgroundInserts:
    """Inserts into SQLite run by a thread of their own, inside the caller's transaction.

    sqlite3 holds the GIL while it binds each row of an ``executemany`` and lets it go only
    while SQLite works, so a thread doing ``executemany`` would wait for the GIL row by row.
    Here a batch of rows is one ``INSERT … VALUES (…), (…), …`` statement: its values are bound
    at once, then SQLite writes the whole batch in C without the GIL, while the caller's
    thread goes on with its Python work (an import: placing rows, hashing events). Same
    connection, so same transaction; SQLite serialises the two threads' calls. (Each batch as
    one JSON text read through ``json_each`` was tried first: SQLite parsed every row's JSON
    again for each column, and writing 85 000 companies took 2.7 times as long.)

    Use through ``background_inserts``, which waits for the thread before the transaction
    can end. ``insert`` only queues: what the caller reads back meanwhile may not include the
    queued rows, so a caller that needs ids reserves them up front (``reserve_ids``).
    """

    # Rows per statement at most: enough that the GIL is rarely asked for; sqlite3 keeps each
    # compiled statement, and one of 2000 rows took megabytes (peak memory +17 MB, no faster).
    BATCH_ROWS = 500
    QUEUED_BATCHES = 16  # the caller waits beyond this: a bound on the memory of the queue

    def __init__(self, wrapper: Any) -> None:
        # The caller's own wrapper: ``connection`` in the thread would be another thread's.
        self._wrapper = wrapper
        self._raw: sqlite3.Connection = wrapper.connection
        self._most_values = self._raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        self._queue: queue.Queue[tuple[str, tuple] | None] = queue.Queue(self.QUEUED_BATCHES)
        self._error: BaseException | None = None
        self._next_ids: dict[str, int] = {}
        self._thread = threading.Thread(target=self._run, name="zbut-inserts", daemon=True)
        self._thread.start()

    def insert(self, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
        """Queue ``rows`` (values of ``columns``) for ``table``, a statement per batch."""
        names = ", ".join(_quote(column) for column in columns)
        head = f"INSERT INTO {_quote(table)} ({names}) VALUES "  # noqa: S608
        one_row = "(" + ", ".join(["?"] * len(columns)) + ")"
        # Never more values in one statement than SQLite takes (32 766 since SQLite 3.32).
        per_statement = max(1, min(self.BATCH_ROWS, self._most_values // len(columns)))
        rows = iter(rows)
        while batch := list(islice(rows, per_statement)):
            self._raise_error()
            # A full batch's text is the same every time: sqlite3 reuses its compiled statement.
            sql = head + ", ".join([one_row] * len(batch))
            self._queue.put((sql, tuple(chain.from_iterable(batch))))

    def reserve_ids(self, table: str, pk: str, count: int) -> range:
        """``count`` ids for new rows of ``table``, above every id it has or had.

        The transaction holds SQLite's write lock, so nobody else takes ids meanwhile; the
        first reservation of a table waits for the queue, then reads its largest id once.
        """
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

    def wait(self) -> None:
        """Return once every queued insert is done; raise the error of one that failed."""
        self._queue.join()
        self._raise_error()

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()

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
                    sql, values = item
                    with self._wrapper.wrap_database_errors:
                        self._raw.execute(sql, values)
            except BaseException as error:  # handed to the caller's thread
                self._error = error
            finally:
                self._queue.task_done()


# AUTOINCREMENT never reuses an id, even one whose row is gone: its high mark is kept here.
_LAST_AUTOINCREMENT = "SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = %s"


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


@contextmanager
def background_inserts() -> Iterator[BackgroundInserts | None]:
    """A ``BackgroundInserts`` on SQLite (None elsewhere: PostgreSQL's COPY already writes in
    the server's process), finished before the block ends, whichever way it ends.

    Must be entered inside the transaction the inserts belong to.
    """
    if connection.vendor != "sqlite":
        yield None
        return
    if not connection.in_atomic_block:
        raise RuntimeError("background inserts belong inside the caller's transaction")
    connection.ensure_connection()
    inserts = BackgroundInserts(connections[DEFAULT_DB_ALIAS])
    try:
        yield inserts
        inserts.wait()
    finally:
        inserts.close()
