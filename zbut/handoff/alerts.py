"""Telling the coordinators when a destination has been failing for ten minutes."""

from __future__ import annotations

import logging

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from zbut.accounts.models import Membership, Role
from zbut.core.models import DestinationHealth
from zbut.core.outbox import failing_destinations

logger = logging.getLogger("zbut.handoff")


def alert_failing_destinations() -> int:
    """E-mail the agency's coordinators once per failing spell of each destination.

    Sent directly, not through the outbox: the outbox may be what is failing.
    """
    recipients = sorted(
        set(
            Membership.objects.filter(
                client__isnull=True, role__in=[Role.ADMIN, Role.COORDINATOR]
            ).values_list("user__email", flat=True)
        )
    )
    alerted = 0
    for health in failing_destinations():
        if health.alerted_at is not None:
            continue
        with transaction.atomic():
            claimed = DestinationHealth.objects.filter(
                pk=health.pk, alerted_at__isnull=True
            ).update(alerted_at=timezone.now())
        if not claimed:
            continue
        since = timezone.localtime(health.failing_since).strftime("%H:%M")
        subject = f"Zbut: {health.destination} не приймає повідомлення з {since}"
        body = (
            f"Доставка до {health.destination} не вдається з {since}.\n"
            f"Остання помилка: {health.last_error}\n\n"
            "Повідомлення не втрачені: вони чекають у черзі й будуть доставлені, щойно "
            "адресат запрацює. Перевірте налаштування клієнта або зверніться до його IT."
        )
        try:
            send_mail(subject, body, None, recipients)
        except OSError:
            logger.warning("alert e-mail failed destination=%s", health.destination)
        alerted += 1
    return alerted
