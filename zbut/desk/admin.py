"""The agency admin's screens for the desk: queue rules (claim time, retries) and priorities."""

from __future__ import annotations

from django.contrib import admin

from zbut.desk.models import Priority, ProcessingCycle, QueueRules


@admin.register(QueueRules)
class QueueRulesAdmin(admin.ModelAdmin):
    list_display = ("project", "claim_minutes", "callback_grace_minutes", "max_attempts")
    search_fields = ("project__name", "project__slug")


@admin.register(Priority)
class PriorityAdmin(admin.ModelAdmin):
    list_display = ("project", "category", "region", "weight")
    list_filter = ("project",)


@admin.register(ProcessingCycle)
class ProcessingCycleAdmin(admin.ModelAdmin):
    """Cycles are what the client pays for: counted by the desk, never edited by hand."""

    list_display = ("project", "company", "manager", "day", "phase")
    list_filter = ("project", "day")
    list_select_related = ("project", "company", "manager", "phase")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
