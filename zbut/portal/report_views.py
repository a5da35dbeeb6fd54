"""The reports page and the list of companies behind each of its figures.

Thin: the project comes through ``project_for`` (tenancy), the figures from
``zbut.reports`` selectors, the list's filter from ``zbut.reports.filters``.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from zbut.accounts.models import Membership
from zbut.portal.report_charts import growth_chart
from zbut.projects.models import Phase, Project
from zbut.projects.selectors import current_phase, phases_of, project_for, projects_for
from zbut.reports import figures, selectors
from zbut.reports.export_jobs import IMMEDIATE_EXPORT_LIMIT
from zbut.reports.filters import companies_behind, parse_filter

COMPANIES_PER_PAGE = 50


def visible_project(request: HttpRequest, slug: str) -> tuple[Membership, Project]:
    """The membership and its project by slug; 404 for anything it may not see."""
    membership: Membership | None = request.membership  # type: ignore[attr-defined]
    if membership is None:
        raise Http404
    try:
        return membership, project_for(membership=membership, slug=slug)
    except Project.DoesNotExist:
        raise Http404 from None


@login_required
@require_GET
def reports(request: HttpRequest, slug: str) -> HttpResponse:
    """Funnel against the norms, growth over phases, volumes, productivity (agency only)."""
    membership, project = visible_project(request, slug)
    phases = phases_of(project=project)
    number = request.GET.get("phase", "")
    phase = next((p for p in phases if str(p.number) == number), None)
    phase = phase or current_phase(project=project)
    summary = selectors.project_summaries(
        projects=projects_for(membership=membership).filter(pk=project.pk)
    )[0]
    growth = figures.growth_by_phase(project=project, phases=phases)
    context = {
        "project": project,
        "phases": phases,
        "phase": phase,
        "phase_distribution": _phase_distribution(project, phase),
        "project_distribution": summary.distribution,
        "summary": summary,
        "growth": growth,
        "growth_chart": growth_chart(growth),
        "volumes": figures.volumes(project=project, positive=summary.positive),
        "productivity": (
            figures.manager_productivity(project=project, phase=phase)
            if membership.is_agency
            else None
        ),
    }
    return render(request, "portal/reports.html", context)


@login_required
@require_GET
def report_companies(request: HttpRequest, slug: str) -> HttpResponse:
    """The companies behind a figure; bad parameters give a message and no list, never a 500."""
    _membership, project = visible_project(request, slug)
    chosen = parse_filter(project=project, params=request.GET)
    companies = companies_behind(project=project, chosen=chosen).order_by("name", "id")
    page = Paginator(companies, COMPANIES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "project": project,
        "chosen": chosen,
        "page": page,
        "total": page.paginator.count,
        "query": chosen.query(),
        "immediate_limit": IMMEDIATE_EXPORT_LIMIT,
    }
    return render(request, "portal/report_companies.html", context)


def _phase_distribution(
    project: Project, phase: Phase | None
) -> list[selectors.OutcomeShare] | None:
    return selectors.outcome_distribution(project=project, phase=phase) if phase else None
