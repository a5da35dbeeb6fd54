"""Exports from the portal: small ones at once (CSV, XLSX), large ones as a job with progress."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from python_calamine import CalamineWorkbook

from tests.desk.conftest import approved_companies
from tests.reports.builders import two_phases
from zbut.reports.models import ExportJob, ExportState

pytestmark = pytest.mark.django_db


def http_for(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def export(user, data, slug="a-system"):
    return http_for(user).post(reverse("export_start", args=[slug]), data)


def csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_a_small_csv_export_downloads_at_once_with_the_nine_columns(world):
    approved_companies(world.project_a, 3)
    response = export(world.bob, {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert len(rows) == 4 and all(len(row) == 9 for row in rows)


def test_a_filtered_xlsx_export_holds_only_the_filtered_companies(world):
    built = two_phases(world)
    response = export(world.alice, {"format": "xlsx", "outcome": "positive", "phase": "2",
                                    "reprocessed": "1"})  # fmt: skip
    assert response.status_code == 200
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    sheet = rows.get_sheet_by_index(0).to_python()
    assert len(sheet) == 1 + len(built.callback_ids)
    assert all(row[6].startswith("+380") for row in sheet[1:])


def test_export_by_category_and_region(world):
    approved_companies(world.project_a, 2, category="Агро", region="Львів")
    approved_companies(world.project_a, 3, category="Будівництво", start=10)
    response = export(world.alice, {"format": "csv", "category": "Агро", "region": "Львів"})
    assert len(csv_rows(response)) == 3


def test_bad_export_parameters_redirect_with_a_message(world):
    assert export(world.alice, {"format": "pdf"}).status_code == 302
    assert export(world.alice, {"format": "csv", "phase": "x"}).status_code == 302
    assert not ExportJob.objects.exists()


def test_another_clients_export_is_404(world):
    approved_companies(world.project_a, 1)
    assert export(world.charlie, {"format": "csv"}).status_code == 404


def test_a_large_export_runs_as_a_task_with_progress_and_a_download(
    world, monkeypatch, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.VAR_DIR = tmp_path
    monkeypatch.setattr("zbut.portal.export_views.IMMEDIATE_EXPORT_LIMIT", 2)
    monkeypatch.setattr("zbut.reports.exports.CHUNK", 2)
    approved_companies(world.project_a, 5)
    with django_capture_on_commit_callbacks(execute=True):
        response = export(world.alice, {"format": "csv"})
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("export_detail", args=["a-system", job.pk])
    assert (job.state, job.rows_done, job.rows_total) == (ExportState.DONE, 5, 5)
    assert job.requested_by == world.alice and job.client == world.client_a
    assert Path(job.file_path).parent == tmp_path / "exports"
    page = http_for(world.bob).get(reverse("export_detail", args=["a-system", job.pk]))
    assert 'id="export-download"' in page.content.decode()
    progress = http_for(world.bob).get(reverse("export_progress", args=["a-system", job.pk]))
    assert progress["HX-Refresh"] == "true"
    download = http_for(world.coordinator).get(
        reverse("export_download", args=["a-system", job.pk])
    )
    assert download.status_code == 200
    body = b"".join(download.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff") and body.count("\r\n") == 6


def test_a_running_job_shows_its_progress_bar_and_polls(world):
    job = ExportJob.objects.create(
        client=world.client_a, project=world.project_a, requested_by=world.alice, format="xlsx",
        state=ExportState.RUNNING, rows_done=50, rows_total=200,
    )  # fmt: skip
    html = http_for(world.alice).get(reverse("export_progress", args=["a-system", job.pk]))
    assert 'value="25"' in html.content.decode() and "hx-trigger" in html.content.decode()
    download = http_for(world.alice).get(reverse("export_download", args=["a-system", job.pk]))
    assert download.status_code == 404  # not done yet


def test_only_the_same_clients_people_and_the_agency_reach_a_job(world, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    (tmp_path / "exports").mkdir()
    path = tmp_path / "exports" / "export-1.csv"
    path.write_text("\ufeffx", encoding="utf-8")
    job = ExportJob.objects.create(client=world.client_a, project=world.project_a,
                                   requested_by=world.alice, format="csv", file_path=str(path),
                                   state=ExportState.DONE, rows_done=1, rows_total=1)  # fmt: skip
    for name in ("export_detail", "export_progress", "export_download"):
        own = reverse(name, args=["a-system", job.pk])
        assert http_for(world.charlie).get(own).status_code == 404
        assert (
            http_for(world.charlie).get(reverse(name, args=["b-system", job.pk])).status_code == 404
        )
        assert http_for(world.other_manager).get(own).status_code == 404
        assert http_for(world.alice).get(reverse(name, args=["a-pilot", job.pk])).status_code == 404
        assert http_for(world.bob).get(own).status_code == 200
        assert http_for(world.admin).get(own).status_code == 200
    assert (
        HttpClient().get(reverse("export_download", args=["a-system", job.pk])).status_code == 302
    )
