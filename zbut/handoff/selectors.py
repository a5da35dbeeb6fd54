"""Reads of the hand-off for the coordinator: the delivery queue, failing destinations, and a
client's destinations (Bitrix24, webhooks, people).

Every function takes the requesting membership; only the agency's admin and coordinators may
look (``HandoffNotAllowed`` otherwise, which the views answer with a 404).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zbut.accounts.models import Client, Membership
from zbut.accounts.selectors import clients_for
from zbut.core import outbox
from zbut.core.errors import ZbutPermissionDenied
from zbut.core.models import OutboxMessage, OutboxState
from zbut.handoff.models import Bitrix24Connection, LeadRecipient, WebhookEndpoint

OPEN_STATES = (OutboxState.QUEUED, OutboxState.SENDING, OutboxState.FAILED, OutboxState.DEAD)
MSG_NOT_ALLOWED = _("Черга доставки й інтеграції клієнтів — для координатора й адміністратора.")


class HandoffNotAllowed(ZbutPermissionDenied):
    """Only the agency's admin and coordinators see the delivery queue and the integrations."""


def check_can_manage_handoff(*, membership: Membership | None) -> Membership:
    """The membership itself when it is the agency's admin or coordinator; raise otherwise."""
    if membership is None or not membership.is_agency or not membership.can_manage_agency:
        raise HandoffNotAllowed("handoff_not_allowed", str(MSG_NOT_ALLOWED))
    return membership


@dataclass(frozen=True)
class QueueCount:
    """One client × destination line of the queue: messages by state, delivered today."""

    client_name: str
    client_slug: str
    destination: str
    queued: int
    sending: int
    failed: int
    dead: int
    delivered_today: int


@dataclass(frozen=True)
class FailingDestination:
    """A destination that has failed without a success for ten minutes or more."""

    destination: str
    client_names: tuple[str, ...]
    failing_since: datetime
    last_error: str


@dataclass(frozen=True)
class OutboxFilter:
    """The list's filters as the coordinator picked them; empty means "any"."""

    client: str = ""
    destination: str = ""
    kind: str = ""
    state: str = ""


@dataclass(frozen=True)
class FilterChoices:
    clients: list[Client]
    destinations: list[str]
    kinds: list[str]
    states: list[tuple[str, str]]


@dataclass(frozen=True)
class Integrations:
    """What a client's hot leads go to."""

    client: Client
    bitrix24: Bitrix24Connection | None
    webhooks: list[WebhookEndpoint]
    recipients: list[LeadRecipient]


def _visible_messages(membership: Membership) -> QuerySet[OutboxMessage]:
    """The messages of the clients the membership sees, and the agency's own (no client)."""
    check_can_manage_handoff(membership=membership)
    clients = clients_for(membership=membership).values("pk")
    return OutboxMessage.objects.filter(Q(client__in=clients) | Q(client__isnull=True))


def queue_counts(*, membership: Membership) -> list[QueueCount]:
    """Per client and destination, the open messages by state and those delivered today.

    One grouped query; delivered rows older than today are left out before grouping, so the
    count does not grow with the outbox's whole history.
    """
    today = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    rows = (
        _visible_messages(membership)
        .filter(Q(state__in=OPEN_STATES) | Q(state=OutboxState.DELIVERED, delivered_at__gte=today))
        .values("client__name", "client__slug", "destination")
        .annotate(
            queued=Count("id", filter=Q(state=OutboxState.QUEUED)),
            sending=Count("id", filter=Q(state=OutboxState.SENDING)),
            failed=Count("id", filter=Q(state=OutboxState.FAILED)),
            dead=Count("id", filter=Q(state=OutboxState.DEAD)),
            delivered_today=Count("id", filter=Q(state=OutboxState.DELIVERED)),
        )
        .order_by("client__name", "destination")
    )
    return [
        QueueCount(
            client_name=row["client__name"] or "",
            client_slug=row["client__slug"] or "",
            destination=row["destination"],
            queued=row["queued"],
            sending=row["sending"],
            failed=row["failed"],
            dead=row["dead"],
            delivered_today=row["delivered_today"],
        )
        for row in rows
    ]


def outbox_messages(*, membership: Membership, filters: OutboxFilter) -> QuerySet[OutboxMessage]:
    """The messages to list, newest first, with their client and company joined in."""
    messages = _visible_messages(membership)
    if filters.client:
        messages = messages.filter(client__slug=filters.client)
    if filters.destination:
        messages = messages.filter(destination=filters.destination)
    if filters.kind:
        messages = messages.filter(kind=filters.kind)
    if filters.state:
        messages = messages.filter(state=filters.state)
    return messages.select_related("client", "company").order_by("-created_at", "-id")


def filter_choices(*, membership: Membership) -> FilterChoices:
    """The values the list's filters offer: clients, destinations and kinds that occur."""
    messages = _visible_messages(membership)
    return FilterChoices(
        clients=list(clients_for(membership=membership).order_by("name")),
        destinations=list(
            messages.order_by("destination").values_list("destination", flat=True).distinct()
        ),
        kinds=list(messages.order_by("kind").values_list("kind", flat=True).distinct()),
        states=list(OutboxState.choices),
    )


def outbox_message_for(*, membership: Membership, message_id: int) -> OutboxMessage:
    """One message the membership may act on; ``OutboxMessage.DoesNotExist`` otherwise."""
    return _visible_messages(membership).get(pk=message_id)


def failing_destinations_for(*, membership: Membership) -> list[FailingDestination]:
    """Destinations failing for ten minutes or more, with the clients whose messages they hold."""
    check_can_manage_handoff(membership=membership)
    failing = outbox.failing_destinations()
    if not failing:
        return []
    owners: dict[str, set[str]] = {}
    rows = (
        OutboxMessage.objects.filter(destination__in=[h.destination for h in failing])
        .exclude(client__isnull=True)
        .values_list("destination", "client__name")
        .distinct()
    )
    for destination, client_name in rows:
        owners.setdefault(destination, set()).add(client_name)
    return [
        FailingDestination(
            destination=health.destination,
            client_names=tuple(sorted(owners.get(health.destination, ()))),
            failing_since=health.failing_since,  # type: ignore[arg-type]
            last_error=health.last_error,
        )
        for health in sorted(failing, key=lambda h: h.failing_since or timezone.now())
    ]


def client_for_integrations(*, membership: Membership, slug: str) -> Client:
    """The client whose destinations the coordinator edits; ``Client.DoesNotExist`` otherwise."""
    check_can_manage_handoff(membership=membership)
    return clients_for(membership=membership).get(slug=slug)


def integrations_of(*, client: Client) -> Integrations:
    return Integrations(
        client=client,
        bitrix24=Bitrix24Connection.objects.filter(client=client).first(),
        webhooks=list(WebhookEndpoint.objects.filter(client=client).order_by("-active", "id")),
        recipients=list(LeadRecipient.objects.filter(client=client).order_by("email")),
    )


def webhook_of(*, client: Client, endpoint_id: int) -> WebhookEndpoint:
    return WebhookEndpoint.objects.get(client=client, pk=endpoint_id)


def recipient_of(*, client: Client, recipient_id: int) -> LeadRecipient:
    return LeadRecipient.objects.get(client=client, pk=recipient_id)
