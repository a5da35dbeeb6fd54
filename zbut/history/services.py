"""The one way events are written. Every write service calls it inside its own transaction.

Appending is on the hot path of imports and of the call desk, so ``_append`` writes the rows
itself rather than through ``bulk_create``: the hashes are computed in one tight loop, the rows
go to the database in one ``executemany`` (SQLite) or one ``COPY`` (PostgreSQL), and the
returned ``Event`` objects are built from the same values. On SQLite the payload is stored as
its canonical JSON (the text the hash covers), which lets ``zbut audit verify`` hash the stored
text without parsing it; any JSON text reads back the same through the ORM.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init
from django.utils import timezone

from zbut.core.db_functions import BackgroundInserts, next_ids, stream_executemany
from zbut.history.hashing import GENESIS_HASH, canonical_json, canonical_time, hash_material
from zbut.history.models import AGENCY_CHAIN, Event, EventKind, project_chain

if TYPE_CHECKING:
    from zbut.accounts.models import Client, User
    from zbut.projects.models import Project


class HistoryOutsideTransactionError(RuntimeError):
    """An event was recorded outside a transaction, so it could outlive the change it records."""


@dataclass(frozen=True)
class NewEvent:
    """An event to append to a project's chain in a batch (see ``record_events``)."""

    kind: EventKind
    payload: dict[str, Any] = field(default_factory=dict)
    company_id: int | None = None
    actor_id: int | None = None
    occurred_at: datetime | None = None


def record_event(
    *,
    kind: EventKind,
    payload: dict[str, Any] | None = None,
    actor: User | None = None,
    client: Client | None = None,
    project: Project | None = None,
    company: Any = None,
    occurred_at: datetime | None = None,
) -> Event:
    """Append one event to its project's chain (or to the agency's chain when no project)."""
    client_id = project.client_id if project is not None else (client.pk if client else None)
    events = _append(
        chain=project_chain(project.pk) if project is not None else AGENCY_CHAIN,
        client_id=client_id,
        project_id=project.pk if project is not None else None,
        drafts=[
            NewEvent(
                kind=kind,
                payload=payload or {},
                company_id=company.pk if company is not None else None,
                actor_id=actor.pk if actor is not None else None,
                occurred_at=occurred_at,
            )
        ],
    )
    return events[0]


def record_events(
    *,
    project: Project,
    drafts: Sequence[NewEvent],
    returning: bool = True,
    background: BackgroundInserts | None = None,
) -> list[Event]:
    """Append many events to one project's chain with a single lock and a bulk insert.

    ``returning=False`` returns ``[]`` instead of the written events, for a caller (an
    import) that writes more of them than it wants to hold. With ``background`` (only without
    ``returning``) the rows and the chain's new head are queued there and written by its
    thread; until it ends, the chain is appended to only through it (``heads``).
    """
    if background is not None and returning:
        raise ValueError("events queued in the background are not returned")
    return _append(
        chain=project_chain(project.pk),
        client_id=project.client_id,
        project_id=project.pk,
        drafts=drafts,
        returning=returning,
        background=background,
    )


# The columns as written, in the order of the rows ``_append`` builds.
INSERT_COLUMNS = (
    "chain",
    "seq",
    "client_id",
    "project_id",
    "company_id",
    "actor_id",
    "kind",
    "payload",
    "occurred_at",
    "prev_hash",
    "hash",
)


def _append(
    *,
    chain: str,
    client_id: int | None,
    project_id: int | None,
    drafts: Sequence[NewEvent],
    returning: bool = True,
    background: BackgroundInserts | None = None,
) -> list[Event]:
    if not connection.in_atomic_block:
        raise HistoryOutsideTransactionError(
            "record events inside the transaction of the change they record"
        )
    if not drafts:
        return []
    # A chain the background writer has moved the head of: its head is where it was moved.
    known = background.heads.get(chain) if background is not None else None
    head_seq, head_hash = known or _lock_head(chain)
    now = timezone.now()
    rows = _hashed_rows(
        chain=chain,
        client_id=client_id,
        project_id=project_id,
        head=(head_seq, head_hash),
        drafts=drafts,
        now=now,
    )
    # The rows are made while they are written: on PostgreSQL the server inserts the first
    # rows of the COPY while this process hashes the next ones.
    if background is not None:
        # Queued after the events, and kept: the head is not read back until they are written.
        last_seq, last_hash = _queue(background, rows)
        background.execute(_MOVE_HEAD, [last_seq, last_hash, chain])
        background.heads[chain] = (last_seq, last_hash)
        return []
    events, last_seq, last_hash = _write(
        rows, drafts=drafts, now=now, chain=chain, after_seq=head_seq, returning=returning
    )
    with connection.cursor() as cursor:
        cursor.execute(_MOVE_HEAD, [last_seq, last_hash, chain])
    return events


def _hashed_rows(
    *,
    chain: str,
    client_id: int | None,
    project_id: int | None,
    head: tuple[int, str],
    drafts: Sequence[NewEvent],
    now: datetime,
) -> Iterator[tuple]:
    """The rows to write, in the order of INSERT_COLUMNS, each hashed onto the one before."""
    vendor = connection.vendor
    times: dict[datetime, tuple[Any, str]] = {}
    # The hash's material is "prev|chain|seq|kind|client|project|company|actor|time|payload"
    # (hashing.event_hash, inlined: this loop is the cost of appending).
    client_text = "" if client_id is None else str(client_id)
    project_text = "" if project_id is None else str(project_id)
    seq, prev_hash = head
    for draft in drafts:
        seq += 1
        at = draft.occurred_at or now
        stamp = times.get(at)
        if stamp is None:
            stamp = times[at] = (_db_time(at, vendor), canonical_time(at))
        kind = str(draft.kind)
        payload_json = canonical_json(draft.payload)
        company_id, actor_id = draft.company_id, draft.actor_id
        digest = hash_material(
            f"{prev_hash}|{chain}|{seq}|{kind}|{client_text}|{project_text}|"
            f"{'' if company_id is None else str(company_id)}|"
            f"{'' if actor_id is None else str(actor_id)}|{stamp[1]}|{payload_json}"
        )
        yield (
            chain,
            seq,
            client_id,
            project_id,
            company_id,
            actor_id,
            kind,
            payload_json,
            stamp[0],
            prev_hash,
            digest,
        )
        prev_hash = digest


def _db_time(at: datetime, vendor: str) -> Any:
    """The value the database is given for ``occurred_at``, as the ORM would give it."""
    if vendor == "sqlite" and at.tzinfo is UTC:
        return str(at.replace(tzinfo=None))  # what SQLite's adapt_datetimefield_value gives
    return Event._meta.get_field("occurred_at").get_db_prep_save(at, connection)


_COLUMNS = (
    "chain, seq, client_id, project_id, company_id, actor_id, kind, payload, occurred_at, "
    "prev_hash, hash"
)
_INSERT = {
    "sqlite": (
        "INSERT INTO history_event (" + _COLUMNS + ") "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
    ),
    "postgresql": (
        "INSERT INTO history_event (" + _COLUMNS + ") "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s, %s, %s)"
    ),
}
_COPY = "COPY history_event (id, " + _COLUMNS + ") FROM STDIN"
_OUR_IDS = "SELECT id FROM history_event WHERE chain = %s AND seq > %s ORDER BY seq"


def _write(
    rows: Iterator[tuple],
    *,
    drafts: Sequence[NewEvent],
    now: datetime,
    chain: str,
    after_seq: int,
    returning: bool,
) -> tuple[list[Event], int, str]:
    """Write the rows; returns them as events (if asked), in order, and the last seq and hash."""
    build = _event_builder(now)
    events: list[Event] = []
    last: tuple = ()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and hasattr(cursor.cursor, "copy"):
            # Ids first, from the table's own sequence, so that one COPY writes everything.
            ids = next_ids(cursor, "history_event", "id", len(drafts))
            with cursor.cursor.copy(_COPY) as copy:
                write = copy.write_row
                for event_id, row, draft in zip(ids, rows, drafts, strict=True):
                    write((event_id, *row))
                    if returning:
                        events.append(build(event_id, row, draft))
                    last = row
            return events, last[1], last[10]
        written: list[tuple] = []
        last_row: list[tuple] = [()]

        def keep(rows: Iterator[tuple]) -> Iterator[tuple]:
            for row in rows:
                if returning:
                    written.append(row)
                last_row[0] = row
                yield row

        sql = _INSERT.get(connection.vendor, _INSERT["sqlite"])
        stream_executemany(cursor, sql, keep(rows))
        last = last_row[0]
        if not returning:
            return [], last[1], last[10]
        # The chain's head is locked, so the rows after `after_seq` are exactly ours.
        cursor.execute(_OUR_IDS, [chain, after_seq])
        ids = [row[0] for row in cursor.fetchall()]
    if len(ids) != len(written):
        raise RuntimeError(f"history: wrote {len(written)} events to {chain}, found {len(ids)}")
    events = [
        build(event_id, row, draft)
        for event_id, row, draft in zip(ids, written, drafts, strict=True)
    ]
    return events, last[1], last[10]


def _queue(background: BackgroundInserts, rows: Iterator[tuple]) -> tuple[int, str]:
    """Queue the rows for the background thread; the last seq and hash."""
    last_row: list[tuple] = [()]

    def keep(rows: Iterator[tuple]) -> Iterator[tuple]:
        for row in rows:
            last_row[0] = row
            yield row

    background.insert("history_event", INSERT_COLUMNS, keep(rows))
    return last_row[0][1], last_row[0][10]


def _event_builder(now: datetime) -> Callable[[int, tuple, NewEvent], Event]:
    """A maker of written events, as ``bulk_create`` would have returned them."""
    alias = connection.alias
    if not _plain_events():
        return functools.partial(_event_by_init, now=now, alias=alias)
    new, state = Event.__new__, ModelState

    def build(event_id: int, row: tuple, draft: NewEvent) -> Event:
        # What Model.__init__ does with these values, without its per-field descriptors
        # (a third of the cost of appending on PostgreSQL).
        event = new(Event)
        event.__dict__ = {
            "_state": state(),
            "id": event_id,
            "chain": row[0],
            "seq": row[1],
            "client_id": row[2],
            "project_id": row[3],
            "company_id": row[4],
            "actor_id": row[5],
            "kind": draft.kind,
            "payload": draft.payload,
            "occurred_at": draft.occurred_at or now,
            "prev_hash": row[9],
            "hash": row[10],
        }
        event._state.adding = False
        event._state.db = alias
        return event

    return build


def _event_by_init(
    event_id: int, row: tuple, draft: NewEvent, *, now: datetime, alias: str
) -> Event:
    event = Event(
        id=event_id,
        chain=row[0],
        seq=row[1],
        client_id=row[2],
        project_id=row[3],
        company_id=row[4],
        actor_id=row[5],
        kind=draft.kind,
        payload=draft.payload,
        occurred_at=draft.occurred_at or now,
        prev_hash=row[9],
        hash=row[10],
    )
    event._state.adding = False
    event._state.db = alias
    return event


def _plain_events() -> bool:
    """Whether an Event is just its fields: the attributes listed above and no init hooks."""
    attnames = tuple(f.attname for f in Event._meta.concrete_fields)
    hooked = pre_init.has_listeners(Event) or post_init.has_listeners(Event)
    return attnames == ("id", *INSERT_COLUMNS) and not hooked


_HEAD = {
    "postgresql": "SELECT seq, hash FROM history_chainhead WHERE chain = %s FOR UPDATE",
    "sqlite": "SELECT seq, hash FROM history_chainhead WHERE chain = %s",
}
_NEW_HEAD = {
    "postgresql": (
        "INSERT INTO history_chainhead (chain, seq, hash) VALUES (%s, 0, %s) "
        "ON CONFLICT (chain) DO NOTHING"
    ),
    "sqlite": "INSERT OR IGNORE INTO history_chainhead (chain, seq, hash) VALUES (%s, 0, %s)",
}
_MOVE_HEAD = "UPDATE history_chainhead SET seq = %s, hash = %s WHERE chain = %s"


def _lock_head(chain: str) -> tuple[int, str]:
    """The chain's last seq and hash, row-locked until the transaction ends.

    The head is created on first use. On SQLite the IMMEDIATE transaction already holds the
    database's write lock, which is what ``select_for_update`` amounts to there.
    """
    vendor = "postgresql" if connection.vendor == "postgresql" else "sqlite"
    with connection.cursor() as cursor:
        cursor.execute(_HEAD[vendor], [chain])
        head = cursor.fetchone()
        if head is None:
            cursor.execute(_NEW_HEAD[vendor], [chain, GENESIS_HASH])
            cursor.execute(_HEAD[vendor], [chain])
            head = cursor.fetchone()
    return head[0], head[1]
