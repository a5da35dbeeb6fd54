"""Writing many rows of one table at once: what an import of 100 000 rows writes.

``bulk_create`` builds a model instance per row and prepares every field of it through its
descriptors; for an import that is most of the time and of the memory. Here the rows are
plain tuples of the columns the caller fills, every other column gets its model default
(prepared once), and they go to the database in one ``executemany`` (SQLite) or one ``COPY``
(PostgreSQL), the way ``zbut.history.services`` writes events. JSON columns are given as
Python values and written as JSON text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models

from zbut.core.db_functions import BackgroundInserts, next_ids, stream_executemany
from zbut.core.json_text import compact_json_encoder

# JSON as this module writes it; a caller may encode its values up front (``json_encoded``).
encode_json = compact_json_encoder(sort_keys=False)


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[tuple],
    *,
    count: int | None = None,
    returning_ids: bool = False,
    json_encoded: bool = False,
    background: BackgroundInserts | None = None,
) -> list[int]:
    """Insert ``rows`` (values of ``columns``, attnames) in order; their ids if asked.

    JSON columns are given as Python values, or as their JSON text (``encode_json``) when
    ``json_encoded``.

    With ``background`` the rows are only queued there, their ids reserved first.

    ``count`` (the number of rows) is needed for the ids on PostgreSQL. Must run inside the
    caller's transaction, which on SQLite holds the write lock (IMMEDIATE), so that the ids
    of the rows written here are the ones above the table's largest id before the write.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("insert_rows writes inside the caller's transaction")
    table = _Table(model, columns, json_encoded=json_encoded)
    if background is not None:
        return _queue(background, table, rows, count=count, returning_ids=returning_ids)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            if hasattr(cursor.cursor, "copy"):
                return _copy(cursor, table, rows, count=count, returning_ids=returning_ids)
    return _executemany(table, rows, returning_ids=returning_ids)


class _Table:
    def __init__(
        self, model: type[models.Model], columns: Sequence[str], *, json_encoded: bool
    ) -> None:
        fields = {f.attname: f for f in model._meta.concrete_fields}
        pk = model._meta.pk.attname
        self.name = model._meta.db_table
        self.pk_name = pk
        self.given = tuple(columns)
        defaults = {a: _default(f) for a, f in fields.items() if a != pk and a not in columns}
        # A column whose default is None is left out: it is NULL all the same (``_default``).
        self.rest = tuple(a for a, value in defaults.items() if value is not None)
        self.json_given = (
            ()
            if json_encoded
            else tuple(
                i for i, a in enumerate(self.given) if isinstance(fields[a], models.JSONField)
            )
        )
        self.defaults = tuple(defaults[a] for a in self.rest)
        self.columns = ", ".join(connection.ops.quote_name(a) for a in (*self.given, *self.rest))
        self.quoted = connection.ops.quote_name(self.name)
        self.pk = connection.ops.quote_name(pk)

    def values(self, rows: Iterable[tuple]) -> Iterable[tuple]:
        defaults, json_given = self.defaults, self.json_given
        if not json_given:
            return (row + defaults for row in rows)
        dumps = encode_json

        def dumped(row: tuple) -> tuple:
            values = list(row)
            for i in json_given:
                values[i] = dumps(values[i])
            return (*values, *defaults)

        return map(dumped, rows)


def _default(field: models.Field) -> Any:
    value = field.get_default()
    if isinstance(field, models.JSONField):
        return json.dumps(value)
    value = field.get_db_prep_save(value, connection)
    # sqlite3 binds a bool, a str subclass (a choice) or None by a lookup of adapters, some
    # thirty times the cost of an int or a str, and a default is bound on every row.
    if isinstance(value, bool) and connection.vendor == "sqlite":
        return int(value)
    if isinstance(value, str):
        return str(value)
    return value


def _executemany(table: _Table, rows: Iterable[tuple], *, returning_ids: bool) -> list[int]:
    marks = ", ".join(["%s"] * (len(table.given) + len(table.rest)))
    with connection.cursor() as cursor:
        if returning_ids:
            cursor.execute(f"SELECT COALESCE(MAX({table.pk}), 0) FROM {table.quoted}")  # noqa: S608
            before = cursor.fetchone()[0]
        stream_executemany(
            cursor,
            f"INSERT INTO {table.quoted} ({table.columns}) VALUES ({marks})",  # noqa: S608
            table.values(rows),
        )
        if not returning_ids:
            return []
        cursor.execute(
            f"SELECT {table.pk} FROM {table.quoted} WHERE {table.pk} > %s ORDER BY {table.pk}",  # noqa: S608
            [before],
        )
        return [row[0] for row in cursor.fetchall()]


def _queue(
    background: BackgroundInserts,
    table: _Table,
    rows: Iterable[tuple],
    *,
    count: int | None,
    returning_ids: bool,
) -> list[int]:
    columns = (*table.given, *table.rest)
    if not returning_ids:
        background.insert(table.name, columns, table.values(rows))
        return []
    if count is None:
        rows = list(rows)
        count = len(rows)
    ids = background.reserve_ids(table.name, table.pk_name, count)
    numbered = ((row_id, *values) for row_id, values in zip(ids, table.values(rows), strict=True))
    background.insert(table.name, (table.pk_name, *columns), numbered)
    return list(ids)


def _copy(
    cursor: Any, table: _Table, rows: Iterable[tuple], *, count: int | None, returning_ids: bool
) -> list[int]:
    ids: list[int] = []
    columns = table.columns
    if returning_ids:
        if count is None:
            rows = list(rows)
            count = len(rows)
        ids = next_ids(cursor, table.name, table.pk_name, count)
        columns = f"{table.pk}, {columns}"
    with cursor.cursor.copy(f"COPY {table.quoted} ({columns}) FROM STDIN") as copy:
        write = copy.write_row
        if returning_ids:
            for row_id, values in zip(ids, table.values(rows), strict=True):
                write((row_id, *values))
        else:
            for values in table.values(rows):
                write(values)
    return ids
