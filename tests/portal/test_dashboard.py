"""Each role's dashboard shows its own projects and figures, and nothing of another client."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD, World
from zbut.accounts.models import User
from zbut.accounts.services import create_user
from zbut.bases.models import Company
from zbut.bases.outcomes import Outcome
from zbut.bases.services import CompanyDraft, add_companies
from zbut.history.models import EventKind
from zbut.history.services import record_event
from zbut.projects.models import Project

pytestmark = pytest.mark.django_db


def work_on(
    project: Project,
    outcomes: list[Outcome],
    *,
    actor: User | None = None,
    prefix: str = "Компанія",
    callback_in_days: int | None = None,
) -> list[Company]:
    """Companies of the project that a manager reached, with an outcome event each.

    The desk's outcome service does not exist yet, so the derived fields are set the way
    it will set them: beside the event, in one transaction.
    """
    drafts = [CompanyDraft(name=f"{prefix} {i}", category="Агро") for i in range(len(outcomes))]
    companies = add_companies(project=project, drafts=drafts)
    today = timezone.localdate()
    for company, outcome in zip(companies, outcomes, strict=True):
        callback_on = (
            today + timedelta(days=callback_in_days) if callback_in_days is not None else None
        )
        with transaction.atomic():
            Company.objects.filter(pk=company.pk).update(
                outcome=outcome,
                contact_count=1,
                last_contact_at=timezone.now(),
                next_callback_on=callback_on,
            )
            record_event(
                kind=EventKind.OUTCOME,
                project=project,
                company=company,
                actor=actor,
                payload={"outcome": outcome.value, "note": f"Нотатка про {company.name}"},
            )
    return companies


def logged_in(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def dashboard_of(user: User) -> str:
    response = logged_in(user).get(reverse("dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def test_anonymous_visitor_is_sent_to_login(client: HttpClient) -> None:
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("person", ["alice", "bob"])
def test_client_people_see_their_projects_and_never_another_clients(
    world: World, person: str
) -> None:
    work_on(world.project_b, [Outcome.INTERESTED], prefix="Чужа фірма")
    work_on(world.project_a, [Outcome.WARM], prefix="Своя фірма")
    page = dashboard_of(getattr(world, person))
    assert "/p/a-system/" in page
    assert "/p/a-pilot/" in page
    assert "Своя фірма 0" in page
    assert "Data Base ONLINE" in page
    assert "Бета" not in page
    assert "/p/b-system/" not in page
    assert "Чужа фірма" not in page


def test_other_client_owner_sees_only_own_client(world: World) -> None:
    work_on(world.project_a, [Outcome.WARM], prefix="Фірма Альфи")
    page = dashboard_of(world.charlie)
    assert "/p/b-system/" in page
    assert "Альфа" not in page
    assert "Фірма Альфи" not in page


def test_manager_sees_only_assigned_projects(world: World) -> None:
    page = dashboard_of(world.manager)
    assert "/p/a-system/" in page
    assert "/p/a-pilot/" not in page
    assert "/p/b-system/" not in page
    assert "Бета" not in page


@pytest.mark.parametrize("person", ["admin", "coordinator"])
def test_agency_admin_and_coordinator_see_every_client_and_project(
    world: World, person: str
) -> None:
    work_on(world.project_a, [Outcome.INTERESTED, Outcome.NOT_INTERESTED])
    page = dashboard_of(getattr(world, person))
    for slug in ("a-system", "a-pilot", "b-system"):
        assert f"/p/{slug}/" in page
    assert "ТОВ «Альфа»" in page
    assert "ПП «Бета»" in page
    assert 'id="distribution-chart"' in page
    assert "vendor/chartjs/chart.umd.min.js" in page


def test_only_the_agency_admin_is_offered_the_admin_site(world: World) -> None:
    admin_url = reverse("admin:index")
    assert admin_url in dashboard_of(world.admin)
    assert admin_url not in dashboard_of(world.coordinator)
    assert admin_url not in dashboard_of(world.alice)


def test_manager_dashboard_shows_own_work_today_and_callbacks_due(world: World) -> None:
    work_on(
        world.project_a,
        [Outcome.CALLBACK, Outcome.CALLBACK],
        actor=world.manager,
        prefix="Передзвонити",
        callback_in_days=0,
    )
    work_on(world.project_a, [Outcome.CALLBACK], prefix="Пізніше", callback_in_days=5)
    work_on(
        world.project_b,
        [Outcome.CALLBACK],
        actor=world.other_manager,
        prefix="Чужий передзвін",
        callback_in_days=0,
    )
    response = logged_in(world.manager).get(reverse("dashboard"))
    page = response.content.decode()
    assert response.context["activity"].outcomes == 2
    assert response.context["callbacks_total"] == 2
    assert "Передзвонити 0" in page
    assert "Передзвонити 1" in page
    assert "Пізніше" not in page
    assert "Чужий передзвін" not in page


def test_client_dashboard_funnel_counts_only_own_companies(world: World) -> None:
    work_on(world.project_a, [Outcome.INTERESTED, Outcome.WARM, Outcome.NOT_INTERESTED])
    work_on(world.project_b, [Outcome.INTERESTED] * 4)
    response = logged_in(world.alice).get(reverse("dashboard"))
    steps = {step.key: step.count for step in response.context["funnel"]}
    assert steps == {
        "base": 3,
        "processed": 3,
        "positive": 2,
        "warm_or_hot": 2,
        "interested": 1,
    }
    assert 'id="funnel-chart"' in response.content.decode()


def test_client_dashboard_queries_do_not_grow_with_the_feed(world: World) -> None:
    http = logged_in(world.alice)
    work_on(world.project_a, [Outcome.WARM] * 2, actor=world.manager)
    with CaptureQueriesContext(connection) as few:
        http.get(reverse("dashboard"))
    work_on(world.project_a2, [Outcome.CALLBACK] * 15, actor=world.manager, prefix="Ще")
    with CaptureQueriesContext(connection) as many:
        http.get(reverse("dashboard"))
    assert len(many.captured_queries) == len(few.captured_queries)


def test_person_without_membership_gets_a_polite_page(db: None) -> None:
    stranger = User.objects.create_user("stranger@nowhere.ua", PASSWORD)
    page = dashboard_of(stranger)
    assert "Доступ ще не надано" in page


def test_person_with_two_memberships_can_switch_between_them(world: World) -> None:
    create_user(email=world.alice.email, role="viewer", client=world.client_b)
    http = logged_in(world.alice)
    response = http.get(reverse("dashboard"))
    active = response.context["membership"]
    other = world.alice.memberships.exclude(pk=active.pk).get()
    switch_url = reverse("switch_membership", args=[other.pk])
    assert switch_url in response.content.decode()

    assert http.post(switch_url).status_code == 302
    response = http.get(reverse("dashboard"))
    assert response.context["membership"] == other
    own_slug = "a-system" if other.client == world.client_a else "b-system"
    foreign_slug = "b-system" if own_slug == "a-system" else "a-system"
    page = response.content.decode()
    assert f"/p/{own_slug}/" in page
    assert f"/p/{foreign_slug}/" not in page


def test_switching_to_a_membership_of_someone_else_is_not_found(world: World) -> None:
    bobs = world.bob.memberships.get()
    response = logged_in(world.charlie).post(reverse("switch_membership", args=[bobs.pk]))
    assert response.status_code == 404


def test_language_switch_turns_the_interface_english(world: World) -> None:
    http = logged_in(world.alice)
    assert "Вийти" in http.get(reverse("dashboard")).content.decode()
    response = http.post(reverse("set_language"), {"language": "en", "next": reverse("dashboard")})
    assert response.status_code == 302
    page = http.get(reverse("dashboard")).content.decode()
    assert 'lang="en"' in page
    assert "Log out" in page
    assert "Вийти" not in page


def test_static_assets_are_vendored_not_fetched_from_a_cdn(world: World) -> None:
    page = dashboard_of(world.admin)
    assert "//cdn" not in page
    assert "unpkg" not in page
    assert "jsdelivr" not in page
    for path in (
        "/static/vendor/htmx/htmx.min.js",
        "/static/vendor/chartjs/chart.umd.min.js",
        "/static/zbut/css/app.css",
    ):
        assert path in page
