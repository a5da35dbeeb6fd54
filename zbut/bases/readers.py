"""Reading a base file as rows of text, whatever the coordinator was sent.

CSV in UTF-8 (with or without BOM) or cp1251, delimited by `;`, `,` or tab; XLSX and XLS
through python-calamine. Rows are streamed: a 100 000-row file is never held whole in memory.
"""

from __future__ import annotations

import codecs
import csv
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import BinaryIO

import python_calamine
from django.utils.translation import gettext_lazy as _

from zbut.core.errors import ZbutError

SAMPLE_BYTES = 256 * 1024
DELIMITERS = (";", ",", "\t")
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

EMPTY_FILE = _("Файл порожній.")
BINARY_FILE = _("Це не таблиця: файл двійковий, а не CSV, XLSX чи XLS.")
BROKEN_SPREADSHEET = _("Файл Excel пошкоджений або обрізаний: %(detail)s")
UNDECODABLE = _("Не вдалося прочитати текст файлу (рядок %(line)s): збережіть його як UTF-8.")
BROKEN_CSV = _("Помилка CSV у рядку %(line)s: %(detail)s")


class ReadErrorCode:
    EMPTY = "empty_file"
    BINARY = "binary_file"
    BROKEN_SPREADSHEET = "broken_spreadsheet"
    UNDECODABLE = "undecodable"
    BROKEN_CSV = "broken_csv"


class BaseFileError(ZbutError):
    """The file as a whole cannot be read; nothing is imported."""


@dataclass(frozen=True)
class TableFormat:
    kind: str  # "csv", "xlsx" or "xls"
    encoding: str = ""
    delimiter: str = ""


def detect_format(stream: BinaryIO) -> TableFormat:
    """Look at the first bytes and rewind: spreadsheet by magic number, else CSV details."""
    sample = stream.read(SAMPLE_BYTES)
    stream.seek(0)
    if not sample.strip():
        raise BaseFileError(ReadErrorCode.EMPTY, str(EMPTY_FILE))
    if sample.startswith(ZIP_MAGIC):
        return TableFormat(kind="xlsx")
    if sample.startswith(OLE_MAGIC):
        return TableFormat(kind="xls")
    if b"\x00" in sample:
        raise BaseFileError(ReadErrorCode.BINARY, str(BINARY_FILE))
    encoding = detect_encoding(sample, is_whole=len(sample) < SAMPLE_BYTES)
    text = sample.decode(encoding, errors="ignore")
    return TableFormat(kind="csv", encoding=encoding, delimiter=detect_delimiter(text))


def detect_encoding(sample: bytes, *, is_whole: bool) -> str:
    """UTF-8 when the bytes decode strictly (BOM or not), else cp1251.

    A sample cut from a larger file may end inside a multi-byte character, so its last
    three bytes are allowed to be incomplete.
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(sample, final=is_whole)
    except UnicodeDecodeError:
        return "cp1251"
    return "utf-8"


def detect_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the same number (> 1) of fields."""
    lines = text.splitlines()[:50]
    if len(lines) > 1 and not text.endswith(("\n", "\r")):
        lines = lines[:-1]  # the sample may cut the last line short
    best, best_score = ";", -1
    for delimiter in DELIMITERS:
        try:
            widths = [len(row) for row in csv.reader(lines, delimiter=delimiter) if row]
        except csv.Error:
            continue
        if not widths or max(widths) < 2:
            continue
        most_common = max(set(widths), key=widths.count)
        score = widths.count(most_common) * 1000 + most_common
        if score > best_score:
            best, best_score = delimiter, score
    return best


def iter_rows(path: Path) -> Iterator[list[str]]:
    """Every row of the file (header included) as a list of strings."""
    with path.open("rb") as stream:
        table_format = detect_format(stream)
    if table_format.kind == "csv":
        yield from _csv_rows(path, table_format)
    else:
        yield from _spreadsheet_rows(path)


def _csv_rows(path: Path, table_format: TableFormat) -> Iterator[list[str]]:
    with path.open("r", encoding=table_format.encoding, newline="") as text:
        reader = csv.reader(text, delimiter=table_format.delimiter)
        try:
            yield from reader
        except UnicodeDecodeError:
            raise BaseFileError(
                ReadErrorCode.UNDECODABLE, str(UNDECODABLE) % {"line": reader.line_num + 1}
            ) from None
        except csv.Error as error:
            raise BaseFileError(
                ReadErrorCode.BROKEN_CSV,
                str(BROKEN_CSV) % {"line": reader.line_num, "detail": error},
            ) from None


def _spreadsheet_rows(path: Path) -> Iterator[list[str]]:
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
        rows = sheet.iter_rows()
        for row in rows:
            yield [_cell_text(value) for value in row]
    except (python_calamine.CalamineError, zipfile.BadZipFile, OSError, ValueError) as error:
        raise BaseFileError(
            ReadErrorCode.BROKEN_SPREADSHEET,
            str(BROKEN_SPREADSHEET) % {"detail": type(error).__name__},
        ) from None


def _cell_text(value: object) -> str:
    """Spreadsheet values as the text a person would have typed.

    A whole float (a phone or ЄДРПОУ the spreadsheet made numeric) loses its `.0`.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return str(value)


def rows_from_bytes(data: bytes, *, suffix: str = ".csv") -> Iterator[list[str]]:
    """Rows of an in-memory file (tests and small uploads)."""
    with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
        handle.write(data)
        handle.flush()
        yield from iter_rows(Path(handle.name))
