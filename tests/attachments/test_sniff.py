"""The type of a file comes from its bytes, and its extension must agree; pages, pictures
with scripts, programs and scripts are refused whatever they are called. Pure: no DB."""

from __future__ import annotations

import io
import zipfile

import pytest

from klient.attachments.sniff import file_name_clean, verdict
from tests.attachments.samples import PDF, docx_bytes

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def zipped(entries: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in entries.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def judged(tmp_path, name: str, content: bytes):
    path = tmp_path / "upload"
    path.write_bytes(content)
    return verdict(path, name, len(content))


ALLOWED = [
    ("contract.pdf", PDF, "application/pdf"),
    ("photo.png", PNG, "image/png"),
    ("photo.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 32, "image/jpeg"),
    ("scan.gif", b"GIF89a" + b"\x00" * 16, "image/gif"),
    (
        "offer.docx",
        docx_bytes(),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        "prices.xlsx",
        zipped({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"}),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    (
        "letter.odt",
        zipped({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<x/>"}),
        "application/vnd.oasis.opendocument.text",
    ),
    ("documents.zip", zipped({"a.txt": "a", "b.pdf": "b"}), "application/zip"),
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "application/msword"),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "application/vnd.ms-excel"),
    ("notes.txt", "Заметки со встречи\n".encode(), "text/plain"),
    ("notes-1251.txt", "Заметки со встречи\n".encode("cp1251"), "text/plain"),
    ("export.csv", "Имя;Телефон\nИван;+7 916\n".encode("utf-16"), "text/csv"),
    ("export.csv", b"\xef\xbb\xbfname,phone\r\nIvan,+7916\r\n", "text/csv"),
    ("letter.rtf", b"{\\rtf1\\ansi Hello}", "application/rtf"),
]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    ALLOWED,
    ids=[f"{i}-{case[0]}" for i, case in enumerate(ALLOWED)],
)
def test_allowed_files_are_kept_as_what_their_bytes_say(tmp_path, name, content, expected):
    result = judged(tmp_path, name, content)
    assert (result.content_type, result.reason) == (expected, "")


def test_a_png_saved_as_jpg_is_kept_as_a_png(tmp_path):
    assert judged(tmp_path, "photo.jpg", PNG).content_type == "image/png"
    assert judged(tmp_path, "photo.jpg", PNG).is_allowed


REFUSED = [
    ("page.html", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
    ("page.txt", b"  <html><body onload='x()'></body></html>"),
    ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>'),
    ("logo.txt", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'),
    ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64),
    ("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64),
    ("tool.txt", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64),
    ("run.txt", b"#!/bin/sh\nrm -rf ~\n"),
    ("run.sh", b"echo hi\n"),
    ("script.js", b"alert(1)\n"),
    ("macro.docm", docx_bytes()),
    ("contract.docx", PDF),  # the extension says Word, the bytes say PDF
    ("offer.pdf", docx_bytes()),
    ("broken.docx", b"PK\x03\x04not really a zip"),
    ("noextension", PDF),
    ("movie.mp4", b"\x00\x00\x00\x18ftypisom" + b"\x00" * 32),
    ("binary.txt", bytes(range(256)) * 4),
]


@pytest.mark.parametrize(("name", "content"), REFUSED, ids=[case[0] for case in REFUSED])
def test_pages_scripts_programs_and_mismatches_are_refused(tmp_path, name, content):
    result = judged(tmp_path, name, content)
    assert result.reason == "type"
    assert not result.is_allowed


def test_an_empty_file_is_refused_as_empty(tmp_path):
    assert judged(tmp_path, "empty.txt", b"").reason == "empty"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("contract.pdf", "contract.pdf"),
        ("C:\\Users\\ivan\\Desktop\\договор.pdf", "договор.pdf"),
        ("../../etc/passwd", "passwd"),
        ("invoice\u202egpj.exe", "invoicegpj.exe"),  # no right-to-left override
        ("line\nbreak\t.txt", "linebreak.txt"),
        ('a<b>:"c"|?*.txt', "a_b___c____.txt"),
        ("  .hidden.txt  ", "hidden.txt"),
        ("", "file"),
        (None, "file"),
        ("...", "file"),
        ("Й" * 300 + ".pdf", "Й" * 196 + ".pdf"),
    ],
)
def test_file_names_are_cleaned(given, expected):
    assert file_name_clean(given) == expected


def test_a_decomposed_name_is_stored_composed():
    assert file_name_clean("И\u0306ога.txt") == "Йога.txt"
