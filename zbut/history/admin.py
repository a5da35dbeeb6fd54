"""The event log in the admin: to read, never to write (ARCHITECTURE.md invariant 2).

The database triggers refuse updates and deletes anyway; the admin refuses them first so
nobody is offered a button that can only fail.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from zbut.history.models import ChainHead, Event


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("occurred_at", "kind", "client", "project", "company", "actor", "chain", "seq")
    list_filter = ("kind", "client", "project")
    search_fields = ("company__name", "actor__email", "chain")
    list_select_related = ("client", "project", "company", "actor")
    date_hierarchy = "occurred_at"
    ordering = ("-occurred_at", "-id")
    show_full_result_count = False


@admin.register(ChainHead)
class ChainHeadAdmin(ReadOnlyAdmin):
    list_display = ("chain", "seq", "hash")
    search_fields = ("chain",)
