"""How far a running import has read, for the page that follows it.

An import writes inside one transaction from its first row to its last, so its progress
cannot live in the database (nobody would see it before the commit): it lives in the cache,
which every process of the product shares (``CACHE_URL``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.core.cache import cache

KEEP_S = 3600  # an import that died without clearing its progress leaves it this long
_CSV_SUFFIXES = {".csv", ".txt", ".tsv"}


@dataclass(frozen=True, slots=True)
class Progress:
    rows_read: int
    rows_total: int | None  # an estimate; None when the file does not tell (a workbook)

    @property
    def percent(self) -> int | None:
        """Percent done, never 100 before the import ends; None when the total is unknown."""
        if not self.rows_total:
            return None
        return min(99, self.rows_read * 100 // self.rows_total)


class ImportProgress:
    """The writer's side: ``set`` as rows are read, ``clear`` when the import ends."""

    def __init__(self, base_import_id: int, *, rows_total: int | None) -> None:
        self.key = _key(base_import_id)
        self.rows_total = rows_total

    def set(self, rows_read: int) -> None:
        cache.set(self.key, (rows_read, self.rows_total), KEEP_S)

    def clear(self) -> None:
        cache.delete(self.key)


def progress_of(base_import_id: int) -> Progress:
    """The progress of a running import: rows read so far (0 before the first report)."""
    rows_read, rows_total = cache.get(_key(base_import_id)) or (0, None)
    return Progress(rows_read=rows_read, rows_total=rows_total)


def estimated_rows(path: Path) -> int | None:
    """Data rows of a text base, by its line breaks (a quoted cell may hold more of them)."""
    if path.suffix.lower() not in _CSV_SUFFIXES:
        return None
    lines = 0
    try:
        with path.open("rb") as file:
            while block := file.read(1 << 20):
                lines += block.count(b"\n")
    except OSError:
        return None
    return max(lines - 1, 0) or None  # the header


def _key(base_import_id: int) -> str:
    return f"zbut:import-progress:{base_import_id}"
