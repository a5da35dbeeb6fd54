"""The base agreement page (узгодження бази) and its steps.

The client's owner and viewer and the agency's coordinator and admin see it; a manager and
another client's people get a 404. Each step posts, calls one service, says what happened in a
message and redirects back (post/redirect/get); the service decides who may do what.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zbut.accounts.models import Membership, Role
from zbut.bases import agreements, selectors
from zbut.bases.forms import CommentForm, ExcludeCategoryForm, ExcludeForm, SendForm
from zbut.bases.models import BaseAgreement, BaseState, Company
from zbut.bases.views import base_project
from zbut.core.errors import ZbutError
from zbut.projects.models import Project

COMPANIES_PER_PAGE = 50


@login_required
def agreement_page(request: HttpRequest, slug: str) -> HttpResponse:
    project = base_project(request, slug)
    membership: Membership = request.membership  # type: ignore[attr-defined]
    open_agreements = selectors.open_agreements(project=project)
    agreement = _chosen(open_agreements, request.GET.get("a", ""))
    category, region = request.GET.get("category", ""), request.GET.get("region", "")
    context: dict[str, object] = {
        "project": project,
        "counts": selectors.base_state_counts(project=project),
        "states": BaseState,
        "open_agreements": open_agreements,
        "agreement": agreement,
        "history": selectors.agreements_of(project=project),
        "can_decide": membership.is_client and membership.role == Role.OWNER,
        "can_send": membership.can_manage_agency,
        "category": category,
        "region": region,
        "here": request.get_full_path(),
    }
    if membership.can_manage_agency:
        context["new_categories"], context["new_regions"] = selectors.new_company_facets(
            project=project
        )
        context["plannable_phases"] = selectors.plannable_phases(project=project)
    if agreement is not None:
        companies = Paginator(
            selectors.agreement_companies(agreement=agreement, category=category, region=region),
            COMPANIES_PER_PAGE,
        ).get_page(request.GET.get("page"))
        comments = selectors.comments_of(company_ids=[company.pk for company in companies])
        for company in companies:
            company.client_comments = comments.get(company.pk, [])  # type: ignore[attr-defined]
        context["companies"] = companies
        context["categories"], context["regions"] = selectors.agreement_facets(agreement=agreement)
        filters = {"a": agreement.pk, "category": category, "region": region}
        context["query"] = urlencode({k: v for k, v in filters.items() if v})
    return render(request, "bases/agreement.html", context)


def _chosen(open_agreements: list[BaseAgreement], wanted: str) -> BaseAgreement | None:
    """The agreement picked by ``?a=<id>``, else the oldest one still open."""
    return next((a for a in open_agreements if str(a.pk) == wanted), None) or next(
        iter(open_agreements), None
    )


def _agreement(request: HttpRequest, slug: str, agreement_id: int) -> BaseAgreement:
    project = base_project(request, slug)
    try:
        return selectors.agreement_of(project=project, agreement_id=agreement_id)
    except BaseAgreement.DoesNotExist:
        raise Http404 from None


def _back(request: HttpRequest, project: Project) -> HttpResponseRedirect:
    """Back to the page the form was on (its filters and page), or to the agreement page."""
    target = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    if not (safe and target.startswith("/")):
        target = reverse("bases:agreement", args=[project.slug])
    return HttpResponseRedirect(target)


def _site_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


@login_required
@require_POST
def agreement_send(request: HttpRequest, slug: str) -> HttpResponse:
    project = base_project(request, slug, agency_only=True)
    back = HttpResponseRedirect(reverse("bases:agreement", args=[project.slug]))
    form = SendForm(request.POST)
    number = form.cleaned_data.get("phase") if form.is_valid() else None
    phase = selectors.plannable_phase(project=project, number=number) if number else None
    if not form.is_valid() or (number and phase is None):
        messages.error(request, str(agreements.MSG_BAD_PHASE))
        return back
    try:
        sent = agreements.send_for_agreement(
            project=project,
            actor=request.user,  # type: ignore[arg-type]
            category=form.cleaned_data.get("category") or "",
            region=form.cleaned_data.get("region") or "",
            phase=phase,
            site_url=_site_url(request),
        )
    except ZbutError as failure:
        messages.error(request, str(failure.message))
    else:
        text = _("Надіслано клієнту на узгодження: %(count)s компаній.")
        messages.success(request, text % {"count": sent.proposed})
    return back


@login_required
@require_POST
def agreement_exclude(request: HttpRequest, slug: str, agreement_id: int) -> HttpResponse:
    agreement = _agreement(request, slug, agreement_id)
    form = ExcludeForm(request.POST)
    form.is_valid()
    return _exclude(request, agreement, lambda: agreements.exclude_companies(
        agreement=agreement,
        company_ids=form.cleaned_data.get("company", []),
        reason=form.cleaned_data.get("reason", ""),
        actor=request.user,  # type: ignore[arg-type]
    ))  # fmt: skip


@login_required
@require_POST
def agreement_exclude_category(request: HttpRequest, slug: str, agreement_id: int) -> HttpResponse:
    agreement = _agreement(request, slug, agreement_id)
    form = ExcludeCategoryForm(request.POST)
    form.is_valid()
    return _exclude(request, agreement, lambda: agreements.exclude_category(
        agreement=agreement,
        category=form.cleaned_data.get("category", ""),
        reason=form.cleaned_data.get("reason", ""),
        actor=request.user,  # type: ignore[arg-type]
    ))  # fmt: skip


def _exclude(request: HttpRequest, agreement: Any, exclude: Callable[[], int]) -> HttpResponse:
    """Run an exclusion; its count or its refusal goes to the page, then back to the list."""
    try:
        count = exclude()
    except ZbutError as failure:
        messages.error(request, str(failure.message))
    else:
        messages.success(request, _("Виключено компаній: %(count)s.") % {"count": count})
    return _back(request, agreement.project)


@login_required
@require_POST
def agreement_approve(request: HttpRequest, slug: str, agreement_id: int) -> HttpResponse:
    agreement = _agreement(request, slug, agreement_id)
    try:
        approved = agreements.approve(
            agreement=agreement,
            actor=request.user,  # type: ignore[arg-type]
            site_url=_site_url(request),
        )
    except ZbutError as failure:
        messages.error(request, str(failure.message))
    else:
        text = _("Базу погоджено: %(approved)s компаній підуть у роботу, виключено %(excluded)s.")
        messages.success(
            request, text % {"approved": approved.approved, "excluded": approved.excluded}
        )
    return HttpResponseRedirect(reverse("bases:agreement", args=[agreement.project.slug]))


@login_required
@require_POST
def company_comment(request: HttpRequest, slug: str, company_id: int) -> HttpResponse:
    project = base_project(request, slug)
    try:
        company = selectors.company_of(project=project, company_id=company_id)
    except Company.DoesNotExist:
        raise Http404 from None
    form = CommentForm(request.POST)
    form.is_valid()
    try:
        agreements.comment_on_company(
            company=company,
            text=form.cleaned_data.get("text", ""),
            actor=request.user,  # type: ignore[arg-type]
        )
    except ZbutError as failure:
        messages.error(request, str(failure.message))
    else:
        messages.success(request, _("Коментар збережено."))
    return _back(request, project)
