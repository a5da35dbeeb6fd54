"""The progress of a running import, kept in the cache where the page can see it."""

from __future__ import annotations

from pathlib import Path

from zbut.bases.progress import ImportProgress, Progress, estimated_rows, progress_of


def test_progress_is_shared_through_the_cache_and_cleared_at_the_end() -> None:
    assert progress_of(7) == Progress(rows_read=0, rows_total=None)
    progress = ImportProgress(7, rows_total=1000)
    progress.set(250)
    assert progress_of(7) == Progress(rows_read=250, rows_total=1000)
    assert progress_of(8).rows_read == 0
    progress.clear()
    assert progress_of(7).rows_read == 0


def test_percent_is_unknown_without_a_total_and_never_100_before_the_end() -> None:
    assert Progress(rows_read=10, rows_total=None).percent is None
    assert Progress(rows_read=0, rows_total=40).percent == 0
    assert Progress(rows_read=10, rows_total=40).percent == 25
    assert Progress(rows_read=45, rows_total=40).percent == 99  # a quoted cell held line breaks


def test_rows_of_a_text_base_are_estimated_by_its_lines(tmp_path: Path) -> None:
    base = tmp_path / "база.csv"
    base.write_bytes("Назва;Телефон\n".encode() + b"A;1\n" * 300)
    assert estimated_rows(base) == 300
    (tmp_path / "empty.csv").write_bytes(b"")
    assert estimated_rows(tmp_path / "empty.csv") is None
    assert estimated_rows(tmp_path / "база.xlsx") is None  # a workbook: unknown
    assert estimated_rows(tmp_path / "missing.csv") is None
