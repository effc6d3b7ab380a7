"""The people list's columns, filters and bulk actions, registered by the apps that own
them (contacts from its plug, activities its "last contact" and "has open tasks"), so a
list page, its column chooser, its XLSX export and its bulk bar are built from one place
and adding a column never means editing the list.

Sorting is only offered on columns whose `order_by` an index of the people table walks
in order (see docs/benchmarks.md "Pages"): at 1,000,000 people any other order sorts every
visible person for each page. A column that cannot be sorted cheaply is shown unsortable.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import QuerySet

from klient.core.registry import Label, Registry

if TYPE_CHECKING:
    from klient.contacts.models import Person
    from klient.core.models import User

PEOPLE = "people"  # the list key a user's column choice is stored under


@dataclass(frozen=True)
class ListColumn:
    """A column of the people list.

    - `order_by`: the ascending order, the id last so pages never overlap; empty when
      the column is not sortable. Only index-backed orders belong here.
    - `template`: a snippet rendering the cell from `row`; `value(row)`: the cell as data
      (text, a number, a date or datetime) for exports. One of them at least.
    - `annotate(user, rows)`: what the page's rows need (a prefetch, a subquery), applied
      to the page only, never to the count or the ordering query.
    """

    key: str
    label: Label
    order_by: tuple[str, ...] = ()
    template: str = ""
    value: Callable[[Any], Any] | None = None
    annotate: Callable[[User, QuerySet[Any]], QuerySet[Any]] | None = None
    default_visible: bool = True
    width: int = 18  # in characters, for the XLSX file
    order: int = 100

    @property
    def sortable(self) -> bool:
        return bool(self.order_by)


@dataclass(frozen=True)
class ListFilter:
    """A filter of the people list: `field()` makes the form field read from the query
    string, `apply(user, rows, value)` narrows the visible people by its clean value
    (never called with an empty one). It must stay index-backed at 1,000,000 people."""

    key: str
    label: Label
    field: Callable[[], forms.Field]
    apply: Callable[[User, QuerySet[Person], Any], QuerySet[Person]]
    order: int = 100


@dataclass(frozen=True)
class BulkResult:
    """What a bulk action tells the user; `redirect_url` sends them on (a download)."""

    message: str
    redirect_url: str = ""


@dataclass(frozen=True)
class BulkAction:
    """Something done to the checked people. `run(actor, ids, params)` checks
    `capability` itself (through a service), refuses the whole call when an id is not
    visible, and reads its input from `params` (`input` names the control the bar shows:
    "owner", "tag", "list" or ""). `confirm`: asked again before it runs."""

    key: str
    label: Label
    capability: str
    run: Callable[[User, Sequence[int], Mapping[str, str]], BulkResult]
    confirm: bool = False
    input: str = ""
    order: int = 100


list_columns: Registry[ListColumn] = Registry("list columns")
list_filters: Registry[ListFilter] = Registry("list filters")
bulk_actions: Registry[BulkAction] = Registry("bulk actions")


def columns_default() -> list[str]:
    return [column.key for column in list_columns if column.default_visible]


def columns_clean(keys: Sequence[str]) -> list[str]:
    """Known column keys in the registry's order; the defaults when none is left."""
    wanted = set(keys)
    chosen = [column.key for column in list_columns if column.key in wanted]
    return chosen or columns_default()


def sort_parse(raw: str) -> tuple[ListColumn, bool] | None:
    """`name` or `-name` -> (the sortable column, descending); None for anything else."""
    descending = raw.startswith("-")
    key = raw[1:] if descending else raw
    if key not in list_columns:
        return None
    column = list_columns.get(key)
    return (column, descending) if column.sortable else None


def sort_order(column: ListColumn, *, descending: bool) -> list[str]:
    return [f"-{name}" if descending else name for name in column.order_by]
