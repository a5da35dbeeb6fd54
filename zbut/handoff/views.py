"""The coordinator's hand-off screens: the delivery queue and a client's integrations.

Only the agency's admin and coordinators see them; anyone else gets a 404, as for a page that
does not exist. Views parse, call one service or selector, and render.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zbut.accounts.models import Client, Membership
from zbut.core import outbox
from zbut.core.errors import ZbutError
from zbut.core.models import OutboxMessage, OutboxState
from zbut.handoff import selectors, services
from zbut.handoff.connection_check import check_bitrix24_connection
from zbut.handoff.forms import Bitrix24Form, RecipientForm, WebhookForm
from zbut.handoff.models import LeadRecipient, WebhookEndpoint

MESSAGES_PER_PAGE = 50
View = Callable[..., HttpResponse]


def coordinator_view(view: View) -> View:
    """Log-in required, and the agency's admin or coordinator; a 404 for everyone else."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        membership: Membership | None = request.membership  # type: ignore[attr-defined]
        try:
            selectors.check_can_manage_handoff(membership=membership)
        except selectors.HandoffNotAllowed:
            raise Http404 from None
        return view(request, membership, *args, **kwargs)

    return wrapped


# The delivery queue


@coordinator_view
def outbox_page(request: HttpRequest, membership: Membership) -> HttpResponse:
    filters = selectors.OutboxFilter(
        client=request.GET.get("client", ""),
        destination=request.GET.get("destination", ""),
        kind=request.GET.get("kind", ""),
        state=request.GET.get("state", ""),
    )
    found = selectors.outbox_messages(membership=membership, filters=filters)
    page = Paginator(found, MESSAGES_PER_PAGE).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in vars(filters).items() if v})
    context = {
        "counts": selectors.queue_counts(membership=membership),
        "failing": selectors.failing_destinations_for(membership=membership),
        "choices": selectors.filter_choices(membership=membership),
        "filters": filters,
        "page": page,
        "query": query,
        "dead": OutboxState.DEAD,
    }
    return render(request, "handoff/outbox.html", context)


@require_POST
@coordinator_view
def retry_message(request: HttpRequest, membership: Membership, message_id: int) -> HttpResponse:
    """«Повторити» on a dead message: a fresh round of attempts, handed to a worker on commit."""
    try:
        message = selectors.outbox_message_for(membership=membership, message_id=message_id)
    except OutboxMessage.DoesNotExist:
        raise Http404 from None
    if message.state != OutboxState.DEAD:
        messages.error(request, _("Повторити можна лише недоставлене повідомлення."))
    else:
        outbox.retry_dead(message_id=message.pk)
        messages.success(request, _("Повідомлення знову в черзі."))
    query = request.POST.get("query", "")
    return redirect(reverse("handoff:outbox") + (f"?{query}" if query else ""))


# A client's integrations


def _client(membership: Membership, client_slug: str) -> Client:
    try:
        return selectors.client_for_integrations(membership=membership, slug=client_slug)
    except Client.DoesNotExist:
        raise Http404 from None


def _integrations_page(
    request: HttpRequest, client: Client, *, status: int = 200, **forms: Any
) -> HttpResponse:
    integrations = selectors.integrations_of(client=client)
    connection = integrations.bitrix24
    initial = {}
    if connection is not None:
        extra = (
            json.dumps(connection.extra_fields, ensure_ascii=False)
            if connection.extra_fields
            else ""
        )
        initial = {"assigned_by_id": connection.assigned_by_id, "extra_fields": extra}
    context = {
        "client": client,
        "integrations": integrations,
        "bitrix24_form": forms.pop("bitrix24_form", None) or Bitrix24Form(initial=initial),
        "webhook_form": forms.pop("webhook_form", None) or WebhookForm(),
        "recipient_form": forms.pop("recipient_form", None) or RecipientForm(),
        **forms,
    }
    return render(request, "handoff/integrations.html", context, status=status)


def _back(client: Client, anchor: str) -> HttpResponse:
    return redirect(reverse("handoff:integrations", args=[client.slug]) + f"#{anchor}")


@coordinator_view
def integrations(request: HttpRequest, membership: Membership, client_slug: str) -> HttpResponse:
    return _integrations_page(request, _client(membership, client_slug))


@require_POST
@coordinator_view
def bitrix24_save(request: HttpRequest, membership: Membership, client_slug: str) -> HttpResponse:
    client = _client(membership, client_slug)
    form = Bitrix24Form(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["webhook_url"]:
                services.connect_bitrix24(
                    client=client, webhook_url=data["webhook_url"],
                    assigned_by_id=data["assigned_by_id"], extra_fields=data["extra_fields"],
                )  # fmt: skip
            else:
                services.update_bitrix24_settings(
                    client=client, assigned_by_id=data["assigned_by_id"],
                    extra_fields=data["extra_fields"],
                )  # fmt: skip
        except ZbutError as error:
            form.add_error("webhook_url", error.message)
        else:
            messages.success(request, _("Підключення Bitrix24 збережено."))
            return _back(client, "bitrix24")
    return _integrations_page(request, client, bitrix24_form=form, status=400)


@require_POST
@coordinator_view
def bitrix24_check(request: HttpRequest, membership: Membership, client_slug: str) -> HttpResponse:
    """«Перевірити з'єднання»: one bounded call to the portal, its answer shown as a message."""
    client = _client(membership, client_slug)
    connection = selectors.integrations_of(client=client).bitrix24
    if connection is None:
        messages.error(request, _("Спершу збережіть адресу вхідного вебхука."))
        return _back(client, "bitrix24")
    check = check_bitrix24_connection(connection=connection)
    (messages.success if check.ok else messages.error)(request, check.message)
    return _back(client, "bitrix24")


@require_POST
@coordinator_view
def webhook_add(request: HttpRequest, membership: Membership, client_slug: str) -> HttpResponse:
    """A new endpoint; its secret is in this answer only (never in a redirect or the session)."""
    client = _client(membership, client_slug)
    form = WebhookForm(request.POST)
    if form.is_valid():
        try:
            endpoint, secret = services.add_webhook(client=client, url=form.cleaned_data["url"])
        except ZbutError as error:
            form.add_error("url", error.message)
        else:
            return _integrations_page(request, client, new_secret=secret, secret_for=endpoint)
    return _integrations_page(request, client, webhook_form=form, status=400)


def _webhook(client: Client, endpoint_id: int) -> WebhookEndpoint:
    try:
        return selectors.webhook_of(client=client, endpoint_id=endpoint_id)
    except WebhookEndpoint.DoesNotExist:
        raise Http404 from None


@require_POST
@coordinator_view
def webhook_rotate(
    request: HttpRequest, membership: Membership, client_slug: str, endpoint_id: int
) -> HttpResponse:
    client = _client(membership, client_slug)
    endpoint = _webhook(client, endpoint_id)
    secret = services.rotate_webhook_secret(endpoint=endpoint)
    return _integrations_page(request, client, new_secret=secret, secret_for=endpoint)


@require_POST
@coordinator_view
def webhook_deactivate(
    request: HttpRequest, membership: Membership, client_slug: str, endpoint_id: int
) -> HttpResponse:
    client = _client(membership, client_slug)
    services.deactivate_webhook(endpoint=_webhook(client, endpoint_id))
    messages.success(request, _("Вебхук вимкнено: нові передачі на нього не надсилаються."))
    return _back(client, "webhooks")


@require_POST
@coordinator_view
def recipient_add(request: HttpRequest, membership: Membership, client_slug: str) -> HttpResponse:
    client = _client(membership, client_slug)
    form = RecipientForm(request.POST)
    if form.is_valid():
        try:
            services.add_lead_recipient(
                client=client, email=form.cleaned_data["email"], name=form.cleaned_data["name"]
            )
        except ZbutError as error:
            form.add_error("email", error.message)
        else:
            messages.success(request, _("Отримувача додано."))
            return _back(client, "recipients")
    return _integrations_page(request, client, recipient_form=form, status=400)


@require_POST
@coordinator_view
def recipient_remove(
    request: HttpRequest, membership: Membership, client_slug: str, recipient_id: int
) -> HttpResponse:
    client = _client(membership, client_slug)
    try:
        recipient = selectors.recipient_of(client=client, recipient_id=recipient_id)
    except LeadRecipient.DoesNotExist:
        raise Http404 from None
    services.remove_lead_recipient(recipient=recipient)
    messages.success(request, _("Отримувача вилучено."))
    return _back(client, "recipients")
