"""The agency admin's screens for the bases.

A company's outcome, contact count, last contact and next callback are derived from its
history (ARCHITECTURE.md invariant 2), so the admin shows them and never edits them.
"""

from __future__ import annotations

from django.contrib import admin

from zbut.bases.models import Company, CompanyEmail, CompanyPhone

DERIVED_FIELDS = ("outcome", "contact_count", "last_contact_at", "next_callback_on")


class CompanyPhoneInline(admin.TabularInline):
    model = CompanyPhone
    extra = 0
    fields = ("e164", "extension", "kind", "operator", "is_bad", "client")


class CompanyEmailInline(admin.TabularInline):
    model = CompanyEmail
    extra = 0
    fields = ("address", "client")


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "legal_form",
        "edrpou",
        "project",
        "category",
        "region",
        "outcome",
        "contact_count",
        "last_contact_at",
        "next_callback_on",
    )
    list_filter = ("outcome", "base_state", "project__client", "project", "region")
    search_fields = ("name", "edrpou", "phones__e164", "emails__address", "contact_person")
    list_select_related = ("project",)
    readonly_fields = (*DERIVED_FIELDS, "created_at")
    inlines = [CompanyPhoneInline, CompanyEmailInline]
    show_full_result_count = False


@admin.register(CompanyPhone)
class CompanyPhoneAdmin(admin.ModelAdmin):
    list_display = ("e164", "extension", "kind", "operator", "is_bad", "company")
    list_filter = ("kind", "is_bad", "client")
    search_fields = ("e164", "company__name")
    list_select_related = ("company",)
    raw_id_fields = ("company",)


@admin.register(CompanyEmail)
class CompanyEmailAdmin(admin.ModelAdmin):
    list_display = ("address", "company", "client")
    list_filter = ("client",)
    search_fields = ("address", "company__name")
    list_select_related = ("company", "client")
    raw_id_fields = ("company",)
