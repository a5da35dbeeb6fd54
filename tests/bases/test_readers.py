"""Base files are read whatever their encoding, delimiter or format; broken ones are named."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.bases.xlsx import xlsx_bytes
from zbut.bases.readers import (
    BaseFileError,
    ReadErrorCode,
    detect_delimiter,
    detect_encoding,
    detect_format,
    rows_from_bytes,
)

ROWS = [
    ["Назва", "Адреса", "Телефони"],
    ['ТОВ "Агро-Світ"', "м. Київ; вул. Хрещатик, 1", "067 294 51 23\n044 123 45 67"],
    ["ПП «Ґудзик»", "Львів", "+38 (032) 255-12-34"],
]


def _csv(rows, *, delimiter=";", encoding="utf-8") -> bytes:
    import csv

    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1251"])
@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_csv_is_read_in_any_encoding_and_delimiter(encoding, delimiter):
    data = _csv(ROWS, delimiter=delimiter, encoding=encoding)
    assert list(rows_from_bytes(data)) == ROWS


def test_quoted_fields_keep_embedded_newlines_and_delimiters():
    rows = list(rows_from_bytes(_csv(ROWS)))
    assert rows[1][1] == "м. Київ; вул. Хрещатик, 1"
    assert rows[1][2] == "067 294 51 23\n044 123 45 67"


def test_cp1251_is_recognised_even_when_utf8_would_fail_only_late():
    data = _csv([["Назва"]] + [["ТОВ Альфа"]] * 5000 + [["ТОВ Ґрунт"]], encoding="cp1251")
    assert detect_encoding(data, is_whole=True) == "cp1251"


def test_a_sample_cut_inside_a_utf8_character_is_still_utf8():
    data = "Назва;Телефон\n".encode()
    assert detect_encoding(data[:-3] + "Ї".encode()[:1], is_whole=False) == "utf-8"


def test_delimiter_is_the_one_that_splits_lines_consistently():
    assert detect_delimiter("Назва;Адреса, корпус\nА;Б, 2\nВ;Г, 3\n") == ";"
    assert detect_delimiter("Name,Phones\nA,1\nB,2\n") == ","
    assert detect_delimiter("Name\tPhones\nA\t1\n") == "\t"


def test_an_empty_file_is_refused():
    with pytest.raises(BaseFileError) as raised:
        detect_format(io.BytesIO(b"  \r\n"))
    assert raised.value.code == ReadErrorCode.EMPTY


def test_a_binary_file_renamed_csv_is_refused():
    with pytest.raises(BaseFileError) as raised:
        detect_format(io.BytesIO(b"\x7fELF\x02\x01\x01\x00\x00\x00garbage"))
    assert raised.value.code == ReadErrorCode.BINARY


def test_a_truncated_xlsx_is_refused_with_a_clear_message():
    with pytest.raises(BaseFileError) as raised:
        list(rows_from_bytes(b"PK\x03\x04" + b"\x00" * 100, suffix=".xlsx"))
    assert raised.value.code == ReadErrorCode.BROKEN_SPREADSHEET
    assert "Excel" in raised.value.message


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=2000))
def test_any_bytes_either_read_or_are_refused_with_a_reason(data):
    try:
        for row in rows_from_bytes(data):
            assert all(isinstance(cell, str) for cell in row)
    except BaseFileError as error:
        assert error.code


def test_xlsx_is_read_and_numeric_phones_lose_their_float_tail():
    data = xlsx_bytes([["Назва", "Телефон", "ЄДРПОУ"], ["ТОВ «Агро»", 380672945123.0, 32855961]])
    rows = list(rows_from_bytes(data, suffix=".xlsx"))
    assert rows == [["Назва", "Телефон", "ЄДРПОУ"], ["ТОВ «Агро»", "380672945123", "32855961"]]
