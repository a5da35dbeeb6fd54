"""The company page: history oldest first, the contact line, the client's comment, 404s."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from tests.desk.conftest import approved_companies
from tests.reports.builders import two_phases
from zbut.bases.models import Company
from zbut.history.models import Event, EventKind

pytestmark = pytest.mark.django_db


def http_for(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def page_url(slug, company_id) -> str:
    return reverse("company_detail", args=[slug, company_id])


def test_history_is_oldest_first_with_the_contact_line(world):
    built = two_phases(world)
    warmed = Company.objects.get(pk__in=built.callback_ids, outcome="warm")
    response = http_for(world.alice).get(page_url("a-system", warmed.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Передзвонити завтра") < html.index("Після передзвону: цікаво")
    assert "КІЛЬКІСТЬ КОНТАКТУВАНЬ: 2" in html
    assert "+380" in html and "@firma.ua" in html


def test_client_comment_is_an_event_visible_in_the_history(world):
    [company] = approved_companies(world.project_a, 1)
    response = http_for(world.bob).post(page_url("a-system", company.pk),
                                        {"text": "Цей клієнт уже працює з нами"})  # fmt: skip
    assert response.status_code == 302
    event = Event.objects.get(kind=EventKind.CLIENT_COMMENT, company=company)
    assert event.actor == world.bob
    assert event.payload["note"] == "Цей клієнт уже працює з нами"
    assert (
        "Цей клієнт уже працює з нами"
        in http_for(world.manager).get(page_url("a-system", company.pk)).content.decode()
    )


def test_an_empty_comment_is_refused_with_a_message(world):
    [company] = approved_companies(world.project_a, 1)
    response = http_for(world.alice).post(page_url("a-system", company.pk), {"text": "  "})
    assert response.status_code == 200
    assert "Коментар порожній" in response.content.decode()
    assert not Event.objects.filter(kind=EventKind.CLIENT_COMMENT).exists()


def test_the_agency_cannot_comment_as_the_client(world):
    [company] = approved_companies(world.project_a, 1)
    response = http_for(world.manager).post(page_url("a-system", company.pk), {"text": "Я"})
    assert response.status_code == 200
    assert not Event.objects.filter(kind=EventKind.CLIENT_COMMENT).exists()


@pytest.mark.parametrize("company_id", ["abc", "99999999", "-1", "1e3", "0"])
def test_forged_ids_are_404(world, company_id):
    approved_companies(world.project_a, 1)
    assert http_for(world.alice).get(page_url("a-system", company_id)).status_code == 404


def test_another_clients_company_is_404_for_charlie_and_through_another_project(world):
    [company] = approved_companies(world.project_a, 1)
    assert http_for(world.charlie).get(page_url("a-system", company.pk)).status_code == 404
    assert http_for(world.charlie).get(page_url("b-system", company.pk)).status_code == 404
    assert http_for(world.alice).get(page_url("a-pilot", company.pk)).status_code == 404
    assert http_for(world.charlie).post(page_url("a-system", company.pk),
                                        {"text": "x"}).status_code == 404  # fmt: skip
    assert HttpClient().get(page_url("a-system", company.pk)).status_code == 302
