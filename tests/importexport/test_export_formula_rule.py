"""CSV exports neutralise real formula risks only: a phone or a plain number stays as it is."""

from __future__ import annotations

import pytest

from klient.importexport.exporters import csv_chunks, neutralize
from klient.importexport.records import unescape_cell
from tests.importexport.conftest import client_for


@pytest.mark.parametrize(
    "cell",
    [
        "+7 960 123-45-67",
        "+79601234567",
        "+1 555 0100",
        "+7 (960) 123-45-67",
        "-15",
        "+15",
        "-1.5",
        "-1,5",
        "15",
        "Иванов",
        "",
    ],
)
def test_phones_and_plain_numbers_are_written_as_they_are(cell):
    assert neutralize(cell) == cell


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("+2-3", "'+2-3"),
        ("=1+1", "'=1+1"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-SMB", "'-SMB"),
        ("+7 960 abc", "'+7 960 abc"),
        ("'=1", "''=1"),  # an apostrophe already there gets another: the importer undoes one
    ],
)
def test_formula_risks_get_an_apostrophe(cell, written):
    assert neutralize(cell) == written
    assert unescape_cell(written) == cell


def test_a_value_that_starts_with_an_apostrophe_before_a_phone_reads_back_exactly():
    assert neutralize("'+7 960 123-45-67") == "'+7 960 123-45-67"
    assert unescape_cell("'+7 960 123-45-67") == "'+7 960 123-45-67"


def test_csv_row_with_a_phone_and_a_formula():
    text = "".join(csv_chunks(["Phone", "Note"], [["+79601234567", "=HYPERLINK(x)"]]))
    assert text == "\ufeffPhone,Note\r\n+79601234567,'=HYPERLINK(x)\r\n"


@pytest.mark.django_db
def test_export_page_warns_administrators_that_the_raw_csv_keeps_formulas(admin, manager_a):
    page = client_for(admin).get("/export/").content.decode()
    assert 'id="raw-export-warning"' in page
    assert "this file is not protected against spreadsheet formulas" in page
    assert 'id="raw-export-warning"' not in client_for(manager_a).get("/export/").content.decode()
