"""Writes of the hand-off: transfers and what follows them, and the client's destinations.

A transfer is written in the transaction of the `interested` outcome that caused it: one
Transfer row, one history event and one outbox message per destination (Bitrix24, each webhook,
the client's people by e-mail). Workers deliver them (zbut.handoff.delivery).
"""

from __future__ import annotations

import re
import secrets as secrets_module
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from zbut.accounts.models import Client, User
from zbut.bases.models import Company
from zbut.core import outbox
from zbut.core.crypto import encrypt
from zbut.core.errors import ZbutError
from zbut.core.mail import enqueue_email
from zbut.handoff.bitrix24 import redact
from zbut.handoff.models import Bitrix24Connection, LeadRecipient, Transfer, WebhookEndpoint
from zbut.history.models import EventKind
from zbut.history.services import record_event
from zbut.projects.models import Project

BITRIX24_TRANSFER = "bitrix24.transfer"
BITRIX24_COMMENT = "bitrix24.comment"
WEBHOOK_TRANSFER = "webhook.transfer"
LEAD_EMAIL = "email.lead"  # an e-mail whose delivery the company's history shows

MSG_NOT_HTTPS = _("Адреса вебхука має починатися з https://.")
MSG_NOT_A_BITRIX24_WEBHOOK = _(
    "Це не вхідний вебхук Bitrix24: очікується https://<портал>/rest/<ID>/<ключ>/"
)


def bitrix24_destination(client_id: int) -> str:
    return f"bitrix24:{client_id}"


def request_transfer(
    *, project: Project, company: Company, actor: User | None, lead: dict[str, str], note: str
) -> Transfer:
    """Hand the lead to the client; call inside the transaction of the outcome.

    A company is transferred once; an `interested` outcome given again forwards to the lead.
    """
    existing = Transfer.objects.filter(company=company).first()
    if existing is not None:
        forward_to_lead(company=company, text=f"{_('Знову зацікавлений')}: {note}".strip())
        return existing
    transfer = Transfer.objects.create(
        client_id=project.client_id, project=project, company=company, requested_by=actor,
        lead=lead,
    )  # fmt: skip
    record_event(
        kind=EventKind.TRANSFER, project=project, company=company, actor=actor,
        payload={"status": "requested", "transfer": transfer.pk, **lead},
    )  # fmt: skip
    common = {"client_id": project.client_id, "project_id": project.pk, "company_id": company.pk}
    payload = {"transfer": transfer.pk}
    if Bitrix24Connection.objects.filter(client_id=project.client_id, enabled=True).exists():
        outbox.enqueue(
            kind=BITRIX24_TRANSFER, destination=bitrix24_destination(project.client_id),
            idempotency_key=f"zbut-transfer-{transfer.pk}", payload=payload, **common,
        )  # fmt: skip
    for endpoint in WebhookEndpoint.objects.filter(client_id=project.client_id, active=True):
        outbox.enqueue(
            kind=WEBHOOK_TRANSFER, destination=f"webhook:{endpoint.pk}",
            idempotency_key=f"zbut-transfer-{transfer.pk}-webhook-{endpoint.pk}",
            payload={**payload, "endpoint": endpoint.pk}, **common,
        )  # fmt: skip
    recipients = list(
        LeadRecipient.objects.filter(client_id=project.client_id).values_list("email", flat=True)
    )
    if recipients:
        subject, body = _lead_email(transfer, note)
        enqueue_email(to=recipients, subject=subject, body=body, kind=LEAD_EMAIL,
                      idempotency_key=f"zbut-transfer-{transfer.pk}-email", **common)  # fmt: skip
    return transfer


def forward_to_lead(*, company: Company, text: str) -> None:
    """A later event on a transferred company becomes a comment on its Bitrix24 lead."""
    transfer = Transfer.objects.filter(company=company).first()
    if transfer is None or not text.strip():
        return
    if not Bitrix24Connection.objects.filter(client_id=company.client_id, enabled=True).exists():
        return
    outbox.enqueue(
        kind=BITRIX24_COMMENT, destination=bitrix24_destination(company.client_id),
        idempotency_key=f"zbut-comment-{transfer.pk}-{secrets_module.token_hex(8)}",
        payload={"transfer": transfer.pk, "text": text[:5000]},
        client_id=company.client_id, project_id=transfer.project_id, company_id=company.pk,
    )  # fmt: skip


@transaction.atomic(durable=True)
def connect_bitrix24(
    *, client: Client, webhook_url: str, assigned_by_id: int | None = None,
    extra_fields: dict[str, Any] | None = None,
) -> Bitrix24Connection:  # fmt: skip
    """Store the client's inbound webhook, encrypted; replacing it keeps one connection."""
    webhook_url = webhook_url.strip()
    if not webhook_url.startswith("https://") and not _is_local(webhook_url):
        raise ZbutError("not_https", str(MSG_NOT_HTTPS))
    if "/rest/" not in webhook_url:
        raise ZbutError("not_bitrix24_webhook", str(MSG_NOT_A_BITRIX24_WEBHOOK))
    connection, _created = Bitrix24Connection.objects.update_or_create(
        client=client,
        defaults={
            "webhook_url_encrypted": encrypt(webhook_url.rstrip("/") + "/"),
            "portal": redact(webhook_url),
            "assigned_by_id": assigned_by_id,
            "extra_fields": extra_fields or {},
            "enabled": True,
        },
    )
    return connection


@transaction.atomic(durable=True)
def add_webhook(*, client: Client, url: str) -> tuple[WebhookEndpoint, str]:
    """A new endpoint with a fresh secret, shown once to the person who adds it."""
    if not url.startswith("https://") and not _is_local(url):
        raise ZbutError("not_https", str(MSG_NOT_HTTPS))
    secret = "whsec_" + secrets_module.token_urlsafe(32)
    endpoint = WebhookEndpoint(client=client, url=url)
    endpoint.set_secret(secret)
    endpoint.save()
    return endpoint, secret


@transaction.atomic(durable=True)
def rotate_webhook_secret(*, endpoint: WebhookEndpoint) -> str:
    """A new secret; deliveries are signed with the new and the previous one until the next
    rotation, so the client can switch its check without losing a delivery."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    secret = "whsec_" + secrets_module.token_urlsafe(32)
    endpoint.previous_secret_encrypted = endpoint.secret_encrypted
    endpoint.set_secret(secret)
    endpoint.rotated_at = timezone.now()
    endpoint.save()
    return secret


def _is_local(url: str) -> bool:
    """Plain HTTP only to this machine (tests, a local relay); never across a network."""
    return url.startswith(("http://127.0.0.1", "http://localhost", "http://[::1]"))


def _lead_email(transfer: Transfer, note: str) -> tuple[str, str]:
    company = transfer.company
    context = {"transfer": transfer, "company": company, "note": note,
               "phones": list(company.phones.filter(is_bad=False).values_list("e164", flat=True)),
               "emails": list(company.emails.values_list("address", flat=True))}  # fmt: skip
    with translation.override("uk"):
        subject = " ".join(render_to_string("handoff/lead_email_subject.txt", context).split())
        body = render_to_string("handoff/lead_email.txt", context)
    return subject, body


# The client's destinations, as the coordinator sets them up (zbut.handoff.views).

MSG_NOT_CONNECTED = _("У клієнта ще немає підключення Bitrix24: вкажіть адресу вхідного вебхука.")
MSG_EXTRA_NOT_OBJECT = _('Додаткові поля — це JSON-об\'єкт, напр. {"UF_CRM_AGENCY": "Zbut"}.')
MSG_EXTRA_BAD_NAME = _("Поле «%(name)s» не схоже на поле ліда Bitrix24 (великі латинські літери, "
                       "цифри, _).")  # fmt: skip
MSG_EXTRA_RESERVED = _("Поле «%(name)s» заповнює Zbut: без нього лід не знайдеться при повторі.")
MSG_EXTRA_BAD_VALUE = _("Значення поля «%(name)s» має бути рядком, числом або списком рядків.")
MSG_BAD_EMAIL = _("Це не схоже на адресу e-mail.")
MSG_RECIPIENT_EXISTS = _("Цей отримувач уже є.")

_FIELD_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
# ORIGINATOR_ID/ORIGIN_ID carry the idempotency key that makes a retried transfer find its lead.
RESERVED_LEAD_FIELDS = frozenset({"ORIGINATOR_ID", "ORIGIN_ID"})


def check_extra_fields(value: object) -> dict[str, Any]:
    """The extra crm.lead.add fields, if they are a flat object of lead fields; ZbutError if not.

    Pure: the form calls it on the parsed JSON, the service again on what it stores.
    """
    if not isinstance(value, dict):
        raise ZbutError("extra_fields_not_object", str(MSG_EXTRA_NOT_OBJECT))
    for name, item in value.items():
        if not _FIELD_NAME.match(name):
            raise ZbutError("extra_field_name", str(MSG_EXTRA_BAD_NAME) % {"name": name})
        if name in RESERVED_LEAD_FIELDS:
            raise ZbutError("extra_field_reserved", str(MSG_EXTRA_RESERVED) % {"name": name})
        scalar = (str, int, float)
        if isinstance(item, bool) or not (
            isinstance(item, scalar) or (isinstance(item, list) and all(
                isinstance(i, scalar) and not isinstance(i, bool) for i in item))
        ):  # fmt: skip
            raise ZbutError("extra_field_value", str(MSG_EXTRA_BAD_VALUE) % {"name": name})
    return value


@transaction.atomic(durable=True)
def update_bitrix24_settings(
    *, client: Client, assigned_by_id: int | None, extra_fields: dict[str, Any]
) -> Bitrix24Connection:
    """Change how leads are filled in, keeping the stored webhook URL (it is never shown)."""
    connection = Bitrix24Connection.objects.select_for_update().filter(client=client).first()
    if connection is None:
        raise ZbutError("bitrix24_not_connected", str(MSG_NOT_CONNECTED))
    connection.assigned_by_id = assigned_by_id
    connection.extra_fields = check_extra_fields(extra_fields)
    connection.save(update_fields=["assigned_by_id", "extra_fields"])
    return connection


@transaction.atomic(durable=True)
def deactivate_webhook(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """No new transfers go to the endpoint; messages already queued for it are still delivered."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(active=False)
    endpoint.active = False
    return endpoint


@transaction.atomic(durable=True)
def add_lead_recipient(*, client: Client, email: str, name: str = "") -> LeadRecipient:
    """A person of the client who gets every hot lead by e-mail."""
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ZbutError("bad_email", str(MSG_BAD_EMAIL)) from None
    if LeadRecipient.objects.filter(client=client, email=email).exists():
        raise ZbutError("recipient_exists", str(MSG_RECIPIENT_EXISTS))
    return LeadRecipient.objects.create(client=client, email=email, name=name.strip()[:200])


@transaction.atomic(durable=True)
def remove_lead_recipient(*, recipient: LeadRecipient) -> None:
    LeadRecipient.objects.filter(pk=recipient.pk).delete()
