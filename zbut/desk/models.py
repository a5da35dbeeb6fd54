"""The call desk's own state: the queue of a project's base, its rules, and processing cycles.

A company enters the queue once the client has approved it (bases.BaseState.APPROVED). The
queue item holds what the desk needs to choose the next company quickly; the company's outcome,
contact count and last contact stay on the company, derived from its events.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zbut.accounts.models import Client
from zbut.bases.models import Company
from zbut.projects.models import Phase, Project


class QueueState(models.TextChoices):
    QUEUED = "queued", _("У черзі")
    LEFT = "left", _("Вибула з черги")


class ExitReason(models.TextChoices):
    DECIDED = "decided", _("Має результат")
    NOT_REACHED = "not_reached", _("Не додзвонилися")
    NO_PHONES = "no_phones", _("Немає робочих номерів")
    DO_NOT_CONTACT = "do_not_contact", _("Не контактувати")


class QueueRules(models.Model):
    """How a project's queue behaves; the coordinator edits it, defaults suit most projects."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="queue_rules")
    claim_minutes = models.PositiveSmallIntegerField(_("бронювання компанії, хв"), default=15)
    callback_grace_minutes = models.PositiveSmallIntegerField(
        _("передзвін колеги переходить команді через, хв"), default=60
    )
    max_attempts = models.PositiveSmallIntegerField(_("спроб до «не додзвонилися»"), default=5)
    # Minutes until the next try after each kind of failed attempt.
    retry_minutes = models.JSONField(_("повтор через, хв"), default=dict, blank=True)

    class Meta:
        verbose_name = _("правила черги")
        verbose_name_plural = _("правила черги")

    def __str__(self) -> str:
        return f"{self.project}"


class Priority(models.Model):
    """The coordinator's weight for a category and/or region: heavier is called first."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="desk_priorities")
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="desk_priorities", db_index=False
    )
    category = models.CharField(_("категорія"), max_length=200, blank=True)
    region = models.CharField(_("регіон"), max_length=100, blank=True)
    weight = models.SmallIntegerField(_("вага"), default=0)

    class Meta:
        verbose_name = _("пріоритет")
        verbose_name_plural = _("пріоритети")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "category", "region"], name="desk_priority_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category or '*'} / {self.region or '*'}: {self.weight}"


class QueueItem(models.Model):
    """A company in a project's calling queue, with its claim, attempts and due times."""

    company = models.OneToOneField(
        Company, on_delete=models.CASCADE, primary_key=True, related_name="queue_item"
    )
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="queue_items")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="queue_items")
    state = models.CharField(max_length=10, choices=QueueState.choices, default=QueueState.QUEUED)
    exit_reason = models.CharField(max_length=20, choices=ExitReason.choices, blank=True)
    priority = models.SmallIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)  # failed attempts since last contact
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    callback_at = models.DateTimeField(null=True, blank=True)
    callback_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="desk_claims",
        db_index=False,
    )
    claimed_until = models.DateTimeField(null=True, blank=True)
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("компанія в черзі")
        verbose_name_plural = _("черга")
        indexes = [
            models.Index(
                fields=["project", "priority"],
                condition=Q(state="queued"),
                name="queue_waiting",
            ),
            # Of the claimed items only: with every unclaimed item under one NULL, SQLite's
            # statistics (ANALYZE) made a manager's own claim look unselective, and finding it
            # read a project's whole queue (20 ms for 300 000 companies).
            models.Index(
                fields=["claimed_by", "claimed_until"],
                condition=Q(claimed_by__isnull=False),
                name="queue_claims",
            ),
            # One for each bucket of the queue (desk.queue.claimable), read from the best item
            # on: a claim must not sort a project's whole queue. Partial on NULL tests only,
            # which SQLite can match to a query's text (it cannot match a bound "queued").
            models.Index(
                fields=["project", "state", "callback_at"],
                condition=Q(callback_at__isnull=False),
                name="queue_callbacks",
            ),
            models.Index(
                fields=["project", "state", "attempts", "-priority", "company"],
                condition=Q(callback_at__isnull=True, next_attempt_at__isnull=True),
                name="queue_fresh",
            ),
            models.Index(
                fields=["project", "state", "-priority", "next_attempt_at", "company"],
                condition=Q(callback_at__isnull=True, next_attempt_at__isnull=False),
                name="queue_retries",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company_id} {self.state}"


class ProcessingCycle(models.Model):
    """Processing cycle (цикл опрацювання): one company worked to a decision, or in
    negotiations with a lead, on one Kyiv day, however many calls it took."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="cycles")
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="cycles", db_index=False
    )
    phase = models.ForeignKey(
        Phase, on_delete=models.PROTECT, null=True, blank=True, related_name="cycles"
    )
    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="cycles", db_index=False
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cycles"
    )
    day = models.DateField()
    counted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("цикл опрацювання")
        verbose_name_plural = _("цикли опрацювання")
        constraints = [
            models.UniqueConstraint(fields=["company", "day"], name="cycle_once_per_company_day")
        ]
        indexes = [models.Index(fields=["project", "day"], name="cycle_project_day")]

    def __str__(self) -> str:
        return f"{self.company_id} @ {self.day}"
