"""Delivering transfers: the outbox handlers for Bitrix24 and the client's webhooks.

Exactly once as the client sees it: before creating a lead we look it up by the idempotency
key it carries in ORIGIN_ID, so a worker that died after Bitrix24 created the lead (or whose
answer was lost) finds that lead instead of creating a second one. When the client already has
the company as a lead (crm.duplicate.findbycomm on its phones and e-mails), the transfer becomes
a timeline comment on that lead.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import httpx
from django.db import transaction
from django.utils import timezone

from zbut.bases.history_lines import CLIENT_HISTORY_KINDS, history_line
from zbut.core import outbox
from zbut.core.models import OutboxMessage, OutboxState
from zbut.handoff.bitrix24 import Bitrix24Client, Bitrix24Fatal, Bitrix24Retryable, lead_fields
from zbut.handoff.models import Bitrix24Connection, Transfer, WebhookEndpoint
from zbut.history.models import Event, EventKind
from zbut.history.services import record_event

SIGNATURE_HEADER = "Zbut-Signature"
WEBHOOK_TIMEOUT = 10.0
# Bitrix24 allows about 2 requests a second per portal with a burst of 50 (limits.md); stay under.
BITRIX24_RATE, BITRIX24_BURST = 1.5, 40


def deliver_transfer_to_bitrix24(message: OutboxMessage) -> dict[str, Any]:
    transfer = Transfer.objects.select_related("company", "project", "requested_by").get(
        pk=message.payload["transfer"]
    )
    connection = Bitrix24Connection.objects.get(client_id=transfer.client_id)
    company = transfer.company
    phones = list(company.phones.filter(is_bad=False).values_list("e164", flat=True))
    emails = list(company.emails.values_list("address", flat=True))
    comments = _client_history(transfer)
    with _bitrix24(connection) as client:
        lead_id = client.find_lead_by_origin(message.idempotency_key)
        duplicate = False
        if lead_id is None:
            found = client.find_duplicate_leads(phones, emails)
            if found:
                lead_id, duplicate = found[0], True
                client.add_timeline_comment(lead_id, f"Zbut: {comments}")
            else:
                fields = lead_fields(
                    title=f"{company.legal_form} {company.name}".strip(),
                    company_title=f"{company.legal_form} {company.name}".strip(),
                    name=transfer.lead.get("contact_person", ""),
                    phones=[transfer.lead.get("phone", ""), *phones],
                    emails=[transfer.lead.get("email", ""), *emails],
                    address=company.address,
                    source_description=f"Zbut · {transfer.project.name}",
                    comments=comments,
                    origin_id=message.idempotency_key,
                    assigned_by_id=connection.assigned_by_id,
                )
                lead_id = client.add_lead({**fields, **connection.extra_fields})
    Transfer.objects.filter(pk=transfer.pk).update(
        bitrix24_lead_id=lead_id, bitrix24_duplicate=duplicate
    )
    return {"lead_id": lead_id, "duplicate": duplicate}


def deliver_comment_to_bitrix24(message: OutboxMessage) -> dict[str, Any]:
    transfer = Transfer.objects.get(pk=message.payload["transfer"])
    if transfer.bitrix24_lead_id is None:
        raise outbox.RetryableDelivery("the lead is not in Bitrix24 yet")
    connection = Bitrix24Connection.objects.get(client_id=transfer.client_id)
    with _bitrix24(connection) as client:
        comment_id = client.add_timeline_comment(transfer.bitrix24_lead_id, message.payload["text"])
    return {"lead_id": transfer.bitrix24_lead_id, "comment_id": comment_id}


def deliver_webhook(message: OutboxMessage) -> dict[str, Any]:
    endpoint = WebhookEndpoint.objects.get(pk=message.payload["endpoint"])
    transfer = Transfer.objects.select_related("company", "project").get(
        pk=message.payload["transfer"]
    )
    body = json.dumps(webhook_body(transfer, message), ensure_ascii=False).encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: signature_header(endpoint.secrets, timestamp, body),
        "Idempotency-Key": message.idempotency_key,
    }
    try:
        response = httpx.post(endpoint.url, content=body, headers=headers,
                              timeout=WEBHOOK_TIMEOUT)  # fmt: skip
    except httpx.HTTPError as error:
        raise outbox.RetryableDelivery(f"webhook unreachable: {type(error).__name__}") from None
    if response.is_success:
        return {"status": response.status_code}
    text = f"webhook answered HTTP {response.status_code}"
    if response.status_code >= 500 or response.status_code in (408, 425, 429):
        raise outbox.RetryableDelivery(text)
    raise outbox.FatalDelivery(text)


def signature_header(secrets: list[str], timestamp: int, body: bytes) -> str:
    """`t=<unix time>,v1=<hex HMAC-SHA256 of "t.body">` — one v1 per secret during rotation."""
    signed = f"{timestamp}.".encode() + body
    parts = [f"t={timestamp}"]
    parts += [
        "v1=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest() for secret in secrets
    ]
    return ",".join(parts)


def webhook_body(transfer: Transfer, message: OutboxMessage) -> dict[str, Any]:
    company = transfer.company
    return {
        "event": "lead.transferred",
        "id": message.idempotency_key,
        "created_at": transfer.requested_at.isoformat(),
        "project": {"slug": transfer.project.slug, "name": transfer.project.name},
        "company": {
            "name": company.name,
            "legal_form": company.legal_form,
            "edrpou": company.edrpou,
            "address": company.address,
            "region": company.region,
            "category": company.category,
            "phones": list(company.phones.filter(is_bad=False).values_list("e164", flat=True)),
            "emails": list(company.emails.values_list("address", flat=True)),
        },
        "lead": transfer.lead,
    }


def record_delivery(message: OutboxMessage) -> None:
    """The company's history shows each delivery and how it ended."""
    if message.company_id is None or message.project_id is None:
        return
    channel = message.kind.split(".")[0]
    payload: dict[str, Any] = {"status": message.state, "channel": channel}
    if message.state == OutboxState.DEAD:
        payload["error"] = message.last_error[:500]
    if "lead_id" in message.result:
        payload["lead_id"] = message.result["lead_id"]
        payload["duplicate"] = message.result.get("duplicate", False)
    with transaction.atomic():
        record_event(
            kind=EventKind.TRANSFER, project=message.project, company=message.company,
            payload=payload,
        )  # fmt: skip


def _bitrix24(connection: Bitrix24Connection) -> _Bitrix24Session:
    return _Bitrix24Session(connection)


class _Bitrix24Session:
    """A client whose errors come out as the outbox's retryable or fatal deliveries."""

    def __init__(self, connection: Bitrix24Connection) -> None:
        self.client = Bitrix24Client(connection.webhook_url)

    def __enter__(self) -> Bitrix24Client:
        return self.client

    def __exit__(self, kind: type | None, error: BaseException | None, tb: object) -> None:
        self.client.close()
        if isinstance(error, Bitrix24Retryable):
            raise outbox.RetryableDelivery(str(error)) from None
        if isinstance(error, Bitrix24Fatal):
            raise outbox.FatalDelivery(str(error)) from None


def _client_history(transfer: Transfer) -> str:
    events = (
        Event.objects.filter(company=transfer.company, kind__in=CLIENT_HISTORY_KINDS)
        .exclude(kind=EventKind.TRANSFER)
        .select_related("actor")
        .order_by("occurred_at", "seq")
    )
    lines = [
        history_line(occurred_at=e.occurred_at, actor_name=e.actor.get_full_name() if e.actor
                     else "", kind=e.kind, payload=e.payload)
        for e in events
    ]  # fmt: skip
    manager = transfer.requested_by.get_full_name() if transfer.requested_by else ""
    lines.append(f"Передав: {manager} · {timezone.localtime(transfer.requested_at):%Y-%m-%d %H:%M}")
    return "\n".join(lines)


def register_handlers() -> None:
    outbox.register(
        "bitrix24.transfer",
        outbox.Handler(
            deliver_transfer_to_bitrix24, BITRIX24_RATE, BITRIX24_BURST, on_finish=record_delivery
        ),
    )
    outbox.register(
        "bitrix24.comment",
        outbox.Handler(deliver_comment_to_bitrix24, BITRIX24_RATE, BITRIX24_BURST),
    )
    outbox.register("webhook.transfer", outbox.Handler(
        deliver_webhook, on_finish=record_delivery))  # fmt: skip
