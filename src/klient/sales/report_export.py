"""The funnel report as a file: CSV (numbers as plain digits, a dot for decimals) and XLSX
(numbers as numbers, shares formatted as percentages), with the reader's column names.
Stage and reason names are the workspace's own text: neutralised against formulas."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from klient.core.rollups import DAY
from klient.importexport.exporters import _xlsx_text, csv_chunks, is_formula_like
from klient.sales.reports import FunnelReport, StageTimes


def _days(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / DAY, 2)


def _quantile_cells(times: StageTimes, which: str) -> list[float | None]:
    quantile = times.median if which == "median" else times.p90
    if quantile is None:
        return [None, None, None]
    return [_days(quantile.seconds), _days(quantile.low), _days(quantile.high)]


def stage_headers() -> list[str]:
    return [
        _("Pipeline stage"),
        _("Reached"),
        _("Share of entered"),
        _("Conversion to the next stage"),
        _("Lost at this stage"),
        _("Deals that left the stage"),
        _("Average time, days"),
        _("Median, days"),
        _("Median at least, days"),
        _("Median below, days"),
        _("90th percentile, days"),
        _("90th percentile at least, days"),
        _("90th percentile below, days"),
    ]


def stage_rows(report: FunnelReport) -> Iterator[list[Any]]:
    for row in report.stages:
        yield [
            row.stage.name,
            row.reached,
            row.share,
            row.conversion_next,
            row.lost,
            row.times.deals,
            _days(row.times.average),
            *_quantile_cells(row.times, "median"),
            *_quantile_cells(row.times, "p90"),
        ]


def lost_headers() -> list[str]:
    return [_("Lost reason"), _("Furthest stage reached"), _("Deals lost")]


def lost_rows(report: FunnelReport) -> Iterator[list[Any]]:
    for reason in report.lost:
        name = reason.name if reason.reason_id is not None else _("No reason given")
        for item in reason.stages:
            yield [name, item.stage.name if item.stage is not None else "", item.deals]


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".") if value % 1 else str(int(value))
    return value


def funnel_csv(report: FunnelReport) -> bytes:
    """Two tables one after the other: the stages, then (after an empty line) the lost
    deals by reason and stage."""
    rows: list[list[Any]] = [[_plain(value) for value in row] for row in stage_rows(report)]
    rows.append([])
    rows.append(lost_headers())
    rows.extend([_plain(value) for value in row] for row in lost_rows(report))
    return "".join(csv_chunks(stage_headers(), rows)).encode()


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, int | float):
        return value
    return _xlsx_text(value)


def funnel_xlsx(report: FunnelReport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    bold = Font(bold=True)
    sheets = [
        (book.active, _("Funnel"), stage_headers(), list(stage_rows(report)), {2, 3}),
        (book.create_sheet(), _("Lost reasons"), lost_headers(), list(lost_rows(report)), set()),
    ]
    for sheet, title, headers, rows, shares in sheets:
        assert sheet is not None
        sheet.title = title[:31]
        for column, header in enumerate(headers, start=1):
            sheet.cell(row=1, column=column, value=_xlsx_text(header)).font = bold
            sheet.column_dimensions[get_column_letter(column)].width = 16 if column > 1 else 28
        for row_number, row in enumerate(rows, start=2):
            for column, value in enumerate(row, start=1):
                cell = sheet.cell(row=row_number, column=column, value=_cell(value))
                if column - 1 in shares:
                    cell.number_format = "0.0%"
                elif isinstance(value, float):
                    cell.number_format = "0.00"
                elif isinstance(value, str) and is_formula_like(value):
                    cell.data_type = "s"  # text, never a formula run on opening
                    cell.quotePrefix = True
        sheet.freeze_panes = "B2"
    target = io.BytesIO()
    book.save(target)
    return target.getvalue()
