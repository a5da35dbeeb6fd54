"""The screens: one dashboard per role and the project page.

Views stay thin: they pick the membership's projects through ``projects_for`` (tenancy,
ARCHITECTURE.md invariant 1), ask ``zbut.reports.selectors`` for the figures and render.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from zbut.accounts.models import Membership, Role
from zbut.bases import selectors as bases
from zbut.handoff.selectors import failing_destinations_for
from zbut.portal.charts import distribution_chart, funnel_chart
from zbut.projects.models import Phase, Project
from zbut.projects.selectors import assignments_of, phases_of, project_for, projects_for
from zbut.reports import selectors as reports


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The landing page: what the role needs first, or a polite page without any access."""
    membership: Membership | None = request.membership  # type: ignore[attr-defined]
    if membership is None:
        return render(request, "portal/no_access.html")
    if membership.is_client:
        return _client_dashboard(request, membership)
    if membership.role == Role.MANAGER:
        return _manager_dashboard(request, membership)
    return _agency_dashboard(request, membership)


def _agency_dashboard(request: HttpRequest, membership: Membership) -> HttpResponse:
    projects = projects_for(membership=membership)
    summaries = reports.project_summaries(projects=projects)
    distribution = reports.total_distribution(summaries=summaries)
    context = {
        "summaries": summaries,
        "totals": _totals(summaries),
        "clients_count": len({s.project.client_id for s in summaries}),
        "distribution": distribution,
        "distribution_chart": distribution_chart(distribution),
        "events": reports.recent_events(projects=projects, limit=20),
        "failing": failing_destinations_for(membership=membership),
    }
    return render(request, "portal/dashboard_agency.html", context)


def _manager_dashboard(request: HttpRequest, membership: Membership) -> HttpResponse:
    projects = projects_for(membership=membership)
    today = timezone.localdate()
    callbacks_total, callbacks = reports.callbacks_due(projects=projects, day=today)
    context = {
        "summaries": reports.project_summaries(projects=projects),
        "today": today,
        "activity": reports.manager_activity_on(
            manager_id=membership.user_id, projects=projects, day=today
        ),
        "my_events": reports.manager_events_on(
            manager_id=membership.user_id, projects=projects, day=today
        ),
        "callbacks_total": callbacks_total,
        "callbacks": callbacks,
    }
    return render(request, "portal/dashboard_manager.html", context)


def _client_dashboard(request: HttpRequest, membership: Membership) -> HttpResponse:
    projects = projects_for(membership=membership)
    summaries = reports.project_summaries(projects=projects)
    steps = reports.funnel(summaries=summaries)
    context = {
        "summaries": summaries,
        "totals": _totals(summaries),
        "distribution": reports.total_distribution(summaries=summaries),
        "funnel": steps,
        "funnel_chart": funnel_chart(steps),
        "feed": reports.work_feed(projects=projects, limit=20),
    }
    return render(request, "portal/dashboard_client.html", context)


@login_required
def project_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A project's terms, phases, managers and outcomes; 404 for a project one may not see."""
    membership: Membership | None = request.membership  # type: ignore[attr-defined]
    if membership is None:
        raise Http404
    try:
        project = project_for(membership=membership, slug=slug)
    except Project.DoesNotExist:
        raise Http404 from None
    visible = projects_for(membership=membership).filter(pk=project.pk)
    phases = phases_of(project=project)
    phase = _chosen_phase(phases, request.GET.get("phase", ""))
    distribution = reports.outcome_distribution(project=project, phase=phase)
    context = {
        "project": project,
        "summary": reports.project_summaries(projects=visible)[0],
        "phases": phases,
        "phase": phase,
        "assignments": assignments_of(project=project),
        "distribution": distribution,
        "distribution_chart": distribution_chart(distribution),
        "feed": reports.work_feed(projects=visible, limit=15),
        **_base_section(membership, project),
    }
    return render(request, "portal/project_detail.html", context)


def _base_section(membership: Membership, project: Project) -> dict[str, object]:
    """The "База" card: states of the base for all but managers, imports for the agency."""
    if membership.role == Role.MANAGER:
        return {}
    imports = bases.imports_of(project=project, limit=5) if membership.can_manage_agency else None
    return {"base_counts": bases.base_state_counts(project=project), "imports": imports}


def _chosen_phase(phases: list[Phase], number: str) -> Phase | None:
    """The phase picked by ``?phase=<number>``; anything else means the whole project."""
    return next((p for p in phases if str(p.number) == number), None)


def _totals(summaries: list[reports.ProjectSummary]) -> dict[str, int]:
    return {
        "projects": len(summaries),
        "companies": sum(s.companies for s in summaries),
        "processed": sum(s.processed for s in summaries),
        "positive": sum(s.positive for s in summaries),
        "interested": sum(s.interested for s in summaries),
        "contacts": sum(s.contacts for s in summaries),
    }
