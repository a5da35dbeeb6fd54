"""The project page shows a visible project's terms and figures, and 404s for any other."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.http import HttpResponse
from django.test import Client as HttpClient
from django.urls import reverse

from tests.conftest import World
from zbut.accounts.models import User
from zbut.projects.services import assign_manager, create_project, open_phase

pytestmark = pytest.mark.django_db


def get_project_page(user: User, slug: str, query: str = "") -> HttpResponse:
    http = HttpClient()
    http.force_login(user)
    return http.get(reverse("project_detail", args=[slug]) + query)


def test_client_owner_sees_own_project_terms_phases_and_managers(world: World) -> None:
    project = create_project(
        client=world.client_a,
        slug="a-terms",
        kind="pilot",
        name="Пілот з умовами",
        price_per_company=Decimal("50.70"),
        price_cap=Decimal("5300"),
        contracted_cycles=250,
        contracted_machine_reach=400,
        positive_cap=100,
    )
    open_phase(project=project, starts_on=date(2026, 3, 2), ends_on=date(2026, 3, 13))
    assign_manager(project=project, manager=world.manager)
    response = get_project_page(world.alice, "a-terms")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Пілот з умовами" in page
    assert "50,70" in page
    assert "5300,00" in page
    assert "250" in page
    assert "02.03.2026" in page
    assert world.manager.get_full_name() in page
    assert 'id="distribution-chart"' in page


@pytest.mark.parametrize(
    ("person", "slug"),
    [
        ("alice", "b-system"),
        ("bob", "b-system"),
        ("charlie", "a-system"),
        ("charlie", "a-pilot"),
        ("manager", "a-pilot"),
        ("manager", "b-system"),
        ("other_manager", "a-system"),
    ],
)
def test_project_outside_the_membership_is_not_found(world: World, person: str, slug: str) -> None:
    assert get_project_page(getattr(world, person), slug).status_code == 404


@pytest.mark.parametrize(
    ("person", "slug"),
    [
        ("alice", "a-system"),
        ("bob", "a-pilot"),
        ("charlie", "b-system"),
        ("manager", "a-system"),
        ("admin", "b-system"),
        ("coordinator", "a-pilot"),
    ],
)
def test_project_inside_the_membership_opens(world: World, person: str, slug: str) -> None:
    assert get_project_page(getattr(world, person), slug).status_code == 200


def test_unknown_project_is_not_found(world: World) -> None:
    assert get_project_page(world.admin, "no-such-project").status_code == 404


def test_a_phase_can_be_chosen_and_a_wrong_one_means_the_whole_project(world: World) -> None:
    open_phase(project=world.project_a, starts_on=date(2026, 3, 2), ends_on=date(2026, 3, 13))
    chosen = get_project_page(world.alice, "a-system", "?phase=1")
    assert chosen.context["phase"].number == 1
    wrong = get_project_page(world.alice, "a-system", "?phase=banana")
    assert wrong.status_code == 200
    assert wrong.context["phase"] is None


def test_anonymous_visitor_is_sent_to_login_from_a_project(world: World) -> None:
    response = HttpClient().get(reverse("project_detail", args=["a-system"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
