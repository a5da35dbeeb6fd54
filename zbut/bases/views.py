"""Screens of a base import: upload, column mapping, live progress, the report.

Only the agency's coordinator and admin import (anyone else gets a 404, as for a project one
may not see). Views stay thin: the services judge the file, the selectors read.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from zbut.accounts.models import Membership
from zbut.bases import selectors
from zbut.bases.forms import MappingForm
from zbut.bases.models import BaseImport, ImportState, IssueKind
from zbut.bases.progress import progress_of
from zbut.bases.services import confirm_mapping, start_import
from zbut.bases.tasks import run_import_task
from zbut.bases.uploads import (
    MSG_NO_FILE,
    MSG_TOO_LARGE,
    MSG_WRONG_SUFFIX,
    BaseFileUploadHandler,
    discard_upload,
)
from zbut.core.errors import ZbutError
from zbut.core.on_commit import notify_on_commit
from zbut.projects.models import Project

ISSUES_PER_PAGE = 50


def base_project(request: HttpRequest, slug: str, *, agency_only: bool = False) -> Project:
    """The project of a base screen, or a 404 (tenancy and role, see ``base_project_for``)."""
    membership: Membership | None = request.membership  # type: ignore[attr-defined]
    if membership is None:
        raise Http404
    try:
        return selectors.base_project_for(membership=membership, slug=slug, agency_only=agency_only)
    except Project.DoesNotExist:
        raise Http404 from None


def _import(request: HttpRequest, slug: str, import_id: int) -> BaseImport:
    project = base_project(request, slug, agency_only=True)
    try:
        return selectors.import_of(project=project, import_id=import_id)
    except BaseImport.DoesNotExist:
        raise Http404 from None


@csrf_exempt
@login_required
def import_new(request: HttpRequest, slug: str) -> HttpResponse:
    """The upload form. The file is streamed to disk by our own handler, which must be in
    place before anything reads ``request.POST`` — hence CSRF is checked in the inner view
    (Django's documented pattern for per-view upload handlers)."""
    handler = BaseFileUploadHandler(request)
    if request.method == "POST":
        request.upload_handlers = [handler]
    return _import_new(request, slug, handler)


@csrf_protect
def _import_new(request: HttpRequest, slug: str, handler: BaseFileUploadHandler) -> HttpResponse:
    project = base_project(request, slug, agency_only=True)
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if handler.too_large:
            error = str(MSG_TOO_LARGE) % {"limit": handler.limit // (1024 * 1024)}
        elif handler.wrong_suffix:
            error = str(MSG_WRONG_SUFFIX)
        elif upload is None:
            error = str(MSG_NO_FILE)
        else:
            try:
                base_import = start_import(
                    project=project,
                    file_name=upload.name or "",
                    stored_path=upload.path,  # type: ignore[attr-defined]
                    actor=request.user,  # type: ignore[arg-type]
                )
            except ZbutError as failure:
                discard_upload(upload)
                error = str(failure.message)
            else:
                return redirect("bases:import_mapping", project.slug, base_import.pk)
    context = {
        "project": project,
        "error": error,
        "max_mb": handler.limit // (1024 * 1024),
        "imports": selectors.imports_of(project=project),
    }
    return render(request, "bases/import_new.html", context, status=400 if error else 200)


@login_required
@require_http_methods(["GET", "POST"])
def import_mapping(request: HttpRequest, slug: str, import_id: int) -> HttpResponse:
    base_import = _import(request, slug, import_id)
    if base_import.state != ImportState.MAPPING:
        return redirect("bases:import_detail", slug, base_import.pk)
    form = MappingForm(
        request.POST or None, headers=base_import.headers, mapping=base_import.mapping
    )
    if request.method == "POST" and form.is_valid():
        try:
            confirm_mapping(base_import=base_import, choices=form.choices())
        except ZbutError as failure:
            form.add_error(None, str(failure.message))
        else:
            pk = base_import.pk
            notify_on_commit(lambda: run_import_task.enqueue(pk))
            return redirect("bases:import_detail", slug, pk)
    context = {
        "project": base_import.project,
        "base_import": base_import,
        "form": form,
        "preview": selectors.import_preview(base_import=base_import),
    }
    return render(request, "bases/import_mapping.html", context)


@login_required
def import_detail(request: HttpRequest, slug: str, import_id: int) -> HttpResponse:
    base_import = _import(request, slug, import_id)
    if base_import.state == ImportState.MAPPING:
        return redirect("bases:import_mapping", slug, base_import.pk)
    kind = request.GET.get("kind", "")
    issues = Paginator(
        selectors.import_issues(base_import=base_import, kind=kind), ISSUES_PER_PAGE
    ).get_page(request.GET.get("page"))
    context = {
        "project": base_import.project,
        "base_import": base_import,
        "issues": issues,
        "kind": kind if kind in IssueKind.values else "",
        "query": urlencode({"kind": kind}) if kind in IssueKind.values else "",
        "kinds": IssueKind.choices,
        "is_finished": base_import.state in {ImportState.DONE, ImportState.FAILED},
        "progress": progress_of(base_import.pk),
    }
    return render(request, "bases/import_detail.html", context)


@login_required
def import_progress(request: HttpRequest, slug: str, import_id: int) -> HttpResponse:
    """The fragment htmx polls every second; once the import ends the page reloads itself."""
    base_import = _import(request, slug, import_id)
    response = render(
        request,
        "bases/_import_progress.html",
        {
            "project": base_import.project,
            "base_import": base_import,
            "progress": progress_of(base_import.pk),
        },
    )
    if base_import.state in {ImportState.DONE, ImportState.FAILED}:
        response["HX-Refresh"] = "true"
    return response


@login_required
def import_rejected_csv(request: HttpRequest, slug: str, import_id: int) -> HttpResponse:
    base_import = _import(request, slug, import_id)
    if base_import.state != ImportState.DONE:
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rejected-rows-{base_import.pk}.csv"'
    selectors.rejected_rows_csv(base_import=base_import, out=response)
    return response
