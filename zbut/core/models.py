from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """The last sign of life of one task worker process; /healthz reads the freshest."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid}"


class OutboxState(models.TextChoices):
    QUEUED = "queued", _("У черзі")
    SENDING = "sending", _("Надсилається")
    DELIVERED = "delivered", _("Доставлено")
    FAILED = "failed", _("Помилка, буде повтор")
    DEAD = "dead", _("Не доставлено")


class OutboxMessage(models.Model):
    """A message that leaves Zbut (Bitrix24 call, webhook, e-mail, SMS), written in the same
    transaction as its cause and delivered by a worker with retries (zbut.core.outbox)."""

    client = models.ForeignKey(
        "accounts.Client",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outbox",
        db_index=False,
    )
    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, null=True, blank=True, related_name="outbox"
    )
    company = models.ForeignKey(
        "bases.Company", on_delete=models.PROTECT, null=True, blank=True, related_name="outbox"
    )
    kind = models.CharField(max_length=40)  # names the handler, e.g. "bitrix24.transfer"
    destination = models.CharField(max_length=80)  # rate limits and alerts are per destination
    idempotency_key = models.CharField(max_length=120, unique=True)
    payload = models.JSONField(default=dict)
    state = models.CharField(max_length=10, choices=OutboxState.choices, default=OutboxState.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["client", "destination", "state"], name="outbox_client_dest"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.destination} [{self.state}]"


class DestinationHealth(models.Model):
    """Per destination: its rate-limit bucket and whether it has been failing, and since when."""

    destination = models.CharField(max_length=80, primary_key=True)
    tokens = models.FloatField(default=0)
    refilled_at = models.DateTimeField(default=timezone.now)
    failing_since = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    alerted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.destination
