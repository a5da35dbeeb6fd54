"""E-mail leaves through the outbox to a real SMTP server (aiosmtpd on a local port)."""

from __future__ import annotations

from django.db import transaction

from zbut.core import outbox
from zbut.core.mail import enqueue_email
from zbut.core.models import OutboxState


def _queue(to: list[str]):
    with transaction.atomic():
        return enqueue_email(to=to, subject="Новий лід: ТОВ «Агро»", body="Деталі ліда",
                             idempotency_key=f"mail-{'-'.join(to)}")  # fmt: skip


def test_an_email_is_delivered_to_the_smtp_server(db, smtp):
    message = outbox.deliver(_queue(["sales@client.ua"]).pk)
    assert message.state == OutboxState.DELIVERED
    (recipients, content) = smtp.inbox.messages[0]
    assert recipients == ["sales@client.ua"]
    assert "Деталі ліда".encode() in content or b"=D0=94" in content or b"base64" in content


def test_a_refused_recipient_is_a_dead_message_with_the_smtp_error(db, smtp):
    message = outbox.deliver(_queue(["nobody@client.ua"]).pk)
    assert message.state == OutboxState.DEAD
    assert "550" in message.last_error


def test_an_smtp_server_that_is_down_delays_the_mail_and_loses_nothing(db, smtp):
    smtp.stop()
    message = outbox.deliver(_queue(["sales@client.ua"]).pk)
    assert message.state == OutboxState.FAILED
    assert "SMTP unavailable" in message.last_error
    smtp.start()
    type(message).objects.filter(pk=message.pk).update(next_attempt_at=message.created_at)
    assert outbox.deliver(message.pk).state == OutboxState.DELIVERED
    assert len(smtp.inbox.messages) == 1
