"""File writers for exports: CSV, XLSX, vCard, iCalendar. Pure: rows in, bytes out.

Human-facing exports neutralise cells that a spreadsheet would run as a formula
(CSV injection): a cell starting with = @ tab or CR, or with + or - before anything
but a plain number or a phone number, gets an apostrophe in front, the OWASP advice.
A phone ('+7 960 123-45-67') or a negative amount ('-15') is data a spreadsheet reads
as it is, and an apostrophe there would spoil mail merges and other systems' imports.
An apostrophe already in front of a risky cell gets another, so the importer can undo
it exactly and an export -> import round trip loses nothing. XLSX
cells are always written as text (never formulas) and trigger cells carry Excel's
own quote prefix, so the stored value stays exact -- except what XML 1.0 cannot
carry: a carriage return reads back as a line feed, and control characters other
than tab and line breaks are dropped.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import IO, Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_ALWAYS_RISKY = ("=", "@", "\t", "\r")
_SIGNED_NUMBER = re.compile(r"[+-]\d+(?:[.,]\d+)?")
# '+' then digits with the spaces, dashes, dots and brackets people write phones with;
# at least 7 digits, so '+2-3' (arithmetic) is not taken for one.
_PHONE = re.compile(r"\+\d[\d \-.()]*\d")
_PHONE_MIN_DIGITS = 7


def is_formula_like(value: str) -> bool:
    """Would a spreadsheet evaluate this cell (apostrophes in front aside)?"""
    text = value.lstrip("'")
    first = text[:1]
    if first in _ALWAYS_RISKY:
        return True
    if first not in ("+", "-"):
        return False
    if _SIGNED_NUMBER.fullmatch(text):
        return False
    is_phone = _PHONE.fullmatch(text) and sum(ch.isdigit() for ch in text) >= _PHONE_MIN_DIGITS
    return not is_phone


def neutralize(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if is_formula_like(text) else text


def csv_chunks(
    headers: list[str], rows: Iterable[list[Any]], *, human: bool = True, flush_every: int = 500
) -> Iterator[str]:
    """CSV text in chunks; `human` adds a BOM (Excel reads UTF-8 then) and neutralises."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if human:
        buffer.write("\ufeff")
    clean = neutralize if human else (lambda v: "" if v is None else str(v))
    writer.writerow([clean(h) for h in headers])
    for index, row in enumerate(rows, start=1):
        writer.writerow([clean(value) for value in row])
        if index % flush_every == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _xlsx_text(value: Any) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    text = "" if value is None else str(value)
    # XML 1.0 cannot hold these control characters; they are dropped from XLSX only.
    cleaned: str = ILLEGAL_CHARACTERS_RE.sub("", text)
    return cleaned


def xlsx_write(
    target: IO[bytes], headers: list[str], rows: Iterable[list[Any]], *, sheet_title: str = "Export"
) -> None:
    """A streaming (write-only) workbook: memory stays flat for any number of rows."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ERROR_CODES, WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=sheet_title[:31] or "Export")

    def cells(values: Iterable[Any]) -> list[Any]:
        out: list[Any] = []
        for value in values:
            text = _xlsx_text(value)
            if not is_formula_like(text) and text not in ERROR_CODES:
                out.append(text)  # plain text: openpyxl stores it as a string as it is
                continue
            # openpyxl would store "=..." as a formula and "#N/A" as an error value.
            cell = WriteOnlyCell(sheet, value=text)
            cell.data_type = "s"
            cell.quotePrefix = is_formula_like(text)
            out.append(cell)
        return out

    sheet.append(cells(headers))
    for row in rows:
        sheet.append(cells(row))
    book.save(target)


def vcard_chunks(people: Iterable[dict[str, Any]]) -> Iterator[str]:
    """vCard 3.0, one card per person (names, emails, phones, organization, title, tags)."""
    import vobject

    for person in people:
        card = vobject.vCard()
        card.add("n").value = vobject.vcard.Name(
            family=person["last_name"],
            given=person["first_name"],
            additional=person["middle_name"],
        )
        card.add("fn").value = person["full_name"] or person["first_name"] or "-"
        for email in person["emails"]:
            item = card.add("email")
            item.value, item.type_param = email, "INTERNET"
        for phone in person["phones"]:
            item = card.add("tel")
            item.value, item.type_param = phone, "CELL"
        if person["organization"]:
            card.add("org").value = [person["organization"]]
        if person["title"]:
            card.add("title").value = person["title"]
        if person["tags"]:
            card.add("categories").value = list(person["tags"])
        card.add("uid").value = f"person-{person['id']}@klient"
        yield card.serialize()


def ical_chunks(
    *, tasks: Iterable[dict[str, Any]], meetings: Iterable[dict[str, Any]], now: datetime
) -> Iterator[bytes]:
    """Tasks as VTODO and meetings as VEVENT in one calendar, a component at a time: the
    same bytes as the whole calendar serialised at once, without holding it in memory."""
    from icalendar import Calendar, Event, Todo

    calendar = Calendar()
    calendar.add("prodid", "-//Klient//Klient CRM//EN")
    calendar.add("version", "2.0")
    end = b"END:VCALENDAR\r\n"
    yield calendar.to_ical().removesuffix(end)
    statuses = {"open": "NEEDS-ACTION", "done": "COMPLETED", "cancelled": "CANCELLED"}
    for task in tasks:
        todo = Todo()
        todo.add("uid", f"task-{task['id']}@klient")
        todo.add("dtstamp", now)
        todo.add("summary", task["title"])
        if task["description"]:
            todo.add("description", task["description"])
        if task["due_at"]:
            todo.add("due", task["due_at"])
        todo.add("status", statuses.get(task["status"], "NEEDS-ACTION"))
        if task["completed_at"]:
            todo.add("completed", task["completed_at"])
        yield todo.to_ical()
    for meeting in meetings:
        event = Event()
        event.add("uid", f"interaction-{meeting['id']}@klient")
        event.add("dtstamp", now)
        event.add("summary", meeting["subject"] or "Meeting")
        if meeting["body"]:
            event.add("description", meeting["body"])
        event.add("dtstart", meeting["occurred_at"])
        event.add(
            "dtend", meeting["occurred_at"] + timedelta(seconds=meeting["duration_seconds"] or 3600)
        )
        yield event.to_ical()
    yield end


def ical_bytes(
    *, tasks: Iterable[dict[str, Any]], meetings: Iterable[dict[str, Any]], now: datetime
) -> bytes:
    return b"".join(ical_chunks(tasks=tasks, meetings=meetings, now=now))
