"""The agency admin's screens for the hand-off. Secrets are never shown: set them on the
client's integrations page (/handoff/clients/<client>/)."""

from __future__ import annotations

from django.contrib import admin

from zbut.handoff.models import LeadRecipient, Transfer


@admin.register(LeadRecipient)
class LeadRecipientAdmin(admin.ModelAdmin):
    list_display = ("email", "name", "client")
    list_filter = ("client",)


@admin.register(Transfer)
class TransferAdmin(admin.ModelAdmin):
    list_display = ("company", "client", "project", "requested_at", "bitrix24_lead_id")
    list_filter = ("client",)
    list_select_related = ("company", "client", "project")
    readonly_fields = [f.name for f in Transfer._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
