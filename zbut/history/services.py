"""The one way events are written. Every write service calls it inside its own transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.utils import timezone

from zbut.history.hashing import GENESIS_HASH, canonical_payload, event_hash
from zbut.history.models import AGENCY_CHAIN, ChainHead, Event, EventKind, project_chain

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


def record_events(*, project: Project, drafts: Sequence[NewEvent]) -> list[Event]:
    """Append many events to one project's chain with a single lock and a bulk insert."""
    return _append(
        chain=project_chain(project.pk),
        client_id=project.client_id,
        project_id=project.pk,
        drafts=drafts,
    )


def _append(
    *, chain: str, client_id: int | None, project_id: int | None, drafts: Sequence[NewEvent]
) -> list[Event]:
    if not connection.in_atomic_block:
        raise HistoryOutsideTransactionError(
            "record events inside the transaction of the change they record"
        )
    head = _lock_head(chain)
    now = timezone.now()
    events = []
    seq, prev_hash = head.seq, head.hash
    for draft in drafts:
        seq += 1
        occurred_at = draft.occurred_at or now
        payload_json = canonical_payload(draft.payload)
        digest = event_hash(
            prev_hash=prev_hash,
            chain=chain,
            seq=seq,
            kind=str(draft.kind),
            client_id=client_id,
            project_id=project_id,
            company_id=draft.company_id,
            actor_id=draft.actor_id,
            occurred_at=occurred_at,
            payload_json=payload_json,
        )
        events.append(
            Event(
                chain=chain,
                seq=seq,
                client_id=client_id,
                project_id=project_id,
                company_id=draft.company_id,
                actor_id=draft.actor_id,
                kind=draft.kind,
                payload=draft.payload,
                occurred_at=occurred_at,
                prev_hash=prev_hash,
                hash=digest,
            )
        )
        prev_hash = digest
    Event.objects.bulk_create(events, batch_size=2000)
    ChainHead.objects.filter(chain=chain).update(seq=seq, hash=prev_hash)
    return events


def _lock_head(chain: str) -> ChainHead:
    """The chain's head, row-locked until the transaction ends (created on first use)."""
    ChainHead.objects.bulk_create(
        [ChainHead(chain=chain, seq=0, hash=GENESIS_HASH)], ignore_conflicts=True
    )
    return ChainHead.objects.select_for_update().get(chain=chain)
