"""The agency admin's screens for projects, their phases and managers."""

from __future__ import annotations

from django.contrib import admin

from zbut.projects.models import Assignment, Phase, Project


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0
    fields = ("number", "starts_on", "ends_on", "state", "client")


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    fields = ("manager", "client", "assigned_at")
    readonly_fields = ("assigned_at",)
    autocomplete_fields = ("manager",)


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("name", "client", "kind", "state", "starts_on", "ends_on", "monthly_fee")
    list_filter = ("kind", "state", "client")
    search_fields = ("name", "slug", "client__name")
    list_select_related = ("client",)
    date_hierarchy = "starts_on"
    readonly_fields = ("created_at",)
    inlines = [PhaseInline, AssignmentInline]
    fieldsets = (
        (None, {"fields": ("client", "name", "slug", "kind", "state", "starts_on", "ends_on")}),
        ("₴", {"fields": ("price_per_company", "price_cap", "monthly_fee")}),
        (
            None,
            {"fields": ("contracted_cycles", "contracted_machine_reach", "positive_cap")},
        ),
        (None, {"fields": ("script", "offer_summary", "created_at")}),
    )


@admin.register(Phase)
class PhaseAdmin(admin.ModelAdmin):
    list_display = ("project", "number", "starts_on", "ends_on", "state")
    list_filter = ("state", "project__client")
    search_fields = ("project__name", "project__slug")
    list_select_related = ("project",)


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ("manager", "project", "client", "assigned_at")
    list_filter = ("client",)
    search_fields = ("manager__email", "manager__full_name", "project__name")
    list_select_related = ("manager", "project", "client")
    autocomplete_fields = ("manager",)
