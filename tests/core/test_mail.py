"""E-mail leaves through the outbox to a real SMTP server (aiosmtpd on a local port)."""

from __future__ import annotations

import socket

import pytest
from aiosmtpd.controller import Controller
from django.db import transaction

from zbut.core import outbox
from zbut.core.mail import enqueue_email
from zbut.core.models import OutboxState


class Inbox:
    """An SMTP server's handler: keeps what it receives, refuses one address."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpServer:
    """A real SMTP server that a test can take down and bring back on the same port."""

    def __init__(self) -> None:
        self.inbox, self.port = Inbox(), _free_port()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(settings):
    server = SmtpServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield server
    server.stop()


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
