"""The people list as an XLSX file, as the user sees it: the same filters and sort, the
columns they chose, or only the people they checked (the bulk bar's "Export").

A file for a person to open, not a data exchange format: column widths, a frozen header
row, an autofilter over the table and real date cells (in the user's time zone, as the
list shows them). Bounded to `LIST_EXPORT_MAX` rows read in the list's own index order;
a larger list is exported from the Export page, which runs big exports in the background.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from io import BytesIO
from typing import Any

from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from klient.contacts.bulk_services import people_for_bulk
from klient.contacts.list_preferences import list_preference_columns
from klient.contacts.list_registry import PEOPLE, BulkAction, BulkResult, ListColumn, bulk_actions
from klient.contacts.list_table import list_query_read, rows_order
from klient.core.capabilities import require
from klient.core.errors import ValidationFailed
from klient.core.models import User
from klient.core.selectors import workspace_users
from klient.core.services import actor_workspace_id, audit_record
from klient.importexport.exporters import _xlsx_text, is_formula_like

LIST_EXPORT_MAX = 5_000
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"


def _cell_value(value: Any) -> Any:
    """Dates stay dates (Excel has no time zones: the user's local time, naive); numbers
    stay numbers; anything else is text."""
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, date | int | float):
        return value
    return _xlsx_text(value)


def people_list_xlsx_write(
    *, target: Any, columns: Sequence[ListColumn], records: Sequence[Any], title: str
) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31] or "People"
    bold = Font(bold=True)
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=_xlsx_text(column.label))
        cell.font = bold
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    for row_number, record in enumerate(records, start=2):
        for index, column in enumerate(columns, start=1):
            value = _cell_value(column.value(record) if column.value else "")
            cell = sheet.cell(row=row_number, column=index, value=value)
            if isinstance(value, datetime):
                cell.number_format = DATETIME_FORMAT
            elif isinstance(value, date):
                cell.number_format = DATE_FORMAT
            elif isinstance(value, str) and is_formula_like(value):
                cell.data_type = "s"  # text, never a formula run on opening
                cell.quotePrefix = True
    sheet.freeze_panes = "A2"
    last = get_column_letter(max(len(columns), 1))
    sheet.auto_filter.ref = f"A1:{last}{len(records) + 1}"
    book.save(target)


def people_list_export(*, user: User, query: QueryDict, ids: Sequence[int] = ()) -> bytes:
    """The list for `query` (or only `ids`, each of which the user must see) as XLSX
    bytes; audited as an export of people."""
    read = list_query_read(user=user, query=query, owners=list(workspace_users(user=user)))
    rows = read.rows
    if ids:
        rows = rows.filter(pk__in=[p.pk for p in people_for_bulk(actor=user, person_ids=ids)])
    order, _sort = rows_order(query, search_field=read.search_field)
    columns = list_preference_columns(user=user, list_key=PEOPLE)
    shown = rows.order_by(*order)
    for column in columns:
        if column.annotate is not None:
            shown = column.annotate(user, shown)
    records = list(shown[: LIST_EXPORT_MAX + 1])
    if len(records) > LIST_EXPORT_MAX:
        raise ValidationFailed(
            _("The list has more than %(count)s people: export it from the Export page.")
            % {"count": LIST_EXPORT_MAX}
        )
    audit_record(
        workspace=actor_workspace_id(user),
        actor=user,
        action="export.people",
        object_type="export.people",
        changes={
            "format": (None, "xlsx"),
            "filters": (None, {key: str(value) for key, value in read.filters.items()}),
            "ids": (None, list(ids)),
            "rows": (None, len(records)),
        },
    )
    buffer = BytesIO()
    people_list_xlsx_write(target=buffer, columns=columns, records=records, title=str(_("People")))
    return buffer.getvalue()


def _export_selected(actor: User, ids: Sequence[int], params: Mapping[str, str]) -> BulkResult:
    require(actor, "records.write")
    people_for_bulk(actor=actor, person_ids=ids)  # refuse a hidden id before any download
    query = QueryDict(mutable=True)
    query.setlist("ids", [str(pk) for pk in ids])
    url = reverse("importexport:people_list_xlsx")
    return BulkResult(message="", redirect_url=f"{url}?{query.urlencode()}")


def list_export_register() -> None:
    bulk_actions.register(
        BulkAction(
            "export",
            gettext_lazy("Export to XLSX"),
            "records.write",
            _export_selected,
            order=800,
        )
    )
