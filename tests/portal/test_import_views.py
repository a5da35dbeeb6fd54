"""Importing a base through the screens: upload, mapping, the task, the report, the CSV."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse

from tests.bases.xlsx import xlsx_bytes
from tests.conftest import World
from zbut.accounts.models import User
from zbut.bases.models import BaseImport, Company, ImportState
from zbut.bases.progress import ImportProgress
from zbut.bases.readers import BINARY_FILE, EMPTY_FILE
from zbut.bases.services import MSG_NO_HEADER, MSG_NO_NAME_COLUMN, run_import

pytestmark = pytest.mark.django_db

NASTY = Path(__file__).resolve().parents[1] / "bases" / "corpus" / "base-nasty-cp1251.csv"


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path: Path) -> Path:
    settings.IMPORT_UPLOAD_DIR = tmp_path / "imports"
    return settings.IMPORT_UPLOAD_DIR


def signed_in(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def upload(http: HttpClient, name: str, data: bytes, slug: str = "a-system"):
    return http.post(
        reverse("bases:import_new", args=[slug]), {"file": SimpleUploadedFile(name, data)}
    )


def stored_files(upload_dir: Path) -> list[Path]:
    return sorted(upload_dir.glob("*")) if upload_dir.exists() else []


def test_upload_mapping_import_and_report_of_the_nasty_corpus(
    world: World, upload_dir: Path, django_capture_on_commit_callbacks
) -> None:
    http = signed_in(world.coordinator)
    assert http.get(reverse("bases:import_new", args=["a-system"])).status_code == 200

    response = upload(http, NASTY.name, NASTY.read_bytes())
    base_import = BaseImport.objects.get()
    mapping_url = reverse("bases:import_mapping", args=["a-system", base_import.pk])
    assert response.status_code == 302
    assert response["Location"] == mapping_url
    (stored,) = stored_files(upload_dir)
    assert stored.suffix == ".csv"
    assert stored.read_bytes() == NASTY.read_bytes()

    page = http.get(mapping_url).content.decode()
    for header in ("Назва", "Телефони", "Категорія", "ЄДРПОУ", "Сайт"):
        assert f'<th scope="col">{header}</th>' in page
    assert "Хрещатик" in page  # the preview of the first data rows
    assert "— залишити як додатковий атрибут —" in page
    assert '<option value="phones" selected>' in page

    choices = {f"col_{i}": value for i, value in base_import.mapping.items()}
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(mapping_url, choices)
    detail_url = reverse("bases:import_detail", args=["a-system", base_import.pk])
    assert response["Location"] == detail_url
    base_import.refresh_from_db()
    assert base_import.state == ImportState.DONE
    assert (base_import.rows, base_import.imported, base_import.rejected) == (11, 5, 4)

    report = http.get(detail_url).content.decode()
    assert 'data-count="rejected">4<' in report
    assert 'data-count="possible_duplicates">1<' in report
    assert report.count('data-kind="rejected"') == 4
    assert "<td>Немає жодного контакту: 3.80673E+11 — " in report
    assert '<td lang="en">no valid phone or e-mail' in report
    assert "rejected.csv" in report

    rejected = http.get(reverse("bases:import_rejected_csv", args=["a-system", base_import.pk]))
    assert rejected.status_code == 200
    assert rejected["Content-Disposition"].startswith("attachment;")
    text = rejected.content.decode("utf-8")
    assert text.startswith("\ufeffНазва;")
    assert len(text.strip().splitlines()) == 5  # the header and the four rejected rows

    progress = http.get(reverse("bases:import_progress", args=["a-system", base_import.pk]))
    assert progress["HX-Refresh"] == "true"

    project_page = http.get(reverse("project_detail", args=["a-system"])).content.decode()
    assert NASTY.name in project_page


def test_the_report_pages_and_filters_the_issues(world: World) -> None:
    http = signed_in(world.admin)
    upload(http, NASTY.name, NASTY.read_bytes())
    base_import = BaseImport.objects.get()
    choices = {f"col_{i}": value for i, value in base_import.mapping.items()}
    http.post(reverse("bases:import_mapping", args=["a-system", base_import.pk]), choices)
    # Without executed on-commit callbacks the task was never enqueued: the page shows progress.
    detail_url = reverse("bases:import_detail", args=["a-system", base_import.pk])
    page = http.get(detail_url).content.decode()
    assert 'hx-trigger="every 1s"' in page
    run_import(base_import_id=base_import.pk)
    merged = http.get(detail_url + "?kind=merged").content.decode()
    assert merged.count('data-kind="merged"') == 2
    assert 'data-kind="rejected"' not in merged


def test_a_mapping_without_a_name_column_is_refused_on_the_form(world: World) -> None:
    http = signed_in(world.coordinator)
    upload(http, NASTY.name, NASTY.read_bytes())
    base_import = BaseImport.objects.get()
    choices = {f"col_{i}": value for i, value in base_import.mapping.items() if value != "name"}
    url = reverse("bases:import_mapping", args=["a-system", base_import.pk])
    response = http.post(url, choices)
    assert response.status_code == 200
    assert str(MSG_NO_NAME_COLUMN) in response.content.decode()
    base_import.refresh_from_db()
    assert base_import.state == ImportState.MAPPING


def test_an_xlsx_upload_reaches_the_mapping_screen(world: World) -> None:
    data = xlsx_bytes([["Назва", "Телефон"], ["ТОВ «Альфа»", "0672945123"]])
    response = upload(signed_in(world.coordinator), "base.xlsx", data)
    assert response.status_code == 302
    assert BaseImport.objects.get().headers == ["Назва", "Телефон"]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.csv", b"", EMPTY_FILE),
        ("blank.csv", b"\r\n  \r\n", EMPTY_FILE),
        ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), BINARY_FILE),
        ("numbers.csv", "Колонка 1;Колонка 2\n1;2\n".encode(), MSG_NO_HEADER),
    ],
)
def test_an_unreadable_file_gets_its_message_and_creates_nothing(
    world: World, upload_dir: Path, name: str, data: bytes, message: object
) -> None:
    response = upload(signed_in(world.coordinator), name, data)
    assert response.status_code == 400
    assert str(message) in response.content.decode()
    assert not BaseImport.objects.exists()
    assert stored_files(upload_dir) == []


def test_a_truncated_xlsx_gets_its_message_and_creates_nothing(
    world: World, upload_dir: Path
) -> None:
    data = xlsx_bytes([["Назва", "Телефон"], ["ТОВ «Альфа»", "0672945123"]])
    response = upload(signed_in(world.coordinator), "cut.xlsx", data[: len(data) // 2])
    assert response.status_code == 400
    assert "Файл Excel пошкоджений або обрізаний" in response.content.decode()
    assert not BaseImport.objects.exists()
    assert stored_files(upload_dir) == []


def test_an_upload_over_the_limit_is_refused_without_storing_it(
    world: World, settings, upload_dir: Path
) -> None:
    settings.BASE_IMPORT_MAX_MB = 0
    response = upload(signed_in(world.coordinator), NASTY.name, NASTY.read_bytes())
    assert response.status_code == 400
    assert "Файл більший за 0 МБ" in response.content.decode()
    assert not BaseImport.objects.exists()
    assert stored_files(upload_dir) == []


def test_a_body_past_the_limit_is_cut_off_while_streaming(
    world: World, settings, upload_dir: Path, monkeypatch
) -> None:
    """A body that does not announce its size is cut off by counting the bytes written."""
    settings.BASE_IMPORT_MAX_MB = 1
    monkeypatch.setattr("zbut.bases.uploads.MULTIPART_SLACK_BYTES", 10 * 1024 * 1024)
    data = NASTY.read_bytes() * (1024 * 1024 // len(NASTY.read_bytes()) + 2)
    response = upload(signed_in(world.coordinator), "big.csv", data)
    assert response.status_code == 400
    assert "Файл більший за 1 МБ" in response.content.decode()
    assert stored_files(upload_dir) == []


def test_a_file_of_another_kind_is_refused(world: World, upload_dir: Path) -> None:
    response = upload(signed_in(world.coordinator), "base.pdf", b"%PDF-1.4")
    assert response.status_code == 400
    assert "Підтримуються файли CSV, XLSX і XLS." in response.content.decode()
    assert stored_files(upload_dir) == []


@pytest.mark.parametrize("person", ["manager", "alice", "bob", "charlie"])
def test_only_the_agency_coordinator_and_admin_see_the_import_pages(
    world: World, person: str
) -> None:
    coordinator = signed_in(world.coordinator)
    upload(coordinator, NASTY.name, NASTY.read_bytes())
    base_import = BaseImport.objects.get()
    http = signed_in(getattr(world, person))
    args = ["a-system", base_import.pk]
    for name in ("import_mapping", "import_detail", "import_progress", "import_rejected_csv"):
        assert http.get(reverse(f"bases:{name}", args=args)).status_code == 404, name
    assert http.get(reverse("bases:import_new", args=["a-system"])).status_code == 404
    assert upload(http, NASTY.name, NASTY.read_bytes()).status_code == 404
    assert BaseImport.objects.count() == 1


def test_an_import_is_not_reachable_through_another_project(world: World) -> None:
    coordinator = signed_in(world.coordinator)
    upload(coordinator, NASTY.name, NASTY.read_bytes())
    base_import = BaseImport.objects.get()
    url = reverse("bases:import_detail", args=["b-system", base_import.pk])
    assert coordinator.get(url).status_code == 404


def test_a_client_owner_sees_the_base_card_without_imports(world: World) -> None:
    page = signed_in(world.alice).get(reverse("project_detail", args=["a-system"]))
    text = page.content.decode()
    assert 'id="base"' in text
    assert reverse("bases:agreement", args=["a-system"]) in text
    assert reverse("bases:import_new", args=["a-system"]) not in text
    assert not Company.objects.exists()


def test_a_running_import_shows_how_far_it_has_read(world: World) -> None:
    http = signed_in(world.coordinator)
    upload(http, NASTY.name, NASTY.read_bytes())
    base_import = BaseImport.objects.get()
    BaseImport.objects.filter(pk=base_import.pk).update(state=ImportState.RUNNING)
    progress = ImportProgress(base_import.pk, rows_total=200)
    progress.set(50)  # as the import reports it, before its transaction commits
    url = reverse("bases:import_progress", args=["a-system", base_import.pk])
    page = http.get(url).content.decode()
    assert '<strong class="progress-rows">50</strong> з приблизно 200' in page
    assert 'aria-valuenow="25"' in page and "width: 25%" in page
    assert "HX-Refresh" not in http.get(url)
    progress.clear()
    assert 'class="progress progress--indeterminate"' in http.get(url).content.decode()
