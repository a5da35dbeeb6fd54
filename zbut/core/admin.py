"""Worker heartbeats in the admin, read-only: the coordinator checks that workers are alive."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from zbut.core.models import WorkerHeartbeat


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ("hostname", "pid", "worker_id", "started_at", "beat_at")
    ordering = ("-beat_at",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
