"""PostgreSQL tells listeners which projects got new events: one NOTIFY per INSERT statement.

The trigger is ``AFTER INSERT ... FOR EACH STATEMENT`` with a transition table, so the COPY
that ``record_events`` uses for a million-row import sends one notification, not a million.
Its payload is the distinct project ids of the statement, comma-separated. NOTIFY is delivered
at commit, so a listener is never told about events that rolled back. SQLite has no
notifications: its listeners poll (``zbut.portal.live``).
"""

from __future__ import annotations

from typing import Any

CHANNEL = "zbut_history"  # also written in the trigger function below

POSTGRESQL_INSTALL = [
    """
    CREATE OR REPLACE FUNCTION history_event_notify() RETURNS trigger AS $$
    DECLARE projects text;
    BEGIN
        SELECT string_agg(DISTINCT project_id::text, ',') INTO projects
        FROM new_events WHERE project_id IS NOT NULL;
        IF projects IS NOT NULL THEN
            PERFORM pg_notify('zbut_history', projects);
        END IF;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER history_event_notify
    AFTER INSERT ON history_event
    REFERENCING NEW TABLE AS new_events
    FOR EACH STATEMENT EXECUTE FUNCTION history_event_notify();
    """,
]
POSTGRESQL_REMOVE = [
    "DROP TRIGGER IF EXISTS history_event_notify ON history_event",
    "DROP FUNCTION IF EXISTS history_event_notify()",
]


def project_ids(payload: str) -> set[int]:
    """The project ids of a notification's payload ("3,17"); junk is ignored."""
    return {int(part) for part in payload.split(",") if part.strip().isdigit()}


def install(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRESQL_INSTALL:
            schema_editor.execute(statement, params=None)


def remove(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRESQL_REMOVE:
            schema_editor.execute(statement, params=None)
