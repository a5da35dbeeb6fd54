"""E-mail through the outbox: rendered in the cause's transaction, sent by a worker.

SMTP errors that may pass (connection dropped, timeout, 4xx) are retried; a server that refuses
every recipient or the sender for good (5xx) makes the message dead, with the error shown.
"""

from __future__ import annotations

import smtplib
from typing import Any

from django.core.mail import EmailMultiAlternatives

from zbut.core import outbox
from zbut.core.models import OutboxMessage

EMAIL_KIND = "email"
EMAIL_DESTINATION = "smtp"


def enqueue_email(
    *,
    to: list[str],
    subject: str,
    body: str,
    idempotency_key: str,
    html: str = "",
    kind: str = EMAIL_KIND,
    client_id: int | None = None,
    project_id: int | None = None,
    company_id: int | None = None,
) -> OutboxMessage:
    """Queue an e-mail inside the caller's transaction (see ``outbox.enqueue``)."""
    return outbox.enqueue(
        kind=kind,
        destination=EMAIL_DESTINATION,
        idempotency_key=idempotency_key,
        payload={"to": sorted(set(to)), "subject": subject, "body": body, "html": html},
        client_id=client_id,
        project_id=project_id,
        company_id=company_id,
    )


def deliver_email(message: OutboxMessage) -> dict[str, Any]:
    payload = message.payload
    email = EmailMultiAlternatives(
        subject=payload["subject"],
        body=payload["body"],
        to=payload["to"],
        headers={"Message-ID": f"<outbox-{message.idempotency_key}@zbut>"},
    )
    if payload.get("html"):
        email.attach_alternative(payload["html"], "text/html")
    try:
        email.send()
    except smtplib.SMTPRecipientsRefused as error:
        raise outbox.FatalDelivery(f"SMTP refused every recipient: {_codes(error)}") from error
    except smtplib.SMTPResponseException as error:
        text = f"SMTP {error.smtp_code}: {error.smtp_error!r}"
        if 500 <= error.smtp_code < 600:
            raise outbox.FatalDelivery(text) from error
        raise outbox.RetryableDelivery(text) from error
    except (TimeoutError, smtplib.SMTPException, OSError) as error:
        raise outbox.RetryableDelivery(f"SMTP unavailable: {type(error).__name__}") from error
    return {"recipients": len(payload["to"])}


def _codes(error: smtplib.SMTPRecipientsRefused) -> str:
    return ", ".join(str(code) for code, _text in error.recipients.values())


outbox.register(EMAIL_KIND, outbox.Handler(deliver_email))
