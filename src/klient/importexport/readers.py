"""Readers for CSV, XLSX and vCard files: streaming, one row at a time, constant memory.

Pure: no database. `table_open(path)` looks at the first bytes to pick the format
(the file name is only a hint, users rename files), checks the header and that a
data row exists, and returns a reader whose `rows()` yields
`(row_number, values, problem)`. Row numbers are what a spreadsheet shows: the
header is row 1 (in a vCard file, the number of the card). Blank rows are skipped
and not counted.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from klient.importexport.errors import ImportFileError

SAMPLE_BYTES = 64 * 1024
ESTIMATE_FROM_BYTES = 4 * 1024 * 1024
DELIMITERS = (",", ";", "\t", "|")
Row = tuple[int, list[str], str]

# Single-byte encodings a Russian or Bulgarian spreadsheet is saved in; then Western ones.
_CYRILLIC_ENCODINGS = ("cp1251", "koi8_r", "cp866", "mac_cyrillic")
_WESTERN_ENCODINGS = ["cp1252", "latin_1", "iso8859_15"]


@dataclass
class TableInfo:
    file_format: str
    headers: list[str]
    encoding: str = ""
    delimiter: str = ""
    sample: list[list[str]] = field(default_factory=list)
    estimated_rows: int = 0


def _human_size(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _check_size(path: Path, max_bytes: int) -> int:
    size = path.stat().st_size
    if size == 0:
        raise ImportFileError(_("The file is empty."), code="empty")
    if size > max_bytes:
        raise ImportFileError(
            _("The file is %(size)s; the largest file you can import is %(limit)s.")
            % {"size": _human_size(size), "limit": _human_size(max_bytes)},
            code="too_large",
        )
    return size


def _not_a_table() -> ImportFileError:
    return ImportFileError(
        _("This file is not a table we can read: use CSV, XLSX (Excel) or vCard."),
        code="unreadable",
    )


def detect_encoding(sample: bytes) -> str:
    """UTF-8 (with or without BOM) when it decodes, else the likeliest Cyrillic code page."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in sample:
        raise _not_a_table()
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # A sample cut in the middle of a character is still UTF-8.
        if exc.start >= len(sample) - 3 and exc.reason == "unexpected end of data":
            return "utf-8"
    cyrillic = _cyrillic_code_page(sample)
    if cyrillic:
        return cyrillic
    from charset_normalizer import from_bytes

    best = from_bytes(sample, cp_isolation=_WESTERN_ENCODINGS).best()
    if best is None:
        raise _not_a_table()
    return str(best.encoding)


_UNDECODED = re.compile("[\udc80-\udcff]")
_RU_BG_LETTERS = re.compile(r"[А-Яа-яЁё]")
_CASE_FLIP = re.compile(r"[а-яё][А-ЯЁ]")


def _cyrillic_code_page(sample: bytes) -> str:
    """The Cyrillic code page under which the high bytes read as Russian/Bulgarian words.

    General detectors mistake Windows-1251 for Mac Cyrillic on short or repetitive
    samples; words decoded with the wrong page show as symbols or as iNVERTED case
    (KOI8-R), which this score punishes. '' when the text is not Cyrillic at all.
    """
    high = sum(1 for byte in sample if byte >= 0x80)
    if not high:
        return ""
    best, best_score = "", 0.0
    for encoding in _CYRILLIC_ENCODINGS:
        text = sample.decode(encoding, errors="replace")
        letters = len(_RU_BG_LETTERS.findall(text))
        score = letters - 3 * len(_CASE_FLIP.findall(text))
        if score > best_score:
            best, best_score = encoding, score
    return best if best_score >= high * 0.6 else ""


def _looks_binary(text: str) -> bool:
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")
    return controls > max(2, len(text) // 200)


def _clean_headers(raw: list[Any]) -> list[str]:
    headers = [cell_text(value).strip().lstrip("\ufeff") for value in raw]
    while headers and not headers[-1]:
        headers.pop()
    if not any(headers):
        raise ImportFileError(
            _("The first row must name the columns, and it is empty."), code="no_header"
        )
    seen: dict[str, str] = {}
    duplicates: list[str] = []
    for header in headers:
        key = header.casefold()
        if not key:
            continue
        if key in seen and header not in duplicates:
            duplicates.append(header)
        seen[key] = header
    if duplicates:
        raise ImportFileError(
            _(
                "These columns appear more than once in the header: %(names)s. "
                "Rename them so each column has its own name."
            )
            % {"names": ", ".join(f"«{name}»" for name in duplicates)},
            code="duplicate_headers",
        )
    return headers


def cell_text(value: Any) -> str:
    """A spreadsheet cell as text: 79161234567.0 -> '79161234567', dates as ISO 8601."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


class TableReader:
    """Base: `info` from the header; `rows(after=N)` yields the data rows numbered above N."""

    info: TableInfo
    # True where every rows() call opens the file anew, so processes forked from the
    # reader may each read it (an inherited open file would share its offset).
    reopens_per_pass = False

    def rows(self, *, after: int = 0) -> Iterator[Row]:
        raise NotImplementedError

    def estimate_rows(self) -> int:
        raise NotImplementedError

    def close(self) -> None:
        """Release the file (XLSX keeps its archive open while reading)."""

    def prepare(self, *, sample_rows: int = 3) -> TableInfo:
        """Read the first rows: refuses a header-only file, keeps a sample for the mapping."""
        self.info.sample = []
        for _number, values, _problem in self.rows():
            self.info.sample.append(values)
            if len(self.info.sample) >= sample_rows:
                break
        if not self.info.sample:
            raise ImportFileError(_("The file has a header but no data rows."), code="no_rows")
        return self.info


def _fit(values: list[str], width: int) -> list[str]:
    if len(values) < width:
        return values + [""] * (width - len(values))
    return values[:width]


class CsvReader(TableReader):
    reopens_per_pass = True

    def __init__(self, path: Path, sample: bytes) -> None:
        self.path = path
        encoding = detect_encoding(sample)
        text = sample.decode(encoding, errors="ignore")
        if _looks_binary(text):
            raise _not_a_table()
        delimiter = sniff_delimiter(text)
        with self._open(encoding) as handle:
            header = next(csv.reader(handle, delimiter=delimiter), None)
        if header is None:
            raise ImportFileError(_("The file is empty."), code="empty")
        self.info = TableInfo(
            file_format="csv",
            headers=_clean_headers(header),
            encoding=encoding,
            delimiter=delimiter,
        )

    def _open(self, encoding: str) -> io.TextIOWrapper:
        # Undecodable bytes become lone surrogates, so the one bad row is reported as
        # invalid and every other row still imports.
        return open(self.path, encoding=encoding, newline="", errors="surrogateescape")

    def estimate_rows(self) -> int:
        """Exact for small files (records, not lines: a quoted cell may hold line breaks);
        for big ones, the size over the sample's bytes per line: the bar needs no more, and
        the true count is known at the end."""
        size = self.path.stat().st_size
        if size <= ESTIMATE_FROM_BYTES:
            return sum(1 for _row in self.rows())
        with open(self.path, "rb") as handle:
            sample = handle.read(SAMPLE_BYTES)
        lines = max(1, sample.count(b"\n"))
        return max(1, int(size / (len(sample) / lines)) - 1)

    def rows(self, *, after: int = 0) -> Iterator[Row]:
        width = len(self.info.headers)
        number = 0
        try:
            with self._open(self.info.encoding) as handle:
                for number, values in enumerate(
                    csv.reader(handle, delimiter=self.info.delimiter), start=1
                ):
                    if number == 1 or number <= after or not any(values):
                        continue
                    if _UNDECODED.search("".join(values)):
                        yield (
                            number,
                            [""] * width,
                            _(
                                "This row cannot be read as %(encoding)s text; save the file "
                                "as UTF-8."
                            )
                            % {"encoding": self.info.encoding},
                        )
                        continue
                    yield number, [value.strip() for value in _fit(values, width)], ""
        except csv.Error as exc:
            raise ImportFileError(
                _("Row %(row)s is not valid CSV: %(error)s") % {"row": number + 1, "error": exc},
                code="bad_csv",
            ) from exc


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the same number (> 1) of columns."""
    lines = text.splitlines()
    if len(lines) > 1:
        lines = lines[:-1]  # the sample may end in the middle of a line
    lines = [line for line in lines[:30] if line.strip()]
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        counts = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        if not counts or counts[0] < 2:
            continue
        consistent = sum(1 for count in counts if count == counts[0])
        score = (consistent * 10 // len(counts), counts[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


class XlsxReader(TableReader):
    def __init__(self, path: Path) -> None:
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException

        self.path = path
        # A file object, not the path: openpyxl judges a path by its extension, and
        # users rename files.
        self.handle = open(path, "rb")  # noqa: SIM115
        try:
            self.book = openpyxl.load_workbook(self.handle, read_only=True, data_only=True)
            self.sheet = self.book.worksheets[0]
            first = next(self.sheet.iter_rows(values_only=True, max_row=1), None)
        except (
            zipfile.BadZipFile,
            InvalidFileException,
            KeyError,
            ValueError,
            OSError,
            IndexError,
        ) as exc:
            self.handle.close()
            raise ImportFileError(
                _("This XLSX file is damaged or is not an Excel workbook."), code="bad_xlsx"
            ) from exc
        if first is None:
            raise ImportFileError(_("The file is empty."), code="empty")
        self.info = TableInfo(file_format="xlsx", headers=_clean_headers(list(first)))

    def estimate_rows(self) -> int:
        return max(0, (self.sheet.max_row or 1) - 1)

    def close(self) -> None:
        self.book.close()
        self.handle.close()

    def rows(self, *, after: int = 0) -> Iterator[Row]:
        width = len(self.info.headers)
        for number, cells in enumerate(self.sheet.iter_rows(values_only=True), start=1):
            if number == 1 or number <= after:
                continue
            values = [cell_text(value).strip() for value in cells[:width]]
            if any(values):
                yield number, _fit(values, width), ""


VCARD_COLUMNS = [
    "Full name",
    "Last name",
    "First name",
    "Middle name",
    "Email",
    "Phone",
    "Organization",
    "Title",
    "Categories",
]
VCARD_MAPPING = [
    "full_name",
    "last_name",
    "first_name",
    "middle_name",
    "email",
    "phone",
    "organization",
    "title",
    "tags",
]


class VcardReader(TableReader):
    """Each card becomes one row of fixed columns; a card that cannot be parsed is an
    invalid row (its number is the card's position in the file), not a failed import."""

    def __init__(self, path: Path, sample: bytes) -> None:
        self.path = path
        self.info = TableInfo(
            file_format="vcard", headers=list(VCARD_COLUMNS), encoding=detect_encoding(sample)
        )

    def estimate_rows(self) -> int:
        count = 0
        with open(self.path, "rb") as handle:
            for line in handle:
                if line.strip().upper() == b"BEGIN:VCARD":
                    count += 1
        return count

    def _cards(self) -> Iterator[str]:
        lines: list[str] = []
        inside = False
        with open(self.path, encoding=self.info.encoding, errors="replace", newline="") as handle:
            for line in handle:
                upper = line.strip().upper()
                if upper == "BEGIN:VCARD":
                    inside, lines = True, []
                if inside:
                    lines.append(line)
                if upper == "END:VCARD" and inside:
                    inside = False
                    yield "".join(lines)

    def rows(self, *, after: int = 0) -> Iterator[Row]:
        for number, text in enumerate(self._cards(), start=1):
            if number <= after:
                continue
            try:
                values = vcard_values(text)
            except Exception:  # vobject raises many types on broken input
                yield number, [""] * len(VCARD_COLUMNS), _("This vCard entry cannot be read.")
                continue
            yield number, values, ""


def vcard_values(text: str) -> list[str]:
    import vobject

    card = vobject.readOne(text)
    contents = card.contents
    name = contents.get("n", [None])[0]
    family = given = additional = ""
    if name is not None:
        value = name.value
        family, given, additional = (
            str(getattr(value, part) or "").strip() for part in ("family", "given", "additional")
        )
    full = str(contents["fn"][0].value).strip() if "fn" in contents else ""
    emails = [str(item.value).strip() for item in contents.get("email", [])]
    phones = [str(item.value).strip() for item in contents.get("tel", [])]
    org = contents.get("org", [None])[0]
    organization = ""
    if org is not None:
        parts = org.value if isinstance(org.value, list) else [org.value]
        organization = str(parts[0] if parts else "").strip()
    title = str(contents["title"][0].value).strip() if "title" in contents else ""
    categories: list[str] = []
    for item in contents.get("categories", []):
        value = item.value
        categories += [str(v).strip() for v in (value if isinstance(value, list) else [value])]
    if given or family:
        full = ""  # the structured name wins; FN is only a fallback
    return [
        full,
        family,
        given,
        additional,
        ", ".join(e for e in emails if e),
        ", ".join(p for p in phones if p),
        organization,
        title,
        ", ".join(c for c in categories if c),
    ]


def table_open(path: Path, *, max_bytes: int) -> TableReader:
    """Open an uploaded file as a table, or raise ImportFileError with the reason."""
    _check_size(path, max_bytes)
    with open(path, "rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    if not sample.strip():
        raise ImportFileError(_("The file is empty."), code="empty")
    if sample.startswith(b"PK\x03\x04"):
        return XlsxReader(path)
    if sample.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            _("Old Excel files (.xls) cannot be read; save the file as .xlsx or CSV."),
            code="xls",
        )
    head = sample[:512].lstrip(codecs.BOM_UTF8).lstrip().upper()
    if head.startswith(b"BEGIN:VCARD"):
        return VcardReader(path, sample)
    return CsvReader(path, sample)
