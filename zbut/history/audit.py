"""Verification of the hash chains: proves no event was altered, removed or inserted."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC

from django.db import connection
from django.utils.dateparse import parse_datetime

from zbut.history.hashing import GENESIS_HASH, canonical_payload, event_hash
from zbut.history.models import ChainHead

FETCH_SIZE = 20_000


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


def verify_chains(*, chains: list[str] | None = None) -> ChainReport:
    """Walk every chain (or the given ones) in order and stop at the first broken event."""
    if chains is None:
        chains = list(ChainHead.objects.order_by("chain").values_list("chain", flat=True))
    total = 0
    for chain in chains:
        checked, broken = _verify_chain(chain)
        total += checked
        if broken is not None:
            return ChainReport(chains=len(chains), events=total, broken=broken)
    return ChainReport(chains=len(chains), events=total, broken=None)


def _verify_chain(chain: str) -> tuple[int, BrokenEvent | None]:
    head = ChainHead.objects.filter(chain=chain).values_list("seq", "hash").first()
    expected_prev, expected_seq, checked = GENESIS_HASH, 1, 0
    for row in _rows(chain):
        event_id, seq, kind, client_id, project_id, company_id, actor_id, at, payload, prev, h = row
        if seq != expected_seq:
            reason = f"sequence gap: expected #{expected_seq}, found #{seq}"
            return checked, BrokenEvent(chain, expected_seq, event_id, reason)
        if prev != expected_prev:
            return checked, BrokenEvent(chain, seq, event_id, "previous hash does not match")
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
            payload_json=canonical_payload(payload),
        )
        if digest != h:
            return checked, BrokenEvent(chain, seq, event_id, "content does not match its hash")
        expected_prev, expected_seq, checked = h, seq + 1, checked + 1
    if head is not None and head[0] != checked:
        reason = f"chain head says #{head[0]} but the last event is #{checked}"
        return checked, BrokenEvent(chain, head[0], 0, reason)
    return checked, None


def _rows(chain: str) -> Iterator[tuple]:
    """Raw rows of one chain in order; raw SQL because the ORM costs more than the hashing."""
    sql = (
        "SELECT id, seq, kind, client_id, project_id, company_id, actor_id, occurred_at, "
        "payload, prev_hash, hash FROM history_event WHERE chain = %s ORDER BY seq"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [chain])
        while rows := cursor.fetchmany(FETCH_SIZE):
            for row in rows:
                yield _decode(row)


def _decode(row: tuple) -> tuple:
    """SQLite hands back text where PostgreSQL hands back objects; make both alike."""
    at, payload = row[7], row[8]
    if isinstance(at, str):
        at = parse_datetime(at)
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    if isinstance(payload, str):
        payload = json.loads(payload)
    return (*row[:7], at, payload, *row[9:])
