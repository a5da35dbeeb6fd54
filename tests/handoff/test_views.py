"""The coordinator's hand-off screens: the delivery queue and a client's integrations; and the
"передано" badge the client sees on a transferred company."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from tests.conftest import World
from tests.desk.conftest import approved_companies
from zbut.accounts.models import User
from zbut.core import outbox
from zbut.core.models import DestinationHealth, OutboxMessage, OutboxState
from zbut.desk.queue import claim_next
from zbut.desk.services import record_outcome
from zbut.handoff.models import Bitrix24Connection, LeadRecipient, WebhookEndpoint
from zbut.handoff.services import add_webhook, bitrix24_destination, connect_bitrix24
from zbut.projects.services import open_phase
from zbut.reports.selectors import work_feed

pytestmark = pytest.mark.django_db

TOKEN = "emulated-webhook-token"  # the emulator's default token


def http(user: User) -> HttpClient:
    client = HttpClient()
    client.force_login(user)
    return client


@pytest.fixture
def hand(world: World) -> World:
    """world plus a webhook, a recipient and a dead message of client A."""
    world.endpoint, world.secret = add_webhook(client=world.client_a, url="https://a.example/h")
    world.recipient = LeadRecipient.objects.create(client=world.client_a, email="sales@alfa.ua")
    world.message = _dead_message(world, error="Bitrix24 INVALID_CREDENTIALS (HTTP 401): nope")
    return world


def _dead_message(world: World, *, error: str, key: str = "zbut-test-1") -> OutboxMessage:
    with transaction.atomic():
        message = outbox.enqueue(
            kind="bitrix24.transfer", destination=bitrix24_destination(world.client_a.pk),
            idempotency_key=key, payload={"transfer": 0}, client_id=world.client_a.pk,
        )  # fmt: skip
    OutboxMessage.objects.filter(pk=message.pk).update(
        state=OutboxState.DEAD, attempts=3, last_error=error
    )
    return message


def _routes(world: World) -> list[tuple[str, str]]:
    slug, endpoint, recipient = "client-a", world.endpoint.pk, world.recipient.pk
    return [
        ("get", reverse("handoff:outbox")),
        ("post", reverse("handoff:retry", args=[world.message.pk])),
        ("get", reverse("handoff:integrations", args=[slug])),
        ("post", reverse("handoff:bitrix24_save", args=[slug])),
        ("post", reverse("handoff:bitrix24_check", args=[slug])),
        ("post", reverse("handoff:webhook_add", args=[slug])),
        ("post", reverse("handoff:webhook_rotate", args=[slug, endpoint])),
        ("post", reverse("handoff:webhook_deactivate", args=[slug, endpoint])),
        ("post", reverse("handoff:recipient_add", args=[slug])),
        ("post", reverse("handoff:recipient_remove", args=[slug, recipient])),
    ]


@pytest.mark.parametrize("person", ["alice", "bob", "charlie", "manager"])
def test_every_handoff_route_is_a_404_for_clients_and_managers(hand: World, person: str) -> None:
    browser = http(getattr(hand, person))
    for method, url in _routes(hand):
        assert getattr(browser, method)(url).status_code == 404, (person, url)
    assert OutboxMessage.objects.get(pk=hand.message.pk).state == OutboxState.DEAD
    assert WebhookEndpoint.objects.get(pk=hand.endpoint.pk).active
    assert LeadRecipient.objects.filter(pk=hand.recipient.pk).exists()


def test_anonymous_visitors_are_sent_to_the_login(hand: World) -> None:
    for method, url in _routes(hand):
        response = getattr(HttpClient(), method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("person", ["admin", "coordinator"])
def test_the_agency_admin_and_coordinator_see_the_queue_and_the_integrations(
    hand: World, person: str
) -> None:
    browser = http(getattr(hand, person))
    queue = browser.get(reverse("handoff:outbox"))
    assert queue.status_code == 200
    page = queue.content.decode()
    assert "INVALID_CREDENTIALS (HTTP 401): nope" in page  # the Bitrix24 error, readable
    assert "Повторити" in page
    assert reverse("handoff:integrations", args=["client-a"]) in page
    assert browser.get(reverse("handoff:integrations", args=["client-a"])).status_code == 200
    assert browser.get(reverse("handoff:integrations", args=["nobody"])).status_code == 404
    assert reverse("handoff:outbox") in browser.get(reverse("dashboard")).content.decode()


def test_the_manager_and_clients_have_no_link_to_the_queue(hand: World) -> None:
    for person in (hand.manager, hand.alice):
        assert reverse("handoff:outbox") not in http(person).get("/").content.decode()


def test_the_queue_counts_per_client_and_destination_and_filters_the_list(hand: World) -> None:
    _dead_message(hand, error="other", key="zbut-test-2")
    with transaction.atomic():
        outbox.enqueue(kind="email", destination="smtp", idempotency_key="mail-1", payload={},
                       client_id=hand.client_b.pk)  # fmt: skip
    browser = http(hand.coordinator)
    counts = browser.get(reverse("handoff:outbox")).context["counts"]
    by_destination = {(c.client_slug, c.destination): c for c in counts}
    bitrix24 = by_destination[("client-a", bitrix24_destination(hand.client_a.pk))]
    assert (bitrix24.dead, bitrix24.queued) == (2, 0)
    assert by_destination[("client-b", "smtp")].queued == 1
    listed = browser.get(reverse("handoff:outbox"), {"client": "client-b"}).context["page"]
    assert [m.idempotency_key for m in listed] == ["mail-1"]
    listed = browser.get(reverse("handoff:outbox"), {"state": "dead"}).context["page"]
    assert {m.idempotency_key for m in listed} == {"zbut-test-1", "zbut-test-2"}


def test_the_coordinator_retries_a_dead_message_from_the_page(
    hand: World, django_capture_on_commit_callbacks
) -> None:
    url = reverse("handoff:retry", args=[hand.message.pk])
    with django_capture_on_commit_callbacks() as callbacks:
        response = http(hand.coordinator).post(url, {"query": "state=dead"})
    assert response.status_code == 302
    assert response["Location"] == reverse("handoff:outbox") + "?state=dead"
    message = OutboxMessage.objects.get(pk=hand.message.pk)
    assert (message.state, message.attempts) == (OutboxState.QUEUED, 0)
    assert len(callbacks) == 1, "handed to a worker once the retry commits"


def test_retrying_a_message_that_is_not_dead_changes_nothing(hand: World) -> None:
    OutboxMessage.objects.filter(pk=hand.message.pk).update(state=OutboxState.DELIVERED)
    response = http(hand.admin).post(reverse("handoff:retry", args=[hand.message.pk]), follow=True)
    assert "лише недоставлене" in response.content.decode()
    assert OutboxMessage.objects.get(pk=hand.message.pk).state == OutboxState.DELIVERED


def test_a_destination_failing_for_ten_minutes_shows_a_red_banner(hand: World) -> None:
    destination = bitrix24_destination(hand.client_a.pk)
    DestinationHealth.objects.create(
        destination=destination, failing_since=timezone.now() - timedelta(minutes=12),
        last_error="Bitrix24 INVALID_CREDENTIALS (HTTP 401): Invalid request credentials",
    )  # fmt: skip
    DestinationHealth.objects.create(
        destination="webhook:999", failing_since=timezone.now() - timedelta(minutes=3),
        last_error="webhook answered HTTP 503",
    )  # fmt: skip
    browser = http(hand.coordinator)
    for url in (reverse("handoff:outbox"), reverse("dashboard")):
        page = browser.get(url).content.decode()
        assert 'id="failing-destinations"' in page, url
        assert destination in page and "Invalid request credentials" in page
        assert hand.client_a.name in page.split('id="failing-destinations"')[1]
        assert (
            "webhook:999" not in page.split('id="failing-destinations"')[1].split("</section>")[0]
        )


def test_no_banner_while_every_destination_works(hand: World) -> None:
    page = http(hand.coordinator).get(reverse("dashboard")).content.decode()
    assert 'id="failing-destinations"' not in page


# Integrations


def _save_bitrix24(browser: HttpClient, **data: str) -> object:
    fields = {"webhook_url": "", "assigned_by_id": "", "extra_fields": "", **data}
    return browser.post(reverse("handoff:bitrix24_save", args=["client-a"]), fields)


def test_the_connection_form_never_echoes_the_stored_webhook_url(world: World, bitrix24) -> None:
    browser = http(world.coordinator)
    response = _save_bitrix24(browser, webhook_url=bitrix24.webhook_url, assigned_by_id="7",
                              extra_fields='{"UF_CRM_AGENCY": "Zbut"}')  # fmt: skip
    assert response.status_code == 302
    connection = Bitrix24Connection.objects.get(client=world.client_a)
    assert connection.webhook_url == bitrix24.webhook_url
    assert (connection.assigned_by_id, connection.extra_fields) == (7, {"UF_CRM_AGENCY": "Zbut"})
    page = browser.get(reverse("handoff:integrations", args=["client-a"])).content.decode()
    assert TOKEN not in page and bitrix24.webhook_url not in page
    assert "/rest/1/***/" in page
    # A rejected form does not echo the URL that was typed either.
    rejected = _save_bitrix24(browser, webhook_url=bitrix24.webhook_url, extra_fields="{oops")
    assert rejected.status_code == 400
    assert TOKEN not in rejected.content.decode()
    assert "Це не JSON" in rejected.content.decode()


def test_an_empty_url_keeps_the_stored_webhook_and_changes_the_mapping(world: World) -> None:
    url = "https://alfa.bitrix24.ua/rest/1/secret-key/"
    connect_bitrix24(client=world.client_a, webhook_url=url)
    browser = http(world.admin)
    assert _save_bitrix24(browser, assigned_by_id="12").status_code == 302
    connection = Bitrix24Connection.objects.get(client=world.client_a)
    assert (connection.webhook_url, connection.assigned_by_id) == (url, 12)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"webhook_url": "https://alfa.bitrix24.ua/crm/"}, "rest"),
        ({"webhook_url": "http://alfa.bitrix24.ua/rest/1/key/"}, "https://"),
        (
            {"webhook_url": "https://a.ua/rest/1/k/", "extra_fields": '{"ORIGIN_ID": "x"}'},
            "ORIGIN_ID",
        ),
        ({"webhook_url": "https://a.ua/rest/1/k/", "extra_fields": '["UF"]'}, "JSON-об"),
        ({"webhook_url": "https://a.ua/rest/1/k/", "extra_fields": '{"uf": 1}'}, "uf"),
        ({}, "вхідного вебхука"),  # nothing stored yet and no URL given
    ],
)
def test_bad_connection_settings_are_refused_with_a_reason(
    world: World, data: dict[str, str], error: str
) -> None:
    response = _save_bitrix24(http(world.coordinator), **data)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Bitrix24Connection.objects.exists()


def test_the_connection_check_calls_bitrix24(world: World, bitrix24) -> None:
    connect_bitrix24(client=world.client_a, webhook_url=bitrix24.webhook_url)
    url = reverse("handoff:bitrix24_check", args=["client-a"])
    page = http(world.coordinator).post(url, follow=True).content.decode()
    assert "працює" in page
    assert [r.method for r in bitrix24.requests] == ["crm.lead.list"]


def test_the_connection_check_shows_the_bitrix24_error_without_the_token(
    world: World, bitrix24
) -> None:
    connect_bitrix24(client=world.client_a, webhook_url=bitrix24.webhook_url_with("wrong-key"))
    url = reverse("handoff:bitrix24_check", args=["client-a"])
    page = http(world.coordinator).post(url, follow=True).content.decode()
    assert "INVALID_CREDENTIALS" in page and "wrong-key" not in page
    bitrix24.faults.unavailable(1)
    connect_bitrix24(client=world.client_a, webhook_url=bitrix24.webhook_url)
    page = http(world.coordinator).post(url, follow=True).content.decode()
    assert "не відповідає" in page and "503" in page


def test_a_new_webhook_shows_its_secret_once(world: World) -> None:
    browser = http(world.coordinator)
    url = reverse("handoff:webhook_add", args=["client-a"])
    response = browser.post(url, {"url": "https://crm.alfa.ua/zbut"})
    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get(client=world.client_a)
    secret = endpoint.secrets[0]
    assert secret in response.content.decode() and 'id="new-secret"' in response.content.decode()
    page = browser.get(reverse("handoff:integrations", args=["client-a"])).content.decode()
    assert secret not in page and "https://crm.alfa.ua/zbut" in page


def test_rotating_shows_the_new_secret_once_and_signs_with_both(world: World) -> None:
    endpoint, old = add_webhook(client=world.client_a, url="https://crm.alfa.ua/zbut")
    browser = http(world.admin)
    url = reverse("handoff:webhook_rotate", args=["client-a", endpoint.pk])
    response = browser.post(url)
    new = WebhookEndpoint.objects.get(pk=endpoint.pk).secrets
    assert new[1] == old and new[0] != old
    assert new[0] in response.content.decode() and old not in response.content.decode()
    page = browser.get(reverse("handoff:integrations", args=["client-a"])).content.decode()
    assert new[0] not in page


def test_a_plain_http_webhook_is_refused(world: World) -> None:
    url = reverse("handoff:webhook_add", args=["client-a"])
    response = http(world.coordinator).post(url, {"url": "http://crm.alfa.ua/zbut"})
    assert response.status_code == 400 and "https://" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_deactivating_a_webhook_stops_new_transfers_to_it(world: World) -> None:
    endpoint, _secret = add_webhook(client=world.client_a, url="https://crm.alfa.ua/zbut")
    url = reverse("handoff:webhook_deactivate", args=["client-a", endpoint.pk])
    assert http(world.coordinator).post(url).status_code == 302
    assert not WebhookEndpoint.objects.get(pk=endpoint.pk).active


def test_another_clients_webhook_or_recipient_is_a_404(world: World) -> None:
    endpoint, _secret = add_webhook(client=world.client_b, url="https://b.example/h")
    recipient = LeadRecipient.objects.create(client=world.client_b, email="b@b.ua")
    browser = http(world.coordinator)
    for url in (
        reverse("handoff:webhook_rotate", args=["client-a", endpoint.pk]),
        reverse("handoff:webhook_deactivate", args=["client-a", endpoint.pk]),
        reverse("handoff:recipient_remove", args=["client-a", recipient.pk]),
    ):
        assert browser.post(url).status_code == 404
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).active
    assert LeadRecipient.objects.filter(pk=recipient.pk).exists()


def test_lead_recipients_are_validated_added_and_removed(world: World) -> None:
    browser = http(world.coordinator)
    url = reverse("handoff:recipient_add", args=["client-a"])
    bad = browser.post(url, {"email": "not-an-email", "name": ""})
    assert bad.status_code == 400 and "errorlist" in bad.content.decode()
    assert browser.post(url, {"email": "Sales@Alfa.ua", "name": "Олена"}).status_code == 302
    recipient = LeadRecipient.objects.get(client=world.client_a)
    assert (recipient.email, recipient.name) == ("sales@alfa.ua", "Олена")
    again = browser.post(url, {"email": "sales@alfa.ua"})
    assert again.status_code == 400 and "Цей отримувач уже є" in again.content.decode()
    remove = reverse("handoff:recipient_remove", args=["client-a", recipient.pk])
    assert browser.post(remove).status_code == 302
    assert not LeadRecipient.objects.exists()


# The client's side: the badge


@pytest.fixture
def lead_desk(world: World) -> World:
    today = timezone.localdate()
    open_phase(project=world.project_a, starts_on=today, ends_on=today + timedelta(days=7))
    world.companies = approved_companies(world.project_a, 2)
    return world


def _interested(world: World):
    item = claim_next(project=world.project_a, manager=world.manager)
    company = record_outcome(
        project=world.project_a, company_id=item.company_id, manager=world.manager,
        outcome="interested", note="Готові до зустрічі", contact_person="Іван Гнатюк",
        lead_phone="0501112233",
    )  # fmt: skip
    for message in OutboxMessage.objects.order_by("pk"):
        outbox.deliver(message.pk)
    return company


def test_the_client_sees_a_transferred_company_with_its_bitrix24_lead(
    lead_desk: World, bitrix24
) -> None:
    connect_bitrix24(client=lead_desk.client_a, webhook_url=bitrix24.webhook_url)
    company = _interested(lead_desk)
    (lead_id,) = bitrix24.leads
    for url in (reverse("dashboard"), reverse("project_detail", args=["a-system"])):
        page = http(lead_desk.alice).get(url).content.decode()
        assert f"передано в Bitrix24 · #{lead_id}" in page, url
        assert company.name in page


def test_a_company_sent_only_by_email_is_shown_as_transferred(lead_desk: World) -> None:
    LeadRecipient.objects.create(client=lead_desk.client_a, email="sales@alfa.ua")
    _interested(lead_desk)
    page = http(lead_desk.bob).get(reverse("dashboard")).content.decode()
    assert "передано" in page and "передано в Bitrix24" not in page


def test_the_feed_reads_transfers_without_a_query_per_row(
    lead_desk: World, django_assert_num_queries
) -> None:
    LeadRecipient.objects.create(client=lead_desk.client_a, email="sales@alfa.ua")
    company = _interested(lead_desk)
    projects = lead_desk.project_a.__class__.objects.filter(pk=lead_desk.project_a.pk)
    with django_assert_num_queries(1):
        feed = work_feed(projects=projects, limit=50)
    transferred = {row.company_id for row in feed if row.transferred}
    assert transferred == {company.pk}
    assert all(row.bitrix24_lead_id is None for row in feed)
