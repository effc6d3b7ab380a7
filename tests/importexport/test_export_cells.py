"""Any cell survives an export: parsed back with `csv` and `openpyxl`, never a formula."""

from __future__ import annotations

import csv
import io
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from klient.importexport.exporters import csv_chunks, is_formula_like, xlsx_write
from klient.importexport.records import unescape_cell

# Formula triggers, quotes, separators, line breaks, Cyrillic and a few other scripts.
ALPHABET = st.sampled_from([*list("=+-@\t\r\n\"';,|' aZ09ЖжёЁщѝ€ß中"), "\x00", "\x07"])
CELLS = st.lists(st.text(alphabet=ALPHABET, max_size=12), min_size=1, max_size=5)


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(CELLS, min_size=1, max_size=5))
def test_csv_cells_read_back_exactly_and_never_start_a_formula(rows):
    width = max(len(row) for row in rows)
    rows = [row + [""] * (width - len(row)) for row in rows]
    text = "".join(csv_chunks([f"c{i}" for i in range(width)], rows))
    parsed = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))

    assert len(parsed) == len(rows) + 1
    for written, original in zip(parsed[1:], rows, strict=True):
        for cell, value in zip(written, original, strict=True):
            # Nothing a spreadsheet would run: a sign only before digits and phone punctuation.
            assert cell[:1] not in ("=", "@", "\t", "\r")
            assert cell[:1] not in ("+", "-") or re.fullmatch(r"[+-][\d .,()\-]+", cell)
            assert cell in (value, "'" + value)  # at most one apostrophe added
            assert unescape_cell(cell) == value  # which the importer takes off again


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(CELLS, min_size=1, max_size=4))
def test_xlsx_cells_are_text_and_read_back(rows):
    buffer = io.BytesIO()
    xlsx_write(buffer, ["h"], rows)
    buffer.seek(0)
    sheet = load_workbook(buffer).active
    read = list(sheet.iter_rows(min_row=2))
    assert len(read) == len(rows)
    for cells, original in zip(read, rows, strict=True):
        for cell, value in zip(cells, original, strict=False):
            # What XML 1.0 can carry: CR reads back as LF, other controls are dropped.
            expected = (
                ILLEGAL_CHARACTERS_RE.sub("", value).replace("\r\n", "\n").replace("\r", "\n")
            )
            assert (cell.value or "") == expected
            assert cell.data_type in ("s", "inlineStr", "n")  # "n": an empty cell
            assert cell.data_type != "f"
            if is_formula_like(expected):
                assert cell.quotePrefix is True
