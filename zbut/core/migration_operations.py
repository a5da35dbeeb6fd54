"""Operations shared by migrations."""

from __future__ import annotations

from django.db import migrations
from django.db.migrations.operations.base import Operation


def drop_covered_indexes(
    indexes: dict[str, tuple[str, str]], state_operations: list[Operation]
) -> migrations.SeparateDatabaseAndState:
    """Drop single-column foreign-key indexes (name → (table, column)) and nothing else.

    ``state_operations`` are the AlterFields that set ``db_index=False``. Run as they are, they
    would make SQLite rebuild each table, and a rebuild drops the triggers of a table such as
    history_event; dropping the index is all the database needs. Each index dropped here is
    one that a composite index starts with (tests/core/test_indexes.py).
    """
    return migrations.SeparateDatabaseAndState(
        database_operations=[
            migrations.RunSQL(
                f'DROP INDEX IF EXISTS "{name}"',
                reverse_sql=f'CREATE INDEX "{name}" ON "{table}" ("{column}")',
            )
            for name, (table, column) in indexes.items()
        ],
        state_operations=state_operations,
    )
