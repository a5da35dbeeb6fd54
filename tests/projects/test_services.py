"""Projects, phases and manager assignments."""

from __future__ import annotations

from datetime import date

import pytest

from zbut.accounts.services import create_client
from zbut.core.errors import ZbutError
from zbut.history.models import Event, EventKind
from zbut.projects.models import PhaseState, ProjectState
from zbut.projects.services import (
    ProjectsErrorCode,
    assign_manager,
    create_project,
    open_phase,
    plan_phase,
)


@pytest.fixture
def client_a(db):
    return create_client(slug="agro", name="ТОВ «Агро»")


def test_project_starts_its_own_history_chain(client_a):
    project = create_project(client=client_a, slug="agro-system", kind="system", name="Агро")
    event = Event.objects.get(project=project)
    assert (event.seq, event.kind) == (1, EventKind.PROJECT_CREATED)
    assert event.client == client_a


def test_project_slugs_are_unique_across_clients(client_a):
    other = create_client(slug="other", name="Інший")
    create_project(client=client_a, slug="main", kind="system", name="Агро")
    with pytest.raises(ZbutError) as raised:
        create_project(client=other, slug="main", kind="pilot", name="Інший")
    assert raised.value.code == ProjectsErrorCode.PROJECT_EXISTS


def test_unknown_project_kind_is_refused(client_a):
    with pytest.raises(ZbutError) as raised:
        create_project(client=client_a, slug="x", kind="forever", name="X")
    assert raised.value.code == ProjectsErrorCode.UNKNOWN_KIND


def test_opening_the_next_phase_closes_the_previous_one(client_a):
    project = create_project(client=client_a, slug="s", kind="system", name="S")
    first = open_phase(project=project, starts_on=date(2026, 11, 2), ends_on=date(2026, 11, 13))
    second = open_phase(project=project, starts_on=date(2026, 11, 16), ends_on=date(2026, 11, 27))
    first.refresh_from_db()
    project.refresh_from_db()
    assert (first.number, first.state) == (1, PhaseState.CLOSED)
    assert (second.number, second.state) == (2, PhaseState.ACTIVE)
    assert second.client_id == client_a.pk
    assert project.state == ProjectState.ACTIVE
    kinds = list(
        Event.objects.filter(project=project).order_by("seq").values_list("kind", flat=True)
    )
    assert kinds == ["project_created", "phase_opened", "phase_closed", "phase_opened"]


def test_a_pilot_has_at_most_two_phases(client_a):
    pilot = create_project(client=client_a, slug="p", kind="pilot", name="P")
    for start in (date(2026, 11, 2), date(2026, 11, 9)):
        open_phase(project=pilot, starts_on=start, ends_on=start)
    with pytest.raises(ZbutError) as raised:
        open_phase(project=pilot, starts_on=date(2026, 11, 16), ends_on=date(2026, 11, 20))
    assert raised.value.code == ProjectsErrorCode.PILOT_PHASE_LIMIT


def test_a_planned_phase_waits_and_becomes_the_next_opened_one(client_a):
    project = create_project(client=client_a, slug="s", kind="system", name="S")
    first = open_phase(project=project, starts_on=date(2026, 11, 2), ends_on=date(2026, 11, 13))
    planned = plan_phase(project=project, starts_on=date(2026, 11, 16), ends_on=date(2026, 11, 27))
    assert (planned.number, planned.state) == (2, PhaseState.PLANNED)
    first.refresh_from_db()
    assert first.state == PhaseState.ACTIVE  # planning closes nothing
    opened = open_phase(project=project, starts_on=date(2026, 11, 17), ends_on=date(2026, 11, 28))
    assert opened.pk == planned.pk
    assert (opened.number, opened.state, opened.starts_on) == (2, "active", date(2026, 11, 17))
    assert project.phases.count() == 2
    kinds = list(
        Event.objects.filter(project=project).order_by("seq").values_list("kind", flat=True)
    )
    assert kinds == [
        "project_created", "phase_opened", "phase_planned", "phase_closed", "phase_opened"
    ]  # fmt: skip


def test_a_pilot_cannot_plan_past_its_phase_limit(client_a):
    pilot = create_project(client=client_a, slug="p", kind="pilot", name="P")
    open_phase(project=pilot, starts_on=date(2026, 11, 2), ends_on=date(2026, 11, 6))
    plan_phase(project=pilot, starts_on=date(2026, 11, 9), ends_on=date(2026, 11, 13))
    with pytest.raises(ZbutError) as raised:
        plan_phase(project=pilot, starts_on=date(2026, 11, 16), ends_on=date(2026, 11, 20))
    assert raised.value.code == ProjectsErrorCode.PILOT_PHASE_LIMIT


def test_phase_dates_must_be_in_order(client_a):
    project = create_project(client=client_a, slug="s", kind="system", name="S")
    with pytest.raises(ZbutError) as raised:
        open_phase(project=project, starts_on=date(2026, 11, 20), ends_on=date(2026, 11, 2))
    assert raised.value.code == ProjectsErrorCode.DATES_OUT_OF_ORDER


def test_only_agency_managers_can_be_assigned(world):
    with pytest.raises(ZbutError) as raised:
        assign_manager(project=world.project_a, manager=world.alice)
    assert raised.value.code == ProjectsErrorCode.NOT_A_MANAGER


def test_assigning_a_manager_twice_records_one_event(world):
    assign_manager(project=world.project_a, manager=world.manager)
    assert (
        Event.objects.filter(kind=EventKind.MANAGER_ASSIGNED, project=world.project_a).count() == 1
    )
