"""Verification of the hash chains: proves no event was altered, removed or inserted.

A chain is intact when its events are numbered 1, 2, 3 … without a gap, each event's
``prev_hash`` is its predecessor's ``hash`` (the first one's is the genesis hash), each event's
hash is ``event_hash`` of its own fields, and the chain's head names the last event (its seq and
hash). ``verify_chains`` reports the first event, in the order chain by chain and seq by seq,
that breaks any of these, with the reason of the first check it fails.

How it is fast (a million events in seconds):

* Work is cut into *units*: a range of seq numbers of one chain. A unit is checked on its own
  (gaps, links and hashes inside it); what joins units — that the first event of a unit
  follows the last event of the one before — is checked when the results are put together in
  order. So units can be checked in parallel, by worker processes with their own database
  connections, and the answer is the one a single sequential walk gives.
* The database builds each event's hashed text (the material, ``hashing``'s module docstring)
  in SQL, so Python only hashes a string per event. On SQLite the stored payload is already
  the canonical JSON (``services`` writes it so); on PostgreSQL ``jsonb`` keeps its own
  layout, so the payload is parsed and re-serialised canonically in Python.
* Whenever a fast computation does not match the stored hash, the event is checked again the
  plain way — its row read again, each field decoded, ``event_hash`` computed — and it is
  broken only if that fails too. So a fast path can only save time, never change a verdict
  for an honestly written event; and a tampered event is reported by the plain computation.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection, connections
from django.utils.dateparse import parse_datetime

from zbut.history.hashing import GENESIS_HASH, canonical_json, event_hash

# Events per unit of work: big enough that a unit's query and hand-over cost little, small
# enough that two workers share a chain of a million events evenly.
UNIT_EVENTS = 50_000
# Below this many events a single process is quicker than starting workers.
PARALLEL_MIN_EVENTS = 150_000
MAX_WORKERS = 8


@dataclass(frozen=True)
class BrokenEvent:
    chain: str
    seq: int
    event_id: int
    reason: str


@dataclass(frozen=True)
class ChainReport:
    chains: int
    events: int
    broken: BrokenEvent | None

    @property
    def is_intact(self) -> bool:
        return self.broken is None


@dataclass(frozen=True)
class Unit:
    """The events of `chain` with after < seq <= upto (None: no bound on that side)."""

    chain: str
    after: int | None
    upto: int | None


@dataclass(frozen=True)
class UnitResult:
    """What a unit's own events say; the links between units are checked by the caller.

    ``first`` is the first event's (id, seq, prev_hash), ``last`` the last event's (seq, hash)
    when all passed, ``intact`` how many events passed before ``failure`` (index, seq, id,
    reason). The first event's seq and link are not checked here, only its hash.
    """

    first: tuple[int, int, str] | None
    last: tuple[int, str] | None
    intact: int
    failure: tuple[int, int, int, str] | None


def verify_chains(
    *,
    chains: list[str] | None = None,
    workers: int | None = None,
    unit_events: int = UNIT_EVENTS,
    parallel_min_events: int = PARALLEL_MIN_EVENTS,
) -> ChainReport:
    """Walk every chain (or the given ones) in order and stop at the first broken event.

    Large histories are checked by ``workers`` processes (default: one per CPU) when the
    database can be opened by another process; the report is the same either way.
    """
    heads = _heads()
    if chains is None:
        chains = sorted(heads)
    plan = [(chain, _units(chain, heads.get(chain), unit_events)) for chain in chains]
    units = [unit for _, chain_units in plan for unit in chain_units]
    expected = sum(heads[chain][0] for chain in set(chains) if chain in heads)
    if workers is None:
        workers = _cpus()
    if workers < 2 or len(units) < 2 or expected < parallel_min_events or not _can_fork():
        return _report(plan, heads, map(check_unit, units))
    # A connection must not be shared by two processes: close ours, the workers open theirs.
    connections.close_all()
    pool = multiprocessing.get_context("fork").Pool(workers, initializer=_worker_started)
    try:
        report = _report(plan, heads, pool.imap(check_unit, units, chunksize=1))
    except BaseException:
        pool.terminate()
        raise
    # Closed, not terminated, even when the walk stopped early: terminating a pool whose task
    # feeder is still writing units to the workers can deadlock in multiprocessing (its feeder
    # thread waits on the queue's lock forever; seen in CI). A broken history is rare, and
    # the units left take no longer than the ones done.
    pool.close()
    pool.join()
    return report


def _heads() -> dict[str, tuple[int, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT chain, seq, hash FROM history_chainhead")
        return {chain: (seq, digest) for chain, seq, digest in cursor.fetchall()}


def _units(chain: str, head: tuple[int, str] | None, size: int) -> list[Unit]:
    """Seq ranges that together hold every event of the chain, whatever its seq."""
    last = head[0] if head is not None else 0
    bounds = list(range(size, last, size))
    if not bounds:
        return [Unit(chain, None, None)]
    edges: list[int | None] = [None, *bounds, None]
    return [Unit(chain, after, upto) for after, upto in itertools.pairwise(edges)]


def _report(
    plan: list[tuple[str, list[Unit]]],
    heads: dict[str, tuple[int, str]],
    results: Iterable[UnitResult],
) -> ChainReport:
    """Join the units' results in order, as one sequential walk over every chain would."""
    results = iter(results)
    total = 0
    for chain, units in plan:
        expected_seq, expected_prev, checked = 1, GENESIS_HASH, 0
        for _ in units:
            result = next(results)
            broken, passed = _join(chain, result, expected_seq, expected_prev)
            checked += passed
            if broken is not None:
                return ChainReport(chains=len(plan), events=total + checked, broken=broken)
            if result.last is not None:
                expected_seq, expected_prev = result.last[0] + 1, result.last[1]
        total += checked
        broken = _check_head(chain, heads.get(chain), checked, expected_prev)
        if broken is not None:
            return ChainReport(chains=len(plan), events=total, broken=broken)
    return ChainReport(chains=len(plan), events=total, broken=None)


def _join(
    chain: str, result: UnitResult, expected_seq: int, expected_prev: str
) -> tuple[BrokenEvent | None, int]:
    if result.first is None:
        return None, 0
    first_id, first_seq, first_prev = result.first
    if first_seq != expected_seq:
        reason = f"sequence gap: expected #{expected_seq}, found #{first_seq}"
        return BrokenEvent(chain, expected_seq, first_id, reason), 0
    if first_prev != expected_prev:
        return BrokenEvent(chain, first_seq, first_id, "previous hash does not match"), 0
    if result.failure is not None:
        _, seq, event_id, reason = result.failure
        return BrokenEvent(chain, seq, event_id, reason), result.intact
    return None, result.intact


def _check_head(
    chain: str, head: tuple[int, str] | None, checked: int, last_hash: str
) -> BrokenEvent | None:
    if head is None:
        return None
    if head[0] != checked:
        reason = f"chain head says #{head[0]} but the last event is #{checked}"
        return BrokenEvent(chain, head[0], 0, reason)
    if head[1] != last_hash:
        return BrokenEvent(chain, head[0], 0, "chain head's hash is not the last event's")
    return None


# --- one unit ------------------------------------------------------------------------------

# The material of the hash up to and including the "|" before the payload (see hashing).
# SQLite keeps a time as "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC; anything else gets "?" here
# and is then checked the plain way. The material comes as UTF-8 bytes, ready to hash.
_SQLITE_ROWS = (
    "SELECT id, seq, prev_hash, hash, CAST(prev_hash || '|' || chain || '|' || seq || '|' || kind "
    "|| '|' || ifnull(client_id, '') || '|' || ifnull(project_id, '') "
    "|| '|' || ifnull(company_id, '') || '|' || ifnull(actor_id, '') || '|' || "
    "CASE WHEN length(occurred_at) = 26 AND substr(occurred_at, 11, 1) = ' ' "
    "THEN substr(occurred_at, 1, 10) || 'T' || substr(occurred_at, 12) || 'Z' "
    "WHEN length(occurred_at) = 19 AND substr(occurred_at, 11, 1) = ' ' "
    "THEN substr(occurred_at, 1, 10) || 'T' || substr(occurred_at, 12) || '.000000Z' "
    "ELSE '?' END "
    "|| '|' || payload AS BLOB) FROM history_event WHERE chain = %s"
)
_POSTGRESQL_ROWS = (
    "SELECT id, seq, prev_hash, hash, prev_hash || '|' || chain || '|' || seq || '|' || kind "
    "|| '|' || coalesce(client_id::text, '') || '|' || coalesce(project_id::text, '') "
    "|| '|' || coalesce(company_id::text, '') || '|' || coalesce(actor_id::text, '') "
    "|| '|' || to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') "
    "|| '|', payload::text FROM history_event WHERE chain = %s"
)
_BOUNDS = {
    (False, False): "",
    (True, False): " AND seq > %s",
    (False, True): " AND seq <= %s",
    (True, True): " AND seq > %s AND seq <= %s",
}
_PLAIN_ROW = (
    "SELECT id, seq, kind, client_id, project_id, company_id, actor_id, occurred_at, "
    "payload, prev_hash, hash FROM history_event WHERE id = %s"
)


def check_unit(unit: Unit) -> UnitResult:
    """Check one unit's events: gaps, links and hashes inside it (the first one's hash only)."""
    postgresql = connection.vendor == "postgresql"
    sql = (_POSTGRESQL_ROWS if postgresql else _SQLITE_ROWS) + _BOUNDS[
        unit.after is not None, unit.upto is not None
    ]
    params = [unit.chain, *(bound for bound in (unit.after, unit.upto) if bound is not None)]
    with connection.cursor() as cursor:
        cursor.execute(sql + " ORDER BY seq", params)
        if postgresql:  # the whole result is in the client already; fetchall converts in C
            return _check_rows(unit.chain, cursor.fetchall(), _hash_jsonb_row)
        # SQLite: the driver's own cursor yields rows one by one, without a wrapper per row.
        return _check_rows(unit.chain, cursor.cursor, _hash_material_row)


def _hash_material_row(row: tuple) -> str:
    """SQLite: the material is the stored text as it is (the payload is canonical JSON)."""
    return hashlib.sha256(row[4]).hexdigest()


def _hash_jsonb_row(row: tuple) -> str:
    """PostgreSQL: jsonb has its own key order and spacing; re-serialise it canonically."""
    return hashlib.sha256((row[4] + canonical_json(json.loads(row[5]))).encode()).hexdigest()


def _check_rows(chain: str, rows: Iterable[tuple], fast_hash: Callable[[tuple], str]) -> UnitResult:
    first = None
    seq = digest = None
    intact = 0
    for row in rows:
        event_id, row_seq, prev, row_hash = row[0], row[1], row[2], row[3]
        if first is None:
            first = (event_id, row_seq, prev)
        elif row_seq != seq + 1:
            reason = f"sequence gap: expected #{seq + 1}, found #{row_seq}"
            return UnitResult(first, None, intact, (intact, seq + 1, event_id, reason))
        elif prev != digest:
            failure = (intact, row_seq, event_id, "previous hash does not match")
            return UnitResult(first, None, intact, failure)
        if fast_hash(row) != row_hash and not _plain_check(chain, row, fast_hash):
            failure = (intact, row_seq, event_id, "content does not match its hash")
            return UnitResult(first, None, intact, failure)
        seq, digest = row_seq, row_hash
        intact += 1
    return UnitResult(first, None if first is None else (seq, digest), intact, None)


def _plain_check(chain: str, row: tuple, fast_hash: Callable[[tuple], str]) -> bool:
    """The event's hash computed the plain way, from its fields as the ORM would read them."""
    if fast_hash is _hash_material_row and _sqlite_payload_check(row):
        return True
    with connection.cursor() as cursor:
        cursor.execute(_PLAIN_ROW, [row[0]])
        found = cursor.fetchone()
    if found is None:
        return False
    try:
        _, seq, kind, client_id, project_id, company_id, actor_id, at, payload, prev, h = _decode(
            found
        )
        digest = event_hash(
            prev_hash=prev,
            chain=chain,
            seq=seq,
            kind=kind,
            client_id=client_id,
            project_id=project_id,
            company_id=company_id,
            actor_id=actor_id,
            occurred_at=at,
            payload_json=canonical_json(payload),
        )
    except (TypeError, ValueError, AttributeError, OverflowError):
        return False  # a field that does not even decode
    return digest == h


def _sqlite_payload_check(row: tuple) -> bool:
    """SQLite rows whose payload was stored in another layout (by earlier versions, say)."""
    try:
        material = bytes(row[4]).decode()
        payload = material.split("|", 9)[-1]
        canonical = canonical_json(json.loads(payload))
    except (ValueError, TypeError):
        return False
    head = material[: len(material) - len(payload)]
    return hashlib.sha256((head + canonical).encode()).hexdigest() == row[3]


def _decode(row: tuple) -> tuple:
    """SQLite hands back text where PostgreSQL hands back objects; make both alike."""
    at, payload = row[7], row[8]
    if isinstance(at, str):
        at = parse_datetime(at)
    if not isinstance(at, datetime):
        raise TypeError(f"occurred_at is not a time: {at!r}")
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    if isinstance(payload, str):
        payload = json.loads(payload)
    return (*row[:7], at, payload, *row[9:])


# --- workers -------------------------------------------------------------------------------


def _cpus() -> int:
    try:
        count = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        count = os.cpu_count() or 1
    return max(1, min(count, MAX_WORKERS))


def _can_fork() -> bool:
    """Workers are forked and open their own connections: the data must be committed and
    in a database another process can open, and this process must have no other threads."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    if threading.active_count() > 1:  # forking a threaded process (a web server) is unsafe
        return False
    for conn in connections.all(initialized_only=True):
        if conn.in_atomic_block:
            return False
    if connection.vendor == "sqlite":
        return not connection.is_in_memory_db()
    return connection.vendor == "postgresql"


def _worker_started() -> None:
    # Close the worker's own connections when the pool ends it normally.
    multiprocessing.util.Finalize(None, connections.close_all, exitpriority=10)
