"""The append-only event log: client history, the Data Base ONLINE feed and the audit chain.

Every action on a company is one ``Event``. Events are never updated or deleted: triggers
installed by migration 0002 refuse it in the database itself. When a later migration remakes
the ``history_event`` table on SQLite (adding a column does), the triggers go with the old
table and that migration must install them again (``zbut.history.triggers``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

AGENCY_CHAIN = "agency"


def project_chain(project_id: int) -> str:
    return f"project:{project_id}"


class EventKind(models.TextChoices):
    # accounts and projects
    CLIENT_CREATED = "client_created", _("Створено клієнта")
    USER_CREATED = "user_created", _("Створено користувача")
    MEMBERSHIP_GRANTED = "membership_granted", _("Надано доступ")
    PROJECT_CREATED = "project_created", _("Створено проєкт")
    PHASE_PLANNED = "phase_planned", _("Заплановано фазу")
    PHASE_OPENED = "phase_opened", _("Відкрито фазу")
    PHASE_CLOSED = "phase_closed", _("Закрито фазу")
    MANAGER_ASSIGNED = "manager_assigned", _("Призначено менеджера")
    # the base
    COMPANY_ADDED = "company_added", _("Компанію додано до бази")
    COMPANIES_MERGED = "companies_merged", _("Компанії об'єднано")
    BASE_SENT_FOR_AGREEMENT = "base_sent_for_agreement", _("Надіслано клієнту на узгодження")
    COMPANY_EXCLUDED = "company_excluded", _("Клієнт виключив компанію")
    BASE_APPROVED = "base_approved", _("Базу узгоджено")
    # the desk
    ATTEMPT = "attempt", _("Спроба дзвінка")
    OUTCOME = "outcome", _("Результат")
    NOTE = "note", _("Нотатка")
    CALLBACK_SCHEDULED = "callback_scheduled", _("Заплановано передзвін")
    # what leaves the system
    OFFER_SENT = "offer_sent", _("Надіслано КП")
    SMS_SENT = "sms_sent", _("Надіслано SMS")
    CALL = "call", _("Дзвінок")
    TRANSFER = "transfer", _("Передано клієнту")
    # the client
    CLIENT_COMMENT = "client_comment", _("Коментар клієнта")


class Event(models.Model):
    """One action, chained to its predecessor in the same chain by hash."""

    chain = models.CharField(max_length=32)
    seq = models.PositiveBigIntegerField()
    # The project's client (or, for an agency event, the client it concerns), copied for
    # tenancy checks. Nothing looks events up by client and the hash chain covers the value:
    # neither an index nor a foreign-key check, which every event of an import would pay for.
    client = models.ForeignKey(
        "accounts.Client",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        db_index=False,
        db_constraint=False,
    )
    # The project and the company have no index of their own: event_project_seq and
    # event_company_time start with them. No reference of an event is checked by PostgreSQL
    # (SQLite keeps its checks: see migration 0009): events are written only by
    # history.services, the hash chain covers every id, and PROTECT keeps the project, the
    # company and the user from being deleted. A check costs each event a lookup and a row
    # lock; an import of 100 000 rows writes 100 000 events (1 s of the server's time).
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        db_index=False,
        db_constraint=False,
    )
    company = models.ForeignKey(
        "bases.Company",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        db_index=False,
        db_constraint=False,
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        db_constraint=False,
    )
    kind = models.CharField(max_length=32, choices=EventKind.choices)
    payload = models.JSONField(default=dict)
    occurred_at = models.DateTimeField(default=timezone.now)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("подія")
        verbose_name_plural = _("події")
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="event_chain_seq_unique"),
        ]
        indexes = [
            models.Index(fields=["project", "seq"], name="event_project_seq"),
            models.Index(fields=["company", "occurred_at"], name="event_company_time"),
            # Data Base ONLINE's counters of today's calls and outcomes (zbut.portal.online), and
            # the calls per manager of the reports (zbut.reports.figures), counted from the
            # index alone: it holds every column that count reads.
            models.Index(
                fields=["project", "kind", "occurred_at", "actor"],
                name="event_project_kind_time_actor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq} {self.kind}"


class ChainHead(models.Model):
    """The last sequence number and hash of a chain; its row lock orders concurrent writers."""

    chain = models.CharField(max_length=32, primary_key=True)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.chain}@{self.seq}"
