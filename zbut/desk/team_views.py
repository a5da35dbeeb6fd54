"""The coordinator's view of a project's desk: the team now, the pace today, the norms of the
current phase, the queue; and the levers: plan and open the next phase, set priorities."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zbut.accounts.models import Role
from zbut.bases.selectors import outcome_distribution
from zbut.core.errors import ZbutError
from zbut.desk import team
from zbut.desk.errors import QueueStopped
from zbut.desk.priorities import set_priority, weight_error
from zbut.desk.queue import check_queue_open
from zbut.desk.rules import kyiv_day
from zbut.desk.views import desk_project
from zbut.projects.models import Phase, PhaseState
from zbut.projects.selectors import current_phase, phases_of
from zbut.projects.services import open_phase, plan_phase

COORDINATORS = frozenset({Role.ADMIN, Role.COORDINATOR})
DEFAULT_PHASE_DAYS = 7


@login_required
def team_page(request: HttpRequest, slug: str) -> HttpResponse:
    project = desk_project(request, slug, roles=COORDINATORS)
    phase = current_phase(project=project)
    try:
        check_queue_open(project=project)
        stopped = ""
    except QueueStopped as error:
        stopped = error.message
    total_cycles, phase_cycles = team.cycles_used(project=project, phase=phase)
    categories, regions = team.base_facets(project=project)
    today = kyiv_day(timezone.now())
    context = {
        "project": project,
        "phase": phase,
        "stopped": stopped,
        "board": team.team_board(project=project),
        "hourly_chart": team.hourly_chart(project=project),
        "distribution": outcome_distribution(project=project, phase=phase),
        "total_cycles": total_cycles,
        "phase_cycles": phase_cycles,
        "buckets": team.queue_buckets(project=project),
        "priorities": team.priorities_of(project=project),
        "categories": categories,
        "regions": regions,
        "phase_starts": today,
        "phase_ends": today + timedelta(days=DEFAULT_PHASE_DAYS - 1),
        "planned_phases": [p for p in phases_of(project=project) if p.state == PhaseState.PLANNED],
    }
    return render(request, "desk/team.html", context)


@require_POST
@login_required
def open_next_phase(request: HttpRequest, slug: str) -> HttpResponse:
    """Open phase N+1 (the active one closes); a pilot's limit of phases comes back as text."""
    return _phase_step(request, slug, open_phase, _("Відкрито фазу %(number)s."))


@require_POST
@login_required
def plan_next_phase(request: HttpRequest, slug: str) -> HttpResponse:
    """Plan the next phase ahead, so that its slice of the base can be agreed with the client."""
    return _phase_step(request, slug, plan_phase, _("Заплановано фазу %(number)s."))


def _phase_step(
    request: HttpRequest, slug: str, step: Callable[..., Phase], done: str
) -> HttpResponse:
    project = desk_project(request, slug, roles=COORDINATORS)
    try:
        starts_on = date.fromisoformat(request.POST.get("starts_on", ""))
        ends_on = date.fromisoformat(request.POST.get("ends_on", ""))
    except ValueError:
        messages.error(request, _("Вкажіть дати початку й кінця фази."))
        return redirect("desk:team", slug=project.slug)
    try:
        phase = step(project=project, starts_on=starts_on, ends_on=ends_on, actor=request.user)
    except ZbutError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done % {"number": phase.number})
    return redirect("desk:team", slug=project.slug)


@require_POST
@login_required
def priority(request: HttpRequest, slug: str) -> HttpResponse:
    """Set a category/region weight; the waiting queue follows it at once."""
    project = desk_project(request, slug, roles=COORDINATORS)
    try:
        weight = int(request.POST.get("weight", "").strip())
    except ValueError:
        messages.error(request, weight_error())
        return redirect("desk:team", slug=project.slug)
    try:
        set_priority(
            project=project,
            category=request.POST.get("category", ""),
            region=request.POST.get("region", ""),
            weight=weight,
            actor=request.user,
        )
    except ZbutError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Пріоритет збережено: черга вже враховує його."))
    return redirect("desk:team", slug=project.slug)
