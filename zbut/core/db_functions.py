"""Per-connection database set-up that the history triggers rely on.

SQLite has no session variables, so the append-only trigger asks a function registered on
each connection whether a purge is allowed. It answers yes only under the test settings,
so that test flushes can empty the tables; a connection without the function (the sqlite3
shell, say) fails the trigger and is refused too.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
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
