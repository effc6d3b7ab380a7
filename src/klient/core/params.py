"""Values read by hand from a query string or a form post, parsed in one place.

The API's typed schemas refuse bad ids by themselves; the pages and the export downloads
read `request.GET` / `request.POST` directly and come here instead. A bad value is a
`ValidationFailed` (a 422 in the API, a message in the UI), never a 500: `"²".isdigit()`
is true but `int("²")` fails, and an id past 2**63 - 1 overflows SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from klient.core.errors import ValidationFailed

# The largest id SQLite and PostgreSQL's bigint hold.
MAX_ID = 2**63 - 1
_ASCII_DIGITS = re.compile(r"[0-9]+")
# Dates a filter accepts: the day after the last one, and either end moved to UTC from
# any time zone, must still be a date Python and both databases hold.
MIN_DATE, MAX_DATE = date(1900, 1, 1), date(9998, 12, 31)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _parse(name: str, raw: str, *, low: int, high: int) -> int:
    if not _ASCII_DIGITS.fullmatch(raw):
        raise ValidationFailed(fields={name: _("Enter a whole number.")})
    value = int(raw)
    if not low <= value <= high:
        raise ValidationFailed(
            fields={
                name: _("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high}
            }
        )
    return value


def _raw(query: Mapping[str, Any], name: str) -> str:
    return str(query.get(name) or "").strip()


def param_id(query: Mapping[str, Any], name: str) -> int | None:
    """An id from the query, or None when it is absent or empty."""
    raw = _raw(query, name)
    return _parse(name, raw, low=1, high=MAX_ID) if raw else None


def param_required_id(query: Mapping[str, Any], name: str) -> int:
    """An id the request cannot do without."""
    value = param_id(query, name)
    if value is None:
        raise ValidationFailed(fields={name: _("This field is required.")})
    return value


def param_ids(values: list[str], name: str) -> list[int]:
    """Every id of a repeated parameter (`?person_id=1&person_id=2`); empty values skipped."""
    return [_parse(name, raw.strip(), low=1, high=MAX_ID) for raw in values if raw.strip()]


def param_count(query: Mapping[str, Any], name: str) -> int:
    """A non-negative whole number (an offset shown to the user); 0 when absent."""
    raw = _raw(query, name)
    return _parse(name, raw, low=0, high=MAX_ID) if raw else 0


def param_date(query: Mapping[str, Any], name: str) -> date | None:
    """A date written YYYY-MM-DD (what a date input sends), or None when absent or empty."""
    raw = _raw(query, name)
    if not raw:
        return None
    try:
        if not _ISO_DATE.fullmatch(raw):
            raise ValueError(raw)
        value = date.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationFailed(fields={name: _("Enter a valid date.")}) from exc
    if not MIN_DATE <= value <= MAX_DATE:
        raise ValidationFailed(
            fields={
                name: _("Enter a date from %(low)s to %(high)s.")
                % {"low": MIN_DATE.isoformat(), "high": MAX_DATE.isoformat()}
            }
        )
    return value
