"""A hot lead reaches the client's Bitrix24, webhooks and people: once, whatever fails."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.utils import timezone

from tests.desk.conftest import approved_companies
from zbut.core import outbox
from zbut.core.models import DestinationHealth, OutboxMessage, OutboxState
from zbut.desk.queue import claim_next
from zbut.desk.services import add_note, record_outcome
from zbut.handoff.models import LeadRecipient, Transfer
from zbut.handoff.services import add_webhook, connect_bitrix24, rotate_webhook_secret
from zbut.history.models import Event, EventKind
from zbut.projects.services import open_phase


@pytest.fixture
def lead_desk(world):
    today = timezone.localdate()
    open_phase(project=world.project_a, starts_on=today, ends_on=today + timedelta(days=7))
    world.companies = approved_companies(world.project_a, 3)
    return world


def _interested(world, **lead):
    """The manager's `interested`, then one worker pass over the outbox."""
    item = claim_next(project=world.project_a, manager=world.manager)
    company = record_outcome(
        project=world.project_a, company_id=item.company_id, manager=world.manager,
        outcome="interested", note="Готові до зустрічі в четвер",
        contact_person=lead.get("person", "Іван Гнатюк"),
        lead_phone=lead.get("phone", "0501112233"),
    )  # fmt: skip
    _deliver_all()
    return company


def _deliver_all() -> list[OutboxMessage]:
    """What a worker does after the commit (on-commit callbacks do not run in these tests)."""
    return [outbox.deliver(m.pk) for m in OutboxMessage.objects.order_by("pk")]


def _message(kind: str) -> OutboxMessage:
    return OutboxMessage.objects.get(kind=kind)


def test_an_interested_outcome_creates_the_lead_in_bitrix24(lead_desk, bitrix24):
    connect_bitrix24(client=lead_desk.client_a, webhook_url=bitrix24.webhook_url)
    company = _interested(lead_desk)
    message = _message("bitrix24.transfer")
    assert message.state == OutboxState.DELIVERED  # the test backend runs tasks at once
    (lead,) = bitrix24.leads.values()
    assert lead.fields["TITLE"] == f"ТОВ {company.name}"
    assert lead.fields["NAME"] == "Іван Гнатюк"
    assert "+380501112233" in lead.values("PHONE")
    assert company.emails.first().address in lead.values("EMAIL")
    assert lead.fields["ORIGIN_ID"] == message.idempotency_key
    assert "Готові до зустрічі" in lead.fields["COMMENTS"]
    assert Transfer.objects.get(company=company).bitrix24_lead_id == lead.id
    delivered = Event.objects.filter(kind=EventKind.TRANSFER, company=company).last()
    assert delivered.payload == {"status": "delivered", "channel": "bitrix24",
                                 "lead_id": lead.id, "duplicate": False}  # fmt: skip


def test_a_lead_the_client_already_has_gets_a_timeline_comment_instead(lead_desk, bitrix24):
    from zbut.handoff.bitrix24 import Bitrix24Client, lead_fields

    with Bitrix24Client(bitrix24.webhook_url) as client:
        existing = client.add_lead(lead_fields(
            title="Старий лід", company_title="", name="", phones=["+380501112233"], emails=[],
            address="", source_description="", comments="", origin_id="crm-1"))  # fmt: skip
    connect_bitrix24(client=lead_desk.client_a, webhook_url=bitrix24.webhook_url)
    company = _interested(lead_desk)
    assert list(bitrix24.leads) == [existing]
    assert "Готові до зустрічі" in bitrix24.leads[existing].comments[0].text
    transfer = Transfer.objects.get(company=company)
    assert (transfer.bitrix24_lead_id, transfer.bitrix24_duplicate) == (existing, True)


def test_a_lead_is_created_once_even_when_the_answer_was_lost(lead_desk, bitrix24):
    connect_bitrix24(client=lead_desk.client_a, webhook_url=bitrix24.webhook_url)
    bitrix24.faults.lose_answer_after_create(1, method="crm.lead.add")
    _interested(lead_desk)
    message = _message("bitrix24.transfer")
    assert message.state == OutboxState.FAILED  # Bitrix24 created it, we never heard back
    assert len(bitrix24.leads) == 1
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert outbox.deliver(message.pk).state == OutboxState.DELIVERED
    assert len(bitrix24.leads) == 1, "the retry found the lead by ORIGIN_ID"


def test_a_worker_that_died_mid_delivery_loses_and_doubles_nothing(lead_desk, bitrix24):
    connect_bitrix24(client=lead_desk.client_a, webhook_url=bitrix24.webhook_url)
    bitrix24.faults.lose_answer_after_create(1, method="crm.lead.add")
    _interested(lead_desk)
    message = _message("bitrix24.transfer")
    # As if the worker had died right after Bitrix24 created the lead: the row stays claimed.
    OutboxMessage.objects.filter(pk=message.pk).update(
        state=OutboxState.SENDING, lease_until=timezone.now() - timedelta(seconds=1)
    )
    outbox.sweep()
    assert OutboxMessage.objects.get(pk=message.pk).state == OutboxState.DELIVERED
    assert len(bitrix24.leads) == 1


def test_throttling_and_outages_delay_the_lead_and_lose_nothing(lead_desk, bitrix24):
    connect_bitrix24(client=lead_desk.client_a, webhook_url=bitrix24.webhook_url)
    bitrix24.faults.unavailable(1)
    _interested(lead_desk)
    message = _message("bitrix24.transfer")
    assert message.state == OutboxState.FAILED
    assert "503" in message.last_error or "QUERY_LIMIT" in message.last_error or message.last_error
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert outbox.deliver(message.pk).state == OutboxState.DELIVERED
    assert len(bitrix24.leads) == 1


def test_an_invalid_webhook_is_a_dead_message_with_the_bitrix24_error(lead_desk, bitrix24):
    connect_bitrix24(client=lead_desk.client_a, webhook_url=bitrix24.webhook_url_with("wrong"))
    company = _interested(lead_desk)
    message = _message("bitrix24.transfer")
    assert message.state == OutboxState.DEAD
    assert "INVALID_CREDENTIALS" in message.last_error
    assert "wrong" not in message.last_error
    dead = Event.objects.filter(kind=EventKind.TRANSFER, company=company).last()
    assert dead.payload["status"] == "dead"
    assert not bitrix24.leads


def test_later_notes_on_a_transferred_company_go_to_its_lead(lead_desk, bitrix24):
    connect_bitrix24(client=lead_desk.client_a, webhook_url=bitrix24.webhook_url)
    company = _interested(lead_desk)
    add_note(project=lead_desk.project_a, company_id=company.pk, manager=lead_desk.manager,
             text="Зустріч перенесли на п'ятницю")  # fmt: skip
    _deliver_all()
    (lead,) = bitrix24.leads.values()
    assert lead.comments[-1].text == "Зустріч перенесли на п'ятницю"


def test_the_clients_people_get_an_email_with_the_lead(lead_desk):
    LeadRecipient.objects.create(client=lead_desk.client_a, email="sales@alfa.ua")
    company = _interested(lead_desk)
    (sent,) = mail.outbox
    assert sent.to == ["sales@alfa.ua"]
    assert company.name in sent.subject
    assert "Іван Гнатюк" in sent.body and "+380501112233" in sent.body
    delivered = Event.objects.filter(kind=EventKind.TRANSFER, company=company).last()
    assert delivered.payload == {"status": "delivered", "channel": "email"}


class _Receiver(BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], bytes]] = []
    status = 200

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers), body))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args) -> None:
        return


@pytest.fixture
def receiver():
    _Receiver.received, _Receiver.status = [], 200
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, _Receiver
    server.shutdown()


def _verify(header: str, body: bytes, secret: str) -> bool:
    parts = dict(p.split("=", 1) for p in header.split(",") if p.startswith("t="))
    signed = f"{parts['t']}.".encode() + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return any(p == f"v1={expected}" for p in header.split(","))


def test_webhooks_receive_each_transfer_signed_with_hmac_sha256(lead_desk, receiver):
    server, handler = receiver
    _endpoint, secret = add_webhook(client=lead_desk.client_a,
                                   url=f"http://127.0.0.1:{server.server_port}/hook")  # fmt: skip
    company = _interested(lead_desk)
    (headers, body) = handler.received[0]
    assert _verify(headers["Zbut-Signature"], body, secret)
    assert not _verify(headers["Zbut-Signature"], body + b" ", secret)
    data = json.loads(body)
    assert data["event"] == "lead.transferred"
    assert data["company"]["name"] == company.name
    assert data["lead"]["phone"] == "+380501112233"
    assert headers["Idempotency-Key"] == data["id"]


def test_after_rotation_both_secrets_sign_until_the_next_rotation(lead_desk, receiver):
    server, handler = receiver
    endpoint, old = add_webhook(client=lead_desk.client_a,
                                url=f"http://127.0.0.1:{server.server_port}/hook")  # fmt: skip
    new = rotate_webhook_secret(endpoint=endpoint)
    _interested(lead_desk)
    (headers, body) = handler.received[0]
    assert _verify(headers["Zbut-Signature"], body, new)
    assert _verify(headers["Zbut-Signature"], body, old)


def test_a_webhook_that_answers_500_is_retried_and_one_that_answers_410_is_dead(
    lead_desk, receiver
):
    server, handler = receiver
    add_webhook(client=lead_desk.client_a, url=f"http://127.0.0.1:{server.server_port}/hook")
    handler.status = 500
    _interested(lead_desk)
    message = _message("webhook.transfer")
    assert message.state == OutboxState.FAILED
    handler.status = 410
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert outbox.deliver(message.pk).state == OutboxState.DEAD


def test_a_webhook_must_be_https_unless_it_is_on_this_machine(world):
    from zbut.core.errors import ZbutError

    with pytest.raises(ZbutError):
        add_webhook(client=world.client_a, url="http://crm.example.ua/hook")


def test_the_webhook_url_of_bitrix24_is_encrypted_at_rest(world, bitrix24):
    connection = connect_bitrix24(client=world.client_a, webhook_url=bitrix24.webhook_url)
    assert bitrix24.webhook_url.split("/")[-2] not in connection.webhook_url_encrypted
    assert connection.webhook_url.rstrip("/") == bitrix24.webhook_url.rstrip("/")
    assert "***" in connection.portal


def test_a_backlog_after_an_outage_goes_to_bitrix24_in_batches(lead_desk, bitrix24):
    approved_companies(lead_desk.project_a, 52, start=10)
    connect_bitrix24(client=lead_desk.client_a, webhook_url=bitrix24.webhook_url)
    bitrix24.faults.unavailable(1000)
    for i in range(55):
        _interested(lead_desk, phone=f"050 111 {i:04d}")
    assert not bitrix24.leads
    bitrix24.faults.clear()
    OutboxMessage.objects.filter(kind="bitrix24.transfer").update(next_attempt_at=timezone.now())
    # The outage spent the destination's rate tokens on failed tries: refill as time would.
    DestinationHealth.objects.update(tokens=10)
    before = len(bitrix24.requests)
    first = OutboxMessage.objects.filter(kind="bitrix24.transfer").order_by("pk").first()
    outbox.deliver(first.pk)
    assert len(bitrix24.leads) == 50, "one backlog call carries 50 transfers"
    assert len(bitrix24.requests) - before == 2, "a look-up batch and a write batch"
    DestinationHealth.objects.update(tokens=10)
    OutboxMessage.objects.exclude(state=OutboxState.DELIVERED).update(
        next_attempt_at=timezone.now()
    )
    _deliver_all()
    assert len(bitrix24.leads) == 55
    origins = {lead.fields["ORIGIN_ID"] for lead in bitrix24.leads.values()}
    assert len(origins) == 55
    delivered = Event.objects.filter(kind=EventKind.TRANSFER, payload__status="delivered")
    assert sorted(delivered.values_list("company_id", flat=True)) == sorted(
        Transfer.objects.values_list("company_id", flat=True)
    ), "each company's history shows its delivery"
    assert set(
        OutboxMessage.objects.filter(kind="bitrix24.transfer").values_list("state", flat=True)
    ) == {OutboxState.DELIVERED}


def test_a_backlog_call_tells_whose_is_each_lead_its_searches_found(lead_desk, bitrix24):
    from zbut.handoff.bitrix24 import Bitrix24Client, lead_fields

    with Bitrix24Client(bitrix24.webhook_url) as client:
        existing = client.add_lead(lead_fields(
            title="Старий лід", company_title="", name="", phones=["+38 (050) 111-00-03"],
            emails=[], address="", source_description="", comments="",
            origin_id="crm-1"))  # fmt: skip
    approved_companies(lead_desk.project_a, 3, start=10)
    connect_bitrix24(client=lead_desk.client_a, webhook_url=bitrix24.webhook_url)
    bitrix24.faults.unavailable(1000)
    companies = [_interested(lead_desk, phone=f"050 111 {i:04d}") for i in range(6)]
    bitrix24.faults.clear()
    OutboxMessage.objects.filter(kind="bitrix24.transfer").update(next_attempt_at=timezone.now())
    DestinationHealth.objects.update(tokens=10, refilled_at=timezone.now())
    before = len(bitrix24.requests)
    outbox.deliver(OutboxMessage.objects.filter(kind="bitrix24.transfer").order_by("pk")[0].pk)

    # Look-ups, the found lead's numbers (whose is it?), writes: a token for each.
    assert len(bitrix24.requests) - before == 3
    assert DestinationHealth.objects.get().tokens == pytest.approx(7, abs=0.2)
    transfers = {t.company_id: t for t in Transfer.objects.all()}
    duplicate = transfers[companies[3].pk]
    assert (duplicate.bitrix24_lead_id, duplicate.bitrix24_duplicate) == (existing, True)
    assert "Готові до зустрічі" in bitrix24.leads[existing].comments[0].text
    others = [transfers[c.pk] for i, c in enumerate(companies) if i != 3]
    assert all(t.bitrix24_lead_id and not t.bitrix24_duplicate for t in others)
    assert len(bitrix24.leads) == 1 + 5


def test_the_lead_email_reaches_a_real_smtp_server(lead_desk, smtp):
    LeadRecipient.objects.create(client=lead_desk.client_a, email="director@alfa.ua")
    company = _interested(lead_desk)
    ((recipients, content),) = smtp.inbox.messages
    assert recipients == ["director@alfa.ua"]
    assert b"Subject:" in content
    assert Event.objects.filter(kind=EventKind.TRANSFER, company=company,
                                payload__channel="email").exists()  # fmt: skip
