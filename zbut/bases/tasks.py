"""Background work of the bases app: thin shims over services."""

from __future__ import annotations

from django_tasks import task

from zbut.bases.services import run_import


@task()
def run_import_task(base_import_id: int) -> int:
    """Run a queued import. Idempotent: an import already claimed is not run again."""
    return run_import(base_import_id=base_import_id).pk
