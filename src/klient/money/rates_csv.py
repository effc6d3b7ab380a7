"""Reading a file of exchange rates. Pure: bytes in, rows out, or every bad row named.

The file: CSV (comma, semicolon or tab), a header row naming the columns

    date      2025-01-31 or 31.01.2025
    currency  the ISO 4217 code being priced (the quote), e.g. EUR
    rate      what 1 unit of it (or `units` of it) is worth in the base; "98,5" or "98.5"
    base      optional; the workspace currency when absent or empty
    units     optional; how many units of the currency the rate is for (the Bank of
              Russia quotes some currencies per 10 or 100), 1 when absent

Russian and Bulgarian headers work too (дата, валюта/валута, курс, база, номинал).
Rates are stored to 10 decimal places, rounded half up, after dividing by `units`.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from klient.money.currencies import MINOR_UNITS
from klient.money.errors import RatesFileInvalid
from klient.money.rates import RATE_DECIMAL_PLACES, RATE_MAX_DIGITS, RateRow

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_ERRORS_LISTED = 50

HEADERS = {
    "date": {"date", "valid_on", "дата"},
    "currency": {"currency", "quote", "валюта", "валута"},
    "rate": {"rate", "курс"},
    "base": {"base", "база", "базовая валюта", "базова валута"},
    "units": {"units", "nominal", "номинал", "единици"},
}
REQUIRED = ("date", "currency", "rate")
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")
_NUMBER = re.compile(r"\d+(\.\d+)?")
_SPACES = re.compile(r"[\s\u00a0\u202f']")
RATE_QUANTUM = Decimal(1).scaleb(-RATE_DECIMAL_PLACES)
RATE_LIMIT = Decimal(10) ** (RATE_MAX_DIGITS - RATE_DECIMAL_PLACES)


def _decode(content: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1251, the code page of Excel in ru/bg."""
    if content.startswith(codecs.BOM_UTF8):
        return content[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("cp1251", errors="replace")


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, title in enumerate(header):
        name = " ".join(title.strip().lower().split())
        for key, aliases in HEADERS.items():
            if name in aliases and key not in found:
                found[key] = index
    return found


def rate_text_parse(text: str) -> Decimal | None:
    """A rate as a person or a spreadsheet writes it: "98,5", "98.5", "1 234,5"; None if not."""
    cleaned = _SPACES.sub("", text)
    if cleaned.count(",") + cleaned.count(".") > 1:
        return None
    cleaned = cleaned.replace(",", ".")
    if not _NUMBER.fullmatch(cleaned):
        return None
    return Decimal(cleaned)


def rate_normalize(value: Decimal) -> Decimal | None:
    """The rate as stored (10 places, half up), or None when it is not > 0 or too large."""
    try:
        stored = value.quantize(RATE_QUANTUM, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return None
    return stored if RATE_LIMIT > stored > 0 else None


def _date(text: str) -> date | None:
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _cell(row: list[str], columns: dict[str, int], key: str) -> str:
    index = columns.get(key)
    return row[index].strip() if index is not None and index < len(row) else ""


def _row(
    row: list[str], columns: dict[str, int], default_base: str
) -> tuple[RateRow | None, str | None]:
    raw_date, quote = _cell(row, columns, "date"), _cell(row, columns, "currency").upper()
    raw_rate, raw_units = _cell(row, columns, "rate"), _cell(row, columns, "units")
    base = _cell(row, columns, "base").upper() or default_base
    valid_on = _date(raw_date)
    if valid_on is None:
        return None, _("the date “%(value)s” is not a date; write 2025-01-31 or 31.01.2025.") % {
            "value": raw_date
        }
    for code in (quote, base):
        if code not in MINOR_UNITS:
            return None, _("unknown currency “%(value)s”.") % {"value": code}
    if quote == base:
        return None, _("the currency is the same as the base currency.")
    units = Decimal(raw_units) if raw_units.isdigit() and int(raw_units) > 0 else None
    if raw_units and units is None:
        return None, _("units “%(value)s” is not a positive whole number.") % {"value": raw_units}
    parsed = rate_text_parse(raw_rate)
    rate = rate_normalize(parsed / (units or 1)) if parsed is not None else None
    if rate is None:
        return None, _("the rate “%(value)s” is not a positive number.") % {"value": raw_rate}
    return RateRow(base=base, quote=quote, rate=rate, valid_on=valid_on), None


def rates_csv_parse(content: bytes, *, default_base: str) -> list[RateRow]:
    """Every row of the file, or RatesFileInvalid listing each bad line (the header is line 1)."""
    if len(content) > MAX_BYTES:
        raise RatesFileInvalid([(0, _("The file is larger than 5 MB."))])
    text = _decode(content)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], ",;\t")
    except csv.Error:
        dialect = csv.excel
    lines = [row for row in csv.reader(io.StringIO(text), dialect)]
    numbered = [(number, row) for number, row in enumerate(lines, 1) if any(c.strip() for c in row)]
    if not numbered:
        raise RatesFileInvalid([(1, _("The file is empty."))])
    header_line, header = numbered[0]
    columns = _columns(header)
    if any(key not in columns for key in REQUIRED):
        raise RatesFileInvalid(
            [(header_line, _("The first row must name the columns date, currency and rate."))]
        )
    if len(numbered) - 1 > MAX_ROWS:
        raise RatesFileInvalid(
            [
                (
                    0,
                    _("The file is too long (at most %(count)s rows); split it.")
                    % {"count": MAX_ROWS},
                )
            ]
        )
    rows: list[RateRow] = []
    errors: list[tuple[int, str]] = []
    seen: dict[tuple[str, str, date], int] = {}
    for number, raw in numbered[1:]:
        parsed, error = _row(raw, columns, default_base)
        if parsed is not None:
            key = (parsed.base, parsed.quote, parsed.valid_on)
            if key in seen:
                error = _("the same currency, base and date as line %(other)s.") % {
                    "other": seen[key]
                }
            seen.setdefault(key, number)
        if error is not None:
            errors.append((number, error))
        elif parsed is not None:
            rows.append(parsed)
    if errors:
        raise RatesFileInvalid(errors[:MAX_ERRORS_LISTED])
    return rows
