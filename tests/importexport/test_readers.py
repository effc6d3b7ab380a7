"""Reading files: formats, encodings, delimiters, and clear refusals of bad files."""

from __future__ import annotations

import codecs
import os

import openpyxl
import pytest

from klient.importexport.errors import ImportFileError
from klient.importexport.readers import sniff_delimiter, table_open
from tests.importexport.conftest import csv_bytes

LIMIT = 10 * 1024 * 1024
ROWS = [
    ["Фамилия", "Имя", "Телефон"],
    ["Иванов", "Иван", "+7 916 123-45-67"],
    ["Петрова", "Анна", "8 903 111 22 33"],
]


def rows_of(path):
    reader = table_open(path, max_bytes=LIMIT)
    try:
        return reader.info, list(reader.rows())
    finally:
        reader.close()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1251"])
def test_csv_encodings_are_detected(write_file, encoding):
    info, rows = rows_of(write_file("a.csv", csv_bytes(ROWS, encoding=encoding)))
    assert info.encoding == encoding
    assert info.headers == ["Фамилия", "Имя", "Телефон"]
    assert rows == [
        (2, ["Иванов", "Иван", "+7 916 123-45-67"], ""),
        (3, ["Петрова", "Анна", "8 903 111 22 33"], ""),
    ]


def test_windows_1251_with_many_rows_beyond_the_sample(write_file):
    rows = [ROWS[0]] + [["Иванов", f"Иван{i}", "+7 916 123-45-67"] for i in range(5000)]
    info, read = rows_of(write_file("big.csv", csv_bytes(rows, encoding="cp1251")))
    assert info.encoding == "cp1251"
    assert len(read) == 5000
    assert read[-1] == (5001, ["Иванов", "Иван4999", "+7 916 123-45-67"], "")


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters_are_sniffed(write_file, delimiter):
    info, rows = rows_of(write_file("d.csv", csv_bytes(ROWS, delimiter=delimiter)))
    assert info.delimiter == delimiter
    assert rows[0][1] == ["Иванов", "Иван", "+7 916 123-45-67"]


def test_sniffing_is_not_fooled_by_commas_inside_cells():
    text = 'Name;Address;Phone\r\n"Ivan";"Moscow, Tverskaya 1";"+7 916"\r\nAnna;"Sofia, 2";1\r\n'
    assert sniff_delimiter(text) == ";"


def test_quoted_line_breaks_keep_spreadsheet_row_numbers_and_blank_rows_are_skipped(write_file):
    content = 'Name,Note\r\nIvan,"line one\r\nline two"\r\n,\r\n\r\nAnna,ok\r\n'
    _info, rows = rows_of(write_file("q.csv", content))
    assert rows == [(2, ["Ivan", "line one\r\nline two"], ""), (5, ["Anna", "ok"], "")]


def test_short_and_long_rows_are_fitted_to_the_header(write_file):
    _info, rows = rows_of(write_file("s.csv", "A,B,C\r\n1\r\n1,2,3,4\r\n"))
    assert [values for _n, values, _p in rows] == [["1", "", ""], ["1", "2", "3"]]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"   \r\n\r\n", "empty"),
        (csv_bytes([["Name", "Email"]]), "no_rows"),
        (csv_bytes([["Name", "Email"], ["", ""]]), "no_rows"),
        (csv_bytes([["Email", "Name", "email"], ["a@b.c", "x", "y"]]), "duplicate_headers"),
        (csv_bytes([["", ""], ["a", "b"]]), "no_header"),
        (bytes(range(256)) * 20, "unreadable"),
        (b"PK\x03\x04" + os.urandom(300), "bad_xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200), "xls"),
    ],
    ids=[
        "empty",
        "blank",
        "header-only",
        "blank-rows",
        "duplicate-headers",
        "no-header",
        "binary",
        "broken-zip",
        "old-xls",
    ],
)
def test_bad_files_get_a_clear_reason(write_file, content, reason):
    with pytest.raises(ImportFileError) as error:
        reader = table_open(write_file("bad.csv", content), max_bytes=LIMIT)
        reader.prepare()
    assert error.value.reason == reason
    assert error.value.as_dict()["code"] == "import_file_invalid"
    assert error.value.as_dict()["fields"]["file"] == str(error.value.message)


def test_duplicate_header_message_names_the_columns(write_file):
    with pytest.raises(ImportFileError) as error:
        table_open(
            write_file("d.csv", csv_bytes([["Email", "email", "Имя", "Имя"], ["1"] * 4])),
            max_bytes=LIMIT,
        )
    assert "«email»" in str(error.value.message)
    assert "«Имя»" in str(error.value.message)


def test_file_over_the_size_limit_is_refused_before_reading(write_file):
    path = write_file("big.csv", csv_bytes(ROWS))
    with pytest.raises(ImportFileError) as error:
        table_open(path, max_bytes=10)
    assert error.value.reason == "too_large"


def test_a_row_in_another_encoding_past_the_sample_is_one_bad_row(write_file):
    head = csv_bytes([["Name"]] + [["Иван"]] * 20000)  # UTF-8 well past the sample
    content = head + "Пётр\r\n".encode("cp1251") + "Анна\r\n".encode()
    _info, rows = rows_of(write_file("mixed.csv", content))
    assert len(rows) == 20002
    assert rows[20000] == (
        20002,
        [""],
        "This row cannot be read as utf-8 text; save the file as UTF-8.",
    )
    assert rows[20001] == (20003, ["Анна"], "")


def test_xlsx_numbers_dates_and_blank_rows(write_file, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Имя", "Телефон", "Дата"])
    sheet.append(["Иван", 79161234567, None])
    sheet.append([None, None, None])
    sheet.append(["Анна", 3.5, None])
    path = tmp_path / "people.xlsx"
    book.save(path)

    info, rows = rows_of(path)
    assert (info.file_format, info.headers) == ("xlsx", ["Имя", "Телефон", "Дата"])
    assert rows == [(2, ["Иван", "79161234567", ""], ""), (4, ["Анна", "3.5", ""], "")]


VCARD3 = """BEGIN:VCARD\r
VERSION:3.0\r
N:Иванов;Иван;Петрович;;\r
FN:Иван Петрович Иванов\r
EMAIL;TYPE=INTERNET:ivan@example.com\r
EMAIL;TYPE=INTERNET:ivan@home.ru\r
TEL;TYPE=CELL:+7 916 123-45-67\r
ORG:ООО Ромашка;Отдел продаж\r
TITLE:Директор\r
CATEGORIES:vip,партнёр\r
END:VCARD\r
BEGIN:VCARD\r
VERSION:4.0\r
FN:Jane Doe\r
EMAIL:jane@example.org\r
TEL;VALUE=uri;TYPE=cell:tel:+44-7700-900123\r
END:VCARD\r
BEGIN:VCARD\r
VERSION:3.0\r
N:broken\r
EMAIL;TYPE=INTERNET\r
END:VCARD\r
"""


def test_vcard_3_and_4_cards_become_rows_and_a_broken_card_is_one_bad_row(write_file):
    info, rows = rows_of(write_file("c.vcf", VCARD3))
    assert info.file_format == "vcard"
    assert rows[0] == (
        1,
        [
            "",
            "Иванов",
            "Иван",
            "Петрович",
            "ivan@example.com, ivan@home.ru",
            "+7 916 123-45-67",
            "ООО Ромашка",
            "Директор",
            "vip, партнёр",
        ],
        "",
    )
    assert rows[1] == (
        2,
        ["Jane Doe", "", "", "", "jane@example.org", "tel:+44-7700-900123", "", "", ""],
        "",
    )
    assert rows[2][0] == 3
    assert rows[2][2] == "This vCard entry cannot be read."


def test_utf8_bom_before_vcard_is_recognised(write_file):
    info, rows = rows_of(write_file("c.vcf", codecs.BOM_UTF8 + VCARD3.encode()))
    assert info.file_format == "vcard"
    assert len(rows) == 3
