"""Export jobs: a large final export written by a task, with its progress and its file."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zbut.accounts.models import Client
from zbut.projects.models import Project


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"


class ExportState(models.TextChoices):
    QUEUED = "queued", _("У черзі")
    RUNNING = "running", _("Виконується")
    DONE = "done", _("Готово")
    FAILED = "failed", _("Помилка")


class ExportJob(models.Model):
    """Експорт бази: one requested export of a project's base (or of a filtered view)."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="export_jobs")
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="export_jobs", db_index=False
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="export_jobs"
    )
    format = models.CharField(_("формат"), max_length=4, choices=ExportFormat.choices)
    filters = models.JSONField(_("фільтри"), default=dict, blank=True)  # the query parameters
    state = models.CharField(
        _("стан"), max_length=10, choices=ExportState.choices, default=ExportState.QUEUED
    )
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    file_path = models.CharField(max_length=500, blank=True)  # under VAR_DIR / "exports"
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("експорт")
        verbose_name_plural = _("експорти")
        indexes = [models.Index(fields=["project", "created_at"], name="export_project_created")]

    def __str__(self) -> str:
        return f"{self.project} · {self.format} · {self.state}"

    @property
    def is_finished(self) -> bool:
        return self.state in {ExportState.DONE, ExportState.FAILED}

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 100 if self.state == ExportState.DONE else 0
        return min(100, round(100 * self.rows_done / self.rows_total))
