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
from zbut.bases.models import CompanyEmail, CompanyPhone
from zbut.core import outbox
from zbut.core.mail import deliver_email
from zbut.core.models import OutboxMessage, OutboxState
from zbut.handoff.bitrix24 import (
    MAX_BATCH_COMMANDS,
    MAX_COMM_VALUES,
    ORIGINATOR_ID,
    Bitrix24Client,
    Bitrix24Error,
    Bitrix24Fatal,
    Bitrix24Retryable,
    lead_fields,
)
from zbut.handoff.models import Bitrix24Connection, Transfer, WebhookEndpoint
from zbut.history.models import Event, EventKind
from zbut.history.services import NewEvent, record_events
from zbut.projects.models import Project

SIGNATURE_HEADER = "Zbut-Signature"
WEBHOOK_TIMEOUT = 10.0
# Bitrix24 allows about 2 requests a second per portal with a burst of 50 (limits.md); stay under.
BITRIX24_RATE, BITRIX24_BURST = 1.5, 40
# Fifty transfers a call, one write each in the writes' batch: their look-ups share commands.
TRANSFERS_PER_BATCH = MAX_BATCH_COMMANDS
# A transfer's numbers and addresses searched for a lead the client already has: a company's
# switchboard and its people, and few enough that fifty transfers' searches, twenty values a
# command, fit one batch with the look-up of their keys (1 + 20 + 10 commands).
SEARCHED_PHONES, SEARCHED_EMAILS = 8, 4


def deliver_transfers_to_bitrix24(messages: list[OutboxMessage]) -> dict[int, Any]:
    """A backlog of transfers in two batch calls: look the leads up, then add what is missing.

    The look-ups are shared by all the transfers of the call: one crm.lead.list of the leads
    already carrying their keys (ORIGIN_ID), and crm.duplicate.findbycomm over all their
    phones and e-mails. A transfer per command would take three of a batch's fifty commands,
    sixteen transfers a call, and a backlog of 1 000 would need 126 requests of a portal that
    allows 2 a second. findbycomm does not say which value found a lead: when it finds any, a
    third call reads their phones and e-mails to tell whose they are (and spends a token more
    of the rate limit). The second call adds the new leads and comments on the existing ones.
    A look-up that fails fails the call's transfers alike; a write's error stays its own.
    """
    outcomes: dict[int, Any] = {}
    connection = Bitrix24Connection.objects.get(client_id=messages[0].client_id)
    plans = _TransferPlan.all_of(messages, connection)
    with _bitrix24(connection) as client:
        found = client.batch(_lookups(list(plans.values())))
        if found.errors:
            error = _as_delivery_error(next(iter(found.errors.values())))
            return dict.fromkeys(plans, error)
        by_key: dict[str, int] = {}
        for lead in sorted(found.results.get("keys") or [], key=lambda lead: int(lead["ID"])):
            by_key.setdefault(str(lead.get("ORIGIN_ID")), int(lead["ID"]))
        searched = sorted(_found_lead_ids(found.results))
        contacts = _lead_contacts(client, searched, messages[0].destination) if searched else {}
        writes: dict[str, tuple[str, dict[str, Any]]] = {}
        for pk, plan in plans.items():
            if (lead_id := by_key.get(plan.key)) is not None:
                outcomes[pk] = plan.done(lead_id, duplicate=False)
            elif duplicates := plan.duplicates_in(contacts):
                plan.duplicate_of = duplicates[0]
                writes[f"w{pk}"] = ("crm.timeline.comment.add", {"fields": {
                    "ENTITY_ID": duplicates[0], "ENTITY_TYPE": "lead",
                    "COMMENT": f"Zbut: {plan.comments}"}})  # fmt: skip
            else:
                writes[f"w{pk}"] = ("crm.lead.add", {
                    "fields": {**plan.fields, **connection.extra_fields},
                    "params": {"REGISTER_SONET_EVENT": "Y"}})  # fmt: skip
        if writes:
            written = client.batch(writes)
            for key, error in written.errors.items():
                outcomes[int(key[1:])] = _as_delivery_error(error)
            for key, value in written.results.items():
                plan = plans[int(key[1:])]
                lead_id = plan.duplicate_of or int(value)
                outcomes[int(key[1:])] = plan.done(lead_id, duplicate=bool(plan.duplicate_of))
    done = [plans[pk].transfer for pk, outcome in outcomes.items() if isinstance(outcome, dict)]
    Transfer.objects.bulk_update(done, ["bitrix24_lead_id", "bitrix24_duplicate"])
    return outcomes


def _lookups(plans: list[_TransferPlan]) -> dict[str, tuple[str, dict[str, Any]]]:
    """The look-up batch of a call's transfers: their keys' leads, then the searches."""
    commands: dict[str, tuple[str, dict[str, Any]]] = {
        "keys": ("crm.lead.list", {
            "filter": {"=ORIGINATOR_ID": ORIGINATOR_ID, "@ORIGIN_ID": [p.key for p in plans]},
            "select": ["ID", "ORIGIN_ID"], "order": {"ID": "ASC"}}),
    }  # fmt: skip
    searched = (
        ("PHONE", _unique([v for p in plans for v in p.phones[:SEARCHED_PHONES]])),
        ("EMAIL", _unique([v for p in plans for v in p.emails[:SEARCHED_EMAILS]])),
    )
    for kind, values in searched:
        for n, start in enumerate(range(0, len(values), MAX_COMM_VALUES)):
            commands[f"{kind[0].lower()}{n}"] = ("crm.duplicate.findbycomm", {
                "entity_type": "LEAD", "type": kind,
                "values": values[start : start + MAX_COMM_VALUES]})  # fmt: skip
    return commands


def _found_lead_ids(results: dict[str, Any]) -> set[int]:
    found: set[int] = set()
    for key, answer in results.items():
        if key != "keys" and isinstance(answer, dict):  # PHP answers `[]` for no match
            found.update(int(lead_id) for lead_id in answer.get("LEAD", []))
    return found


def _lead_contacts(
    client: Bitrix24Client, lead_ids: list[int], destination: str
) -> dict[int, tuple[set[str], set[str]]]:
    """The phones (``phone_key``) and e-mails (lower case) of the leads found by searching."""
    outbox.spend_tokens(destination, 1)
    commands = {
        f"l{n}": (
            "crm.lead.list",
            {
                "filter": {"@ID": lead_ids[start : start + MAX_BATCH_COMMANDS]},
                "select": ["ID", "PHONE", "EMAIL"],
            },
        )
        for n, start in enumerate(range(0, len(lead_ids), MAX_BATCH_COMMANDS))
    }
    answer = client.batch(commands)
    if answer.errors:
        raise next(iter(answer.errors.values()))
    contacts: dict[int, tuple[set[str], set[str]]] = {}
    for leads in answer.results.values():
        for lead in leads or []:
            contacts[int(lead["ID"])] = (
                {phone_key(item.get("VALUE", "")) for item in lead.get("PHONE") or []},
                {str(item.get("VALUE", "")).lower() for item in lead.get("EMAIL") or []},
            )
    return contacts


def phone_key(phone: str) -> str:
    """A number as two spellings of it agree: its last nine digits (the subscriber's, after
    +380 or 0), so that a lead's "050 111 22 33" is our "+380501112233"."""
    digits = "".join(c for c in phone.split(";")[0].split(",")[0] if c.isdigit())
    return digits[-9:]


class _TransferPlan:
    """What one transfer sends: the lead's fields, its contacts and the client history."""

    def __init__(
        self,
        message: OutboxMessage,
        transfer: Transfer,
        connection: Bitrix24Connection,
        contacts: tuple[list[str], list[str]],
        history: list[Event],
    ) -> None:
        company = transfer.company
        phones, emails = contacts
        self.transfer = transfer
        self.key = message.idempotency_key
        self.phones = _unique([transfer.lead.get("phone", ""), *phones])
        self.emails = _unique([transfer.lead.get("email", ""), *emails])
        self.comments = _client_history(transfer, history)
        title = f"{company.legal_form} {company.name}".strip()
        self.fields = lead_fields(
            title=title, company_title=title, name=transfer.lead.get("contact_person", ""),
            phones=self.phones, emails=self.emails, address=company.address,
            source_description=f"Zbut · {transfer.project.name}", comments=self.comments,
            origin_id=self.key, assigned_by_id=connection.assigned_by_id,
        )  # fmt: skip
        self.duplicate_of: int | None = None

    @classmethod
    def all_of(
        cls, messages: list[OutboxMessage], connection: Bitrix24Connection
    ) -> dict[int, _TransferPlan]:
        """The plans of a call's transfers (``connection``'s client's), by message id: a few
        queries for them all, not five for each."""
        transfers = Transfer.objects.select_related("company", "project", "requested_by").in_bulk(
            [m.payload["transfer"] for m in messages]
        )
        company_ids = [t.company_id for t in transfers.values()]
        contacts: dict[int, tuple[list[str], list[str]]] = {pk: ([], []) for pk in company_ids}
        phones = CompanyPhone.objects.filter(company_id__in=company_ids, is_bad=False)
        for company_id, e164 in phones.order_by("pk").values_list("company_id", "e164"):
            contacts[company_id][0].append(e164)
        emails = CompanyEmail.objects.filter(company_id__in=company_ids).order_by("pk")
        for company_id, address in emails.values_list("company_id", "address"):
            contacts[company_id][1].append(address)
        histories = _client_history_events(company_ids)
        plans = {}
        for message in messages:
            transfer = transfers[message.payload["transfer"]]
            company_id = transfer.company_id
            plans[message.pk] = cls(
                message, transfer, connection, contacts[company_id], histories[company_id]
            )
        return plans

    def duplicates_in(self, contacts: dict[int, tuple[set[str], set[str]]]) -> list[int]:
        """The leads, lowest id first, that share a searched phone or e-mail of this transfer."""
        phones = {phone_key(p) for p in self.phones[:SEARCHED_PHONES]} - {""}
        emails = {e.lower() for e in self.emails[:SEARCHED_EMAILS]}
        return sorted(
            lead_id
            for lead_id, (their_phones, their_emails) in contacts.items()
            if phones & their_phones or emails & their_emails
        )

    def done(self, lead_id: int, *, duplicate: bool) -> dict[str, Any]:
        """The transfer's lead; the call writes its transfers' leads at once, at its end."""
        self.transfer.bitrix24_lead_id, self.transfer.bitrix24_duplicate = lead_id, duplicate
        return {"lead_id": lead_id, "duplicate": duplicate}


def deliver_comments_to_bitrix24(messages: list[OutboxMessage]) -> dict[int, Any]:
    """Later events on transferred companies, up to 50 timeline comments in one batch call."""
    outcomes: dict[int, Any] = {}
    transfers = Transfer.objects.in_bulk([m.payload["transfer"] for m in messages])
    commands: dict[str, tuple[str, dict[str, Any]]] = {}
    for message in messages:
        lead_id = transfers[message.payload["transfer"]].bitrix24_lead_id
        if lead_id is None:
            outcomes[message.pk] = outbox.RetryableDelivery("the lead is not in Bitrix24 yet")
            continue
        commands[f"c{message.pk}"] = ("crm.timeline.comment.add", {"fields": {
            "ENTITY_ID": lead_id, "ENTITY_TYPE": "lead",
            "COMMENT": message.payload["text"]}})  # fmt: skip
    if not commands:
        return outcomes
    connection = Bitrix24Connection.objects.get(client_id=messages[0].client_id)
    with _bitrix24(connection) as client:
        result = client.batch(commands)
    for key, error in result.errors.items():
        outcomes[int(key[1:])] = _as_delivery_error(error)
    for key, comment_id in result.results.items():
        outcomes[int(key[1:])] = {"comment_id": int(comment_id)}
    return outcomes


def _as_delivery_error(error: Bitrix24Error) -> Exception:
    if isinstance(error, Bitrix24Retryable):
        return outbox.RetryableDelivery(str(error))
    return outbox.FatalDelivery(str(error))


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


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
    record_deliveries([message])


def record_deliveries(messages: list[OutboxMessage]) -> None:
    """``record_delivery`` of a backlog call's messages: one append to each project's chain
    (every append locks the chain, which the managers of the project write to as well)."""
    by_project: dict[int, list[OutboxMessage]] = {}
    for message in messages:
        if message.company_id is not None and message.project_id is not None:
            by_project.setdefault(message.project_id, []).append(message)
    projects = Project.objects.in_bulk(list(by_project))
    with transaction.atomic():
        for project_id, delivered in by_project.items():
            record_events(
                project=projects[project_id],
                drafts=[
                    NewEvent(
                        kind=EventKind.TRANSFER,
                        company_id=m.company_id,
                        payload=_delivery_payload(m),
                    )
                    for m in delivered
                ],
                returning=False,
            )


def _delivery_payload(message: OutboxMessage) -> dict[str, Any]:
    payload: dict[str, Any] = {"status": message.state, "channel": message.kind.split(".")[0]}
    if message.state == OutboxState.DEAD:
        payload["error"] = message.last_error[:500]
    if "lead_id" in message.result:
        payload["lead_id"] = message.result["lead_id"]
        payload["duplicate"] = message.result.get("duplicate", False)
    return payload


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


def _client_history_events(company_ids: list[int]) -> dict[int, list[Event]]:
    """The events of the client history of each company, oldest first."""
    events = (
        Event.objects.filter(company_id__in=company_ids, kind__in=CLIENT_HISTORY_KINDS)
        .exclude(kind=EventKind.TRANSFER)
        .select_related("actor")
        .order_by("company_id", "occurred_at", "seq")
    )
    history: dict[int, list[Event]] = {pk: [] for pk in company_ids}
    for event in events:
        history[event.company_id].append(event)
    return history


def _client_history(transfer: Transfer, events: list[Event]) -> str:
    lines = [
        history_line(occurred_at=e.occurred_at, actor_name=e.actor.get_full_name() if e.actor
                     else "", kind=e.kind, payload=e.payload)
        for e in events
    ]  # fmt: skip
    manager = transfer.requested_by.get_full_name() if transfer.requested_by else ""
    lines.append(f"Передав: {manager} · {timezone.localtime(transfer.requested_at):%Y-%m-%d %H:%M}")
    return "\n".join(lines)


def _one(deliver_many: Any) -> Any:
    """The single-message form of a backlog handler."""

    def deliver(message: OutboxMessage) -> dict[str, Any]:
        outcome = deliver_many([message]).get(message.pk)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome or {}

    return deliver


def register_handlers() -> None:
    outbox.register(
        "bitrix24.transfer",
        outbox.Handler(
            _one(deliver_transfers_to_bitrix24),
            BITRIX24_RATE,
            BITRIX24_BURST,
            on_finish=record_delivery,
            on_finish_many=record_deliveries,
            deliver_many=deliver_transfers_to_bitrix24,
            batch_size=TRANSFERS_PER_BATCH,
            requests_per_call=2,  # the look-ups' batch, then the writes'
        ),
    )
    outbox.register(
        "bitrix24.comment",
        outbox.Handler(
            _one(deliver_comments_to_bitrix24),
            BITRIX24_RATE,
            BITRIX24_BURST,
            deliver_many=deliver_comments_to_bitrix24,
            batch_size=MAX_BATCH_COMMANDS,
        ),
    )
    outbox.register("webhook.transfer", outbox.Handler(deliver_webhook, on_finish=record_delivery))
    outbox.register("email.lead", outbox.Handler(deliver_email, on_finish=record_delivery))
