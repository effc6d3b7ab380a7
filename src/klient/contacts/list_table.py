"""The people list as a table: the registered filters, the chosen columns, the sort and
numbered pages of 25, 50 or 100 rows.

A page is `ORDER BY <an index's columns> LIMIT size + 1 OFFSET ...`: the database walks
the index and stops, so a page reads `offset + size` index entries whatever the number of
people. The total is counted up to `LIST_COUNT_CAP` only ("1 000+"), so page numbers are
offered up to there and "next" beyond; deep pages cost their offset (docs/benchmarks.md).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import QueryDict

from klient.contacts import selectors
from klient.contacts.forms import ClientFilterForm
from klient.contacts.list_registry import (
    ListColumn,
    list_columns,
    list_filters,
    sort_order,
    sort_parse,
)
from klient.contacts.models import Person
from klient.contacts.search import search_order_field
from klient.core.models import User
from klient.core.params import param_count
from klient.core.views import LIST_COUNT_CAP

PAGE_SIZES = (25, 50, 100)
DEFAULT_ORDER = ("-updated_at", "-id")  # person_ws_updated_id_idx
PAGE_MAX = 100_000


class ListFilterForm(forms.Form):
    """The registered filters as one form; a bad value is dropped, never an error."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for list_filter in list_filters:
            field = list_filter.field()
            field.label = str(list_filter.label)
            self.fields[list_filter.key] = field

    def values(self) -> dict[str, Any]:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {key: value for key, value in data.items() if value not in (None, "", False)}


def filters_apply(
    *, user: User, rows: QuerySet[Person], values: Mapping[str, Any]
) -> QuerySet[Person]:
    for key, value in values.items():
        rows = list_filters.get(key).apply(user, rows, value)
    return rows


@dataclass(frozen=True)
class ListQuery:
    """The list's query string read: its forms, their clean filters, the filtered rows
    (not yet ordered) and the search's own order field when searching."""

    form: ClientFilterForm
    extra_form: ListFilterForm
    filters: dict[str, Any]
    rows: QuerySet[Person]
    search_field: str | None


def list_query_read(*, user: User, query: QueryDict, owners: Sequence[User]) -> ListQuery:
    """The page and its XLSX export read a query string the same way."""
    form = ClientFilterForm(
        query,
        owners=owners,
        tags=selectors.tag_names(user=user),
        segments=selectors.segment_names(user=user),
    )
    filters = form.selector_filters()
    extra_form = ListFilterForm(query)
    extra = extra_form.values()
    rows = filters_apply(
        user=user, rows=selectors.person_list(user=user, filters=filters), values=extra
    )
    search = filters.get("q") or ""
    return ListQuery(
        form=form,
        extra_form=extra_form,
        filters={**filters, **extra},
        rows=rows,
        search_field=search_order_field(query=search) if search else None,
    )


@dataclass(frozen=True)
class Cell:
    column: ListColumn
    value: Any

    @property
    def is_date(self) -> bool:
        return isinstance(self.value, date)


@dataclass(frozen=True)
class Row:
    record: Any
    cells: list[Cell]


@dataclass(frozen=True)
class Header:
    column: ListColumn
    url: str  # the address that sorts by this column next ("" when not sortable)
    aria_sort: str  # "ascending", "descending" or "" (not sorted by it)


def _int_param(query: QueryDict, name: str, default: int) -> int:
    """A whole number from the query (a bad one is a ValidationFailed: 422), or `default`."""
    return param_count(query, name) or default


def _link(url: str, query: QueryDict, **changes: str) -> str:
    following = query.copy()
    for key, value in changes.items():
        following.pop(key, None)
        if value:
            following[key] = value
    encoded = following.urlencode()
    return f"{url}?{encoded}" if encoded else url


def rows_order(query: QueryDict, *, search_field: str | None) -> tuple[list[str], str]:
    """The ORDER BY for the request, and the sort key it came from ("" = the default)."""
    parsed = sort_parse(query.get("sort", ""))
    if parsed is not None:
        column, descending = parsed
        return sort_order(column, descending=descending), query.get("sort", "")
    # A search lists its matches newest first, in the order the search index walks them.
    return ([f"-{search_field}"] if search_field else list(DEFAULT_ORDER)), ""


def headers_build(
    query: QueryDict, *, url: str, columns: Sequence[ListColumn], sort: str
) -> list[Header]:
    headers = []
    for column in columns:
        if not column.sortable:
            headers.append(Header(column, "", ""))
            continue
        state = (
            "ascending" if sort == column.key else "descending" if sort == f"-{column.key}" else ""
        )
        following = f"-{column.key}" if state == "ascending" else column.key
        headers.append(Header(column, _link(url, query, sort=following, page=""), state))
    return headers


def _page_numbers(page: int, last: int) -> list[int | None]:
    """1 … 4 5 [6] 7 8 … 40: the first, the last and two on each side; None is a gap."""
    shown = sorted({1, last, *range(page - 2, page + 3)} & set(range(1, last + 1)))
    numbers: list[int | None] = []
    for number in shown:
        if numbers and number - (numbers[-1] or 0) > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


def table_page(
    *,
    user: User,
    query: QueryDict,
    rows: QuerySet[Person],
    url: str,
    columns: Sequence[ListColumn],
    search_field: str | None,
) -> dict[str, Any]:
    """The context of `contacts/_people_results.html` for one page of `rows`."""
    size = _int_param(query, "size", PAGE_SIZES[0])
    size = size if size in PAGE_SIZES else PAGE_SIZES[0]
    page = min(max(_int_param(query, "page", 1), 1), PAGE_MAX)
    order, sort = rows_order(query, search_field=search_field)
    shown = rows.order_by(*order)
    for column in columns:
        if column.annotate is not None:
            shown = column.annotate(user, shown)
    offset = (page - 1) * size
    items = list(shown[offset : offset + size + 1])
    has_next = len(items) > size
    items = items[:size]
    total = rows.order_by()[: LIST_COUNT_CAP + 1].count()
    last = max(1, math.ceil(min(total, LIST_COUNT_CAP) / size), page + 1 if has_next else page)
    return {
        "rows": [
            Row(item, [Cell(c, c.value(item) if c.value else None) for c in columns])
            for item in items
        ],
        "headers": headers_build(query, url=url, columns=columns, sort=sort),
        "columns": columns,
        "sort": sort,
        "size": size,
        "page_sizes": PAGE_SIZES,
        "page_number": page,
        "page_links": [
            (number, _link(url, query, page=str(number)) if number else "")
            for number in _page_numbers(page, last)
        ],
        "previous_url": _link(url, query, page=str(page - 1)) if page > 1 else "",
        "next_url": _link(url, query, page=str(page + 1)) if has_next else "",
        "total": min(total, LIST_COUNT_CAP),
        "total_capped": total > LIST_COUNT_CAP,
        "start": offset + 1 if items else 0,
        "end": offset + len(items),
        "all_columns": list(list_columns),
    }
