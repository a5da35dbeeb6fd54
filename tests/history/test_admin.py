"""The event log in the admin can be read but never added to, changed or deleted."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from tests.conftest import World
from zbut.history.models import Event

pytestmark = pytest.mark.django_db


def test_agency_admin_can_read_the_event_log(world: World) -> None:
    http = HttpClient()
    http.force_login(world.admin)
    assert http.get(reverse("admin:history_event_changelist")).status_code == 200
    event = Event.objects.filter(project=world.project_a).first()
    response = http.get(reverse("admin:history_event_change", args=[event.pk]))
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()


def test_event_admin_refuses_change_add_and_delete(world: World) -> None:
    http = HttpClient()
    http.force_login(world.admin)
    event = Event.objects.filter(project=world.project_a).first()
    before = (event.kind, event.payload, event.hash)
    response = http.post(
        reverse("admin:history_event_change", args=[event.pk]),
        {"kind": "note", "payload": "{}"},
    )
    assert response.status_code == 403
    assert http.get(reverse("admin:history_event_add")).status_code == 403
    assert http.post(reverse("admin:history_event_delete", args=[event.pk])).status_code == 403
    event.refresh_from_db()
    assert (event.kind, event.payload, event.hash) == before


def test_client_people_and_managers_cannot_open_the_admin(world: World) -> None:
    for person in (world.alice, world.manager, world.coordinator):
        http = HttpClient()
        http.force_login(person)
        response = http.get(reverse("admin:index"))
        assert response.status_code == 302
        assert reverse("admin:login") in response["Location"]
