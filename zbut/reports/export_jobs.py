"""Exports of the final export: small ones at once, large ones as an ExportJob run by a task.

The filters are kept as the query parameters the client chose and parsed again by the task
(``zbut.reports.filters``), so the file holds exactly the companies of the list it came from.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from zbut.accounts.models import Membership, User
from zbut.bases.models import Company
from zbut.core.on_commit import notify_on_commit
from zbut.projects.models import Project
from zbut.projects.selectors import projects_for
from zbut.reports.exports import write_export_csv
from zbut.reports.filters import companies_behind, parse_filter
from zbut.reports.models import ExportFormat, ExportJob, ExportState
from zbut.reports.xlsx import write_export_xlsx

logger = logging.getLogger(__name__)
MSG_FAILED = "export failed"
# Up to this many companies the file is written in the request; beyond, a task writes it.
IMMEDIATE_EXPORT_LIMIT = 2000
CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def exports_dir() -> Path:
    folder = Path(settings.VAR_DIR) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def export_file_name(*, project: Project, format: str) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"{project.slug}-export-{stamp}.{format}"


def xlsx_bytes(*, project: Project, companies: QuerySet[Company]) -> bytes:
    """A small XLSX export in memory (XlsxWriter's constant_memory mode needs a file)."""
    with tempfile.TemporaryDirectory(prefix="zbut-export-") as folder:
        path = Path(folder) / "export.xlsx"
        write_export_xlsx(project=project, companies=companies, path=path)
        return path.read_bytes()


def write_export_file(
    *,
    project: Project,
    companies: QuerySet[Company],
    format: str,
    path: Path,
    progress: Callable[[int], None] | None = None,
) -> int:
    """The export of ``companies`` in ``format`` written to ``path``; returns the row count."""
    if format == ExportFormat.XLSX:
        return write_export_xlsx(project=project, companies=companies, path=path, progress=progress)
    with path.open("w", encoding="utf-8", newline="") as handle:
        return write_export_csv(project=project, companies=companies, out=handle, progress=progress)


@transaction.atomic(durable=True)
def request_export(
    *, project: Project, actor: User, format: str, filters: Mapping[str, str]
) -> ExportJob:
    """Queue a large export; the task starts once this transaction commits."""
    job = ExportJob.objects.create(
        client_id=project.client_id,
        project=project,
        requested_by=actor,
        format=ExportFormat(format),
        filters=dict(filters),
    )
    job_id = job.pk
    notify_on_commit(lambda: _enqueue(job_id))
    return job


def run_export(*, export_job_id: int) -> ExportJob:
    """Write a queued export's file. Idempotent: a job already claimed is not run again."""
    claimed = ExportJob.objects.filter(pk=export_job_id, state=ExportState.QUEUED).update(
        state=ExportState.RUNNING
    )
    job = ExportJob.objects.select_related("project").get(pk=export_job_id)
    if not claimed:
        return job
    rows = ExportJob.objects.filter(pk=export_job_id)
    try:
        chosen = parse_filter(project=job.project, params=job.filters)
        companies = companies_behind(project=job.project, chosen=chosen)
        rows.update(rows_total=companies.count())
        path = exports_dir() / f"export-{job.pk}.{job.format}"
        done = write_export_file(
            project=job.project,
            companies=companies,
            format=job.format,
            path=path,
            progress=lambda n: rows.update(rows_done=n),
        )
    except Exception:
        # Any failure ends the job visibly (the client sees "failed", not a bar stuck forever);
        # the details go to the log, not to the client.
        logger.exception("export_failed export_job=%s", export_job_id)
        rows.update(state=ExportState.FAILED, error=MSG_FAILED, finished_at=timezone.now())
    else:
        rows.update(
            state=ExportState.DONE,
            rows_done=done,
            file_path=str(path),
            finished_at=timezone.now(),
        )
    job.refresh_from_db()
    return job


def export_job_for(*, membership: Membership, slug: str, job_id: int) -> ExportJob:
    """A job of a project the membership sees; raises ExportJob.DoesNotExist otherwise."""
    visible = projects_for(membership=membership).filter(slug=slug)
    return ExportJob.objects.select_related("project").get(pk=job_id, project__in=visible)


def _enqueue(job_id: int) -> None:
    from zbut.reports.tasks import run_export_task

    run_export_task.enqueue(job_id)
