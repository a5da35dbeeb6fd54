"""Export of the base (or of a filtered view): at once when small, as a task when large."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zbut.portal.report_views import visible_project
from zbut.reports.export_jobs import (
    CONTENT_TYPES,
    IMMEDIATE_EXPORT_LIMIT,
    export_file_name,
    export_job_for,
    exports_dir,
    request_export,
    xlsx_bytes,
)
from zbut.reports.exports import write_export_csv
from zbut.reports.filters import companies_behind, parse_filter
from zbut.reports.models import ExportFormat, ExportJob, ExportState

FILTER_KEYS = ("outcome", "phase", "earned", "reprocessed", "worked", "manager", "category",
               "region")  # fmt: skip


@login_required
@require_POST
def export_start(request: HttpRequest, slug: str) -> HttpResponse:
    """The "Експорт" button: the file itself, or a job's progress page for a large export."""
    _membership, project = visible_project(request, slug)
    format = request.POST.get("format", "")
    if format not in ExportFormat.values:
        messages.error(request, _("Невідомий формат експорту."))
        return redirect("reports", slug)
    params = {key: request.POST.get(key, "") for key in FILTER_KEYS if request.POST.get(key)}
    chosen = parse_filter(project=project, params=params)
    if not chosen.is_valid:
        for error in chosen.errors:
            messages.error(request, error)
        return redirect("reports", slug)
    companies = companies_behind(project=project, chosen=chosen)
    if companies.count() >= IMMEDIATE_EXPORT_LIMIT:
        job = request_export(
            project=project, actor=request.user, format=format, filters=chosen.params()
        )
        return redirect("export_detail", slug, job.pk)
    name = export_file_name(project=project, format=format)
    if format == ExportFormat.XLSX:
        response = HttpResponse(
            xlsx_bytes(project=project, companies=companies), content_type=CONTENT_TYPES[format]
        )
    else:
        response = HttpResponse(content_type=CONTENT_TYPES[format])
        write_export_csv(project=project, companies=companies, out=response)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def export_detail(request: HttpRequest, slug: str, job_id: int) -> HttpResponse:
    job = _job(request, slug, job_id)
    return render(request, "portal/export_detail.html", {"project": job.project, "job": job})


@login_required
@require_GET
def export_progress(request: HttpRequest, slug: str, job_id: int) -> HttpResponse:
    """The fragment htmx polls every second; once the job ends the page reloads itself."""
    job = _job(request, slug, job_id)
    response = render(request, "portal/_export_progress.html", {"project": job.project, "job": job})
    if job.is_finished:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_GET
def export_download(request: HttpRequest, slug: str, job_id: int) -> FileResponse:
    job = _job(request, slug, job_id)
    path = Path(job.file_path)
    if job.state != ExportState.DONE or not path.is_file() or exports_dir() not in path.parents:
        raise Http404
    name = export_file_name(project=job.project, format=job.format)
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=name, content_type=CONTENT_TYPES[job.format]
    )


def _job(request: HttpRequest, slug: str, job_id: int) -> ExportJob:
    membership, _project = visible_project(request, slug)
    try:
        return export_job_for(membership=membership, slug=slug, job_id=job_id)
    except ExportJob.DoesNotExist:
        raise Http404 from None
