"""The agency admin's screens for tenants and people.

Users are identified by e-mail, so Django's stock user forms (built around ``username``)
are replaced by two small forms on our model.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from zbut.accounts.forms import AdminEmailAuthenticationForm
from zbut.accounts.models import Agency, Client, Membership, User

# The admin's sign-in goes through the same e-mail authentication, so its lockout holds too.
admin.site.login_form = AdminEmailAuthenticationForm


class UserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name")
        field_classes: dict[str, type[forms.Field]] = {}


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes: dict[str, type[forms.Field]] = {}


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    fields = ("role", "client", "agency", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("client",)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    list_display = ("email", "full_name", "is_active", "is_staff", "last_login", "date_joined")
    list_filter = ("is_active", "is_staff", "memberships__role")
    search_fields = ("email", "full_name")
    ordering = ("email",)
    readonly_fields = ("last_login", "date_joined")
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Особисті дані"), {"fields": ("full_name",)}),
        (
            _("Права"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Дати"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "password1", "password2"),
            },
        ),
    )


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "created_at")
    search_fields = ("name",)


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "edrpou", "created_at")
    search_fields = ("name", "slug", "edrpou")
    readonly_fields = ("created_at",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "client", "created_at")
    list_filter = ("role", "client")
    search_fields = ("user__email", "user__full_name", "client__name")
    list_select_related = ("user", "client")
    autocomplete_fields = ("user", "client")
    readonly_fields = ("created_at",)
