"""The company page: the whole client history of one company, and the client's comment."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from zbut.accounts.models import Membership
from zbut.bases.models import Company
from zbut.core.errors import ZbutError
from zbut.portal import services
from zbut.projects.models import Project
from zbut.projects.selectors import project_for
from zbut.reports.company_history import company_card, company_of


@login_required
@require_http_methods(["GET", "POST"])
def company_detail(request: HttpRequest, slug: str, company_id: str) -> HttpResponse:
    """404 for a company outside the visible project, whatever the id looks like."""
    company = _company(request, slug, company_id)
    membership: Membership = request.membership  # type: ignore[attr-defined]
    if request.method == "POST":
        try:
            services.comment_on_company(
                company=company, text=request.POST.get("text", ""), actor=request.user
            )
        except ZbutError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, services.MSG_COMMENT_SAVED)
            return redirect("company_detail", slug, company.pk)
    context = {
        "project": company.project,
        "card": company_card(company=company),
        "may_comment": membership.is_client,
        "comment_max": services.COMMENT_MAX_CHARS,
    }
    return render(request, "portal/company_detail.html", context)


def _company(request: HttpRequest, slug: str, company_id: str) -> Company:
    membership: Membership | None = request.membership  # type: ignore[attr-defined]
    if membership is None or not company_id.isdigit() or len(company_id) > 18:
        raise Http404
    try:
        project = project_for(membership=membership, slug=slug)
        return company_of(project=project, company_id=int(company_id))
    except (Project.DoesNotExist, Company.DoesNotExist):
        raise Http404 from None
