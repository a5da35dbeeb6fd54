"""Per-connection database set-up that the history triggers rely on.

SQLite has no session variables, so the append-only trigger asks a function registered on
each connection whether a purge is allowed. It answers yes only under the test settings,
so that test flushes can empty the tables; a connection without the function (the sqlite3
shell, say) fails the trigger and is refused too.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import connection
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
