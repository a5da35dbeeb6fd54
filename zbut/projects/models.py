"""Projects (contracts with a client), their sales phases and the managers assigned to them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zbut.accounts.models import Client


class ProjectKind(models.TextChoices):
    PILOT = "pilot", _("Пілотний")
    SYSTEM = "system", _("Системний")


class ProjectState(models.TextChoices):
    DRAFT = "draft", _("Підготовка")
    ACTIVE = "active", _("Активний")
    FINISHED = "finished", _("Завершений")


# A pilot runs at most two sales phases (the seeds: "1–2 фази").
PILOT_MAX_PHASES = 2


class Project(models.Model):
    """A contract with a client: a pilot priced per processed company, or a monthly system."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="projects")
    slug = models.SlugField(_("коротке ім'я"), max_length=60, unique=True)
    name = models.CharField(_("назва"), max_length=200)
    kind = models.CharField(_("вид"), max_length=10, choices=ProjectKind.choices)
    state = models.CharField(
        _("стан"), max_length=10, choices=ProjectState.choices, default=ProjectState.DRAFT
    )
    starts_on = models.DateField(_("початок"), null=True, blank=True)
    ends_on = models.DateField(_("кінець"), null=True, blank=True)
    # Price terms: a pilot pays per processed company up to a cap; a system pays a monthly fee.
    price_per_company = models.DecimalField(
        _("ціна за оброблену компанію, грн"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    price_cap = models.DecimalField(
        _("ліміт вартості, грн"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    monthly_fee = models.DecimalField(
        _("щомісячна оплата, грн"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    # Contracted volumes.
    contracted_cycles = models.PositiveIntegerField(_("циклів опрацювання менеджерами"), default=0)
    contracted_machine_reach = models.PositiveIntegerField(
        _("компаній охоплено машинно"), default=0
    )
    positive_cap = models.PositiveIntegerField(
        _("ліміт позитивних компаній"), null=True, blank=True
    )
    script = models.TextField(_("скрипт розмови"), blank=True)
    offer_summary = models.TextField(_("суть КП"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("проєкт")
        verbose_name_plural = _("проєкти")
        ordering = ["client__name", "name"]
        constraints = [
            models.CheckConstraint(
                name="project_dates_in_order",
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_pilot(self) -> bool:
        return self.kind == ProjectKind.PILOT


class PhaseState(models.TextChoices):
    PLANNED = "planned", _("Запланована")
    ACTIVE = "active", _("Активна")
    CLOSED = "closed", _("Закрита")


class Phase(models.Model):
    """Active sales phase (активна фаза збуту): one pass of managers over the base."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="phases")
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="phases", db_index=False
    )
    number = models.PositiveSmallIntegerField(_("номер"))
    starts_on = models.DateField(_("початок"))
    ends_on = models.DateField(_("кінець"))
    state = models.CharField(
        _("стан"), max_length=10, choices=PhaseState.choices, default=PhaseState.PLANNED
    )

    class Meta:
        verbose_name = _("фаза")
        verbose_name_plural = _("фази")
        ordering = ["project", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="phase_number_unique"),
            models.CheckConstraint(
                name="phase_dates_in_order", condition=Q(ends_on__gte=models.F("starts_on"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {_('фаза')} {self.number}"


class Assignment(models.Model):
    """A manager assigned to work a project's base."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="assignments")
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="assignments", db_index=False
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments"
    )
    assigned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("призначення менеджера")
        verbose_name_plural = _("призначення менеджерів")
        constraints = [
            models.UniqueConstraint(fields=["project", "manager"], name="assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.manager} → {self.project}"
