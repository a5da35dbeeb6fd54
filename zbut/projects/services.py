"""Writes about projects, their phases and the managers assigned to them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from zbut.accounts.models import Client, Membership, Role, User
from zbut.core.errors import ZbutError
from zbut.history.models import EventKind
from zbut.history.services import record_event
from zbut.projects.models import (
    PILOT_MAX_PHASES,
    Assignment,
    Phase,
    PhaseState,
    Project,
    ProjectKind,
    ProjectState,
)


class ProjectsErrorCode:
    PROJECT_EXISTS = "project_exists"
    INVALID_SLUG = "invalid_slug"
    UNKNOWN_KIND = "unknown_kind"
    DATES_OUT_OF_ORDER = "dates_out_of_order"
    PILOT_PHASE_LIMIT = "pilot_phase_limit"
    NOT_A_MANAGER = "not_a_manager"


@transaction.atomic(durable=True)
def create_project(
    *,
    client: Client,
    slug: str,
    kind: str,
    name: str,
    starts_on: date | None = None,
    ends_on: date | None = None,
    price_per_company: Decimal | None = None,
    price_cap: Decimal | None = None,
    monthly_fee: Decimal | None = None,
    contracted_cycles: int = 0,
    contracted_machine_reach: int = 0,
    positive_cap: int | None = None,
    script: str = "",
    offer_summary: str = "",
    actor: User | None = None,
    occurred_at: datetime | None = None,
) -> Project:
    """A new project of a client. Project slugs are unique in the installation."""
    if kind not in ProjectKind.values:
        raise ZbutError(
            ProjectsErrorCode.UNKNOWN_KIND,
            _("Невідомий вид проєкту «%(kind)s»; можливі: pilot, system.") % {"kind": kind},
        )
    if not slug or slugify(slug) != slug:
        raise ZbutError(
            ProjectsErrorCode.INVALID_SLUG,
            _("Коротке ім'я «%(slug)s» може містити лише латинські літери, цифри та дефіси.")
            % {"slug": slug},
        )
    if starts_on and ends_on and ends_on < starts_on:
        raise ZbutError(
            ProjectsErrorCode.DATES_OUT_OF_ORDER, _("Кінець проєкту раніше за його початок.")
        )
    if Project.objects.filter(slug=slug).exists():
        raise ZbutError(
            ProjectsErrorCode.PROJECT_EXISTS,
            _("Проєкт «%(slug)s» вже існує.") % {"slug": slug},
        )
    project = Project.objects.create(
        client=client,
        slug=slug,
        kind=kind,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        price_per_company=price_per_company,
        price_cap=price_cap,
        monthly_fee=monthly_fee,
        contracted_cycles=contracted_cycles,
        contracted_machine_reach=contracted_machine_reach,
        positive_cap=positive_cap,
        script=script,
        offer_summary=offer_summary,
    )
    record_event(
        kind=EventKind.PROJECT_CREATED,
        project=project,
        actor=actor,
        payload={"slug": project.slug, "kind": project.kind, "name": project.name},
        occurred_at=occurred_at,
    )
    return project


@transaction.atomic(durable=True)
def plan_phase(
    *,
    project: Project,
    starts_on: date,
    ends_on: date,
    actor: User | None = None,
) -> Phase:
    """Plan the project's next phase ahead, so that a slice of the base can be agreed for it.

    Nobody calls in a planned phase: ``open_phase`` makes it the active one when its day comes.
    """
    project = Project.objects.select_for_update().get(pk=project.pk)
    _check_dates(starts_on, ends_on)
    number = _next_number(project)
    phase = Phase.objects.create(
        client_id=project.client_id,
        project=project,
        number=number,
        starts_on=starts_on,
        ends_on=ends_on,
        state=PhaseState.PLANNED,
    )
    record_event(
        kind=EventKind.PHASE_PLANNED,
        project=project,
        actor=actor,
        payload={"phase": number, "starts_on": str(starts_on), "ends_on": str(ends_on)},
    )
    return phase


@transaction.atomic(durable=True)
def open_phase(
    *,
    project: Project,
    starts_on: date,
    ends_on: date,
    actor: User | None = None,
    occurred_at: datetime | None = None,
) -> Phase:
    """Open the project's next phase; the phase before it, if still active, is closed.

    The next phase is the first planned one, if any (it takes the given dates), else a new one.
    """
    project = Project.objects.select_for_update().get(pk=project.pk)
    _check_dates(starts_on, ends_on)
    active = project.phases.filter(state=PhaseState.ACTIVE).order_by("-number").first()
    planned = project.phases.filter(state=PhaseState.PLANNED).order_by("number").first()
    phase = planned or Phase(
        client_id=project.client_id, project=project, number=_next_number(project)
    )
    if active is not None:
        active.state = PhaseState.CLOSED
        active.save(update_fields=["state"])
        record_event(
            kind=EventKind.PHASE_CLOSED,
            project=project,
            actor=actor,
            payload={"phase": active.number},
            occurred_at=occurred_at,
        )
    phase.starts_on, phase.ends_on, phase.state = starts_on, ends_on, PhaseState.ACTIVE
    phase.save()
    if project.state == ProjectState.DRAFT:
        project.state = ProjectState.ACTIVE
        project.save(update_fields=["state"])
    record_event(
        kind=EventKind.PHASE_OPENED,
        project=project,
        actor=actor,
        payload={"phase": phase.number, "starts_on": str(starts_on), "ends_on": str(ends_on)},
        occurred_at=occurred_at,
    )
    return phase


def _check_dates(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise ZbutError(
            ProjectsErrorCode.DATES_OUT_OF_ORDER, _("Кінець фази раніше за її початок.")
        )


def _next_number(project: Project) -> int:
    """The number a new phase gets; a pilot has at most PILOT_MAX_PHASES of them."""
    last = project.phases.order_by("-number").first()
    number = (last.number + 1) if last else 1
    if project.kind == ProjectKind.PILOT and number > PILOT_MAX_PHASES:
        raise ZbutError(
            ProjectsErrorCode.PILOT_PHASE_LIMIT,
            _("Пілотний проєкт має щонайбільше %(n)s фази.") % {"n": PILOT_MAX_PHASES},
        )
    return number


@transaction.atomic(durable=True)
def assign_manager(
    *,
    project: Project,
    manager: User,
    actor: User | None = None,
    occurred_at: datetime | None = None,
) -> Assignment:
    """Let a manager work the project's base; assigning twice changes nothing."""
    if not Membership.objects.filter(user=manager, client__isnull=True, role=Role.MANAGER).exists():
        raise ZbutError(
            ProjectsErrorCode.NOT_A_MANAGER,
            _("%(user)s не є менеджером агенції.") % {"user": manager.email},
        )
    assignment, created = Assignment.objects.get_or_create(
        project=project, manager=manager, defaults={"client_id": project.client_id}
    )
    if created:
        record_event(
            kind=EventKind.MANAGER_ASSIGNED,
            project=project,
            actor=actor,
            payload={"manager_id": manager.pk},
            occurred_at=occurred_at,
        )
    return assignment
