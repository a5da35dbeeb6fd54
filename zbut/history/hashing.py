"""The hash that chains an event to its predecessor (pure functions, no database)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64


def canonical_payload(payload: Any) -> str:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def canonical_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(
    *,
    prev_hash: str,
    chain: str,
    seq: int,
    kind: str,
    client_id: int | None,
    project_id: int | None,
    company_id: int | None,
    actor_id: int | None,
    occurred_at: datetime,
    payload_json: str,
) -> str:
    """SHA-256 over the predecessor's hash and every field of the event."""
    material = "|".join(
        (
            prev_hash,
            chain,
            str(seq),
            kind,
            "" if client_id is None else str(client_id),
            "" if project_id is None else str(project_id),
            "" if company_id is None else str(company_id),
            "" if actor_id is None else str(actor_id),
            canonical_time(occurred_at),
            payload_json,
        )
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()
