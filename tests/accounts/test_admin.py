"""Every admin screen of Zbut's models opens for the agency admin."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client as HttpClient
from django.urls import reverse

from tests.conftest import World
from zbut.accounts.models import User

pytestmark = pytest.mark.django_db


def test_every_zbut_model_list_and_add_page_opens_for_the_agency_admin(world: World) -> None:
    http = HttpClient()
    http.force_login(world.admin)
    assert http.get(reverse("admin:index")).status_code == 200
    models = [
        m
        for m in admin.site._registry
        if m._meta.app_label in {"accounts", "projects", "bases", "history", "core"}
    ]
    assert len(models) >= 10
    for model in models:
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert http.get(changelist).status_code == 200, changelist
        add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        assert http.get(add).status_code in {200, 403}, add
        first = model.objects.first()
        if first is not None:
            change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])
            assert http.get(change).status_code == 200, change


def test_agency_admin_can_add_a_user_by_email_in_the_admin(world: World) -> None:
    http = HttpClient()
    http.force_login(world.admin)
    response = http.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "new@agency.ua",
            "full_name": "Нова Людина",
            "password1": "a-long-Password-42",
            "password2": "a-long-Password-42",
            "usable_password": "true",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    errors = response.context["adminform"].form.errors if response.status_code == 200 else {}
    assert response.status_code == 302, errors

    assert User.objects.filter(email="new@agency.ua").exists()
