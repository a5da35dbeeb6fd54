"""Database triggers that make ``history_event`` append-only, on SQLite and PostgreSQL.

UPDATE is always refused. DELETE (and TRUNCATE on PostgreSQL) is refused unless the session
allows purging, which only the test settings do so that test flushes can empty the tables:
on PostgreSQL with the session setting ``zbut.history_purge = on``, on SQLite through the
per-connection function of ``zbut.core.db_functions``.
"""

from __future__ import annotations

from typing import Any

from zbut.core.db_functions import PURGE_FUNCTION

APPEND_ONLY_MESSAGE = "history_event is append-only"

SQLITE_INSTALL = [
    f"""
    CREATE TRIGGER IF NOT EXISTS history_event_refuse_update
    BEFORE UPDATE ON history_event
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}: UPDATE refused'); END;
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS history_event_refuse_delete
    BEFORE DELETE ON history_event
    WHEN NOT {PURGE_FUNCTION}()
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}: DELETE refused'); END;
    """,
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS history_event_refuse_update",
    "DROP TRIGGER IF EXISTS history_event_refuse_delete",
]

POSTGRESQL_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION history_event_refuse_change() RETURNS trigger AS $$
    BEGIN
        IF TG_OP <> 'UPDATE'
           AND coalesce(current_setting('zbut.history_purge', true), '') = 'on' THEN
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NULL;
        END IF;
        RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}: % refused', TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER history_event_refuse_row_change
    BEFORE UPDATE OR DELETE ON history_event
    FOR EACH ROW EXECUTE FUNCTION history_event_refuse_change();
    """,
    """
    CREATE TRIGGER history_event_refuse_truncate
    BEFORE TRUNCATE ON history_event
    FOR EACH STATEMENT EXECUTE FUNCTION history_event_refuse_change();
    """,
]
POSTGRESQL_REMOVE = [
    "DROP TRIGGER IF EXISTS history_event_refuse_row_change ON history_event",
    "DROP TRIGGER IF EXISTS history_event_refuse_truncate ON history_event",
    "DROP FUNCTION IF EXISTS history_event_refuse_change()",
]


def _run(schema_editor: Any, statements: dict[str, list[str]]) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in statements:
        raise RuntimeError(f"append-only history triggers are not written for {vendor}")
    for statement in statements[vendor]:
        schema_editor.execute(statement, params=None)


def install(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, {"sqlite": SQLITE_INSTALL, "postgresql": POSTGRESQL_INSTALL})


def remove(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, {"sqlite": SQLITE_REMOVE, "postgresql": POSTGRESQL_REMOVE})
