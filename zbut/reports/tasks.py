"""Background work of the reports app: thin shims over services."""

from __future__ import annotations

from django_tasks import task

from zbut.reports.export_jobs import run_export


@task()
def run_export_task(export_job_id: int) -> int:
    """Write a queued export. Idempotent: an export already claimed is not run again."""
    return run_export(export_job_id=export_job_id).pk
