"""The funnel page (`/deals/funnel/`): a pipeline and a range of cohort months, the
funnel drawn as SVG on the server, the table beside it, and the same figures as CSV or
XLSX (`?export=csv|xlsx`). Opened bare, it shows the current quarter of the first
pipeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from klient.core.errors import NotFound, ValidationFailed
from klient.core.views import klient_view
from klient.sales.models import Pipeline
from klient.sales.report_export import funnel_csv, funnel_xlsx
from klient.sales.reports import (
    FunnelReport,
    Period,
    funnel_report,
    month_add,
    month_parse,
    period_check,
    quarter_of,
    quarter_parse,
)
from klient.sales.selectors import pipeline_list

EXPORTS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Height of one bar in the chart's own units (its viewBox is 100 wide).
BAR_HEIGHT = 10


@dataclass(frozen=True)
class Bar:
    name: str
    reached: int
    share: float | None
    x: str
    width: str
    is_won: bool


@dataclass(frozen=True)
class PeriodLink:
    label: str
    url: str
    is_current: bool


def _pipeline_pick(value: str | None, pipelines: list[Pipeline]) -> Pipeline:
    if not value and pipelines:
        active = [pipeline for pipeline in pipelines if not pipeline.archived]
        return (active or pipelines)[0]
    text = (value or "").strip()
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) < 2**63:
        raise ValidationFailed(fields={"pipeline": _("Choose a pipeline from the list.")})
    found = next((pipeline for pipeline in pipelines if pipeline.pk == int(text)), None)
    if found is None:
        raise NotFound(_("Pipeline not found."))
    return found


def _period(query: QueryDict, today: date) -> Period:
    quarter = query.get("quarter", "")
    if quarter:
        return quarter_parse(quarter)
    first_text, last_text = query.get("from", "").strip(), query.get("to", "").strip()
    if not first_text and not last_text:
        return quarter_of(today)
    first = month_parse(first_text or last_text, "from" if first_text else "to")
    last = month_parse(last_text, "to") if last_text else first
    return period_check(first, last)


def _quarter_label(period: Period) -> str:
    return _("Q%(number)s %(year)s") % {
        "number": (period.first.month - 1) // 3 + 1,
        "year": period.first.year,
    }


def _url(pipeline: Pipeline, period: Period, **extra: str) -> str:
    query = QueryDict(mutable=True)
    query["pipeline"] = str(pipeline.pk)
    query["from"] = period.first.strftime("%Y-%m")
    query["to"] = period.last.strftime("%Y-%m")
    query.update(extra)
    return f"{reverse('sales:funnel')}?{query.urlencode()}"


def _period_links(pipeline: Pipeline, period: Period, today: date) -> list[PeriodLink]:
    links = []
    quarter = quarter_of(today)
    for back in range(4):
        shown = Period(month_add(quarter.first, -3 * back), month_add(quarter.last, -3 * back))
        links.append(PeriodLink(_quarter_label(shown), _url(pipeline, shown), shown == period))
    year = Period(month_add(today.replace(day=1), -11), today.replace(day=1))
    links.append(PeriodLink(_("Last 12 months"), _url(pipeline, year), year == period))
    return links


def _bars(report: FunnelReport) -> list[Bar]:
    """One centred bar per stage, as wide as its share of the deals that entered."""
    bars = []
    for row in report.stages:
        width = 100 * (row.share or 0)
        if row.reached and width < 0.5:
            width = 0.5
        bars.append(
            Bar(
                name=row.stage.name,
                reached=row.reached,
                share=row.share,
                x=f"{(100 - width) / 2:.2f}",
                width=f"{width:.2f}",
                is_won=row.stage.kind == "won",
            )
        )
    return bars


def _download(report: FunnelReport, kind: str) -> HttpResponse:
    body = funnel_csv(report) if kind == "csv" else funnel_xlsx(report)
    name = (
        f"funnel-{report.pipeline.pk}-{report.period.first:%Y-%m}-{report.period.last:%Y-%m}.{kind}"
    )
    response = HttpResponse(body, content_type=EXPORTS[kind])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@klient_view
def funnel(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    pipelines = list(
        pipeline_list(user=user, include_archived=True).order_by("archived", "position", "id")
    )
    if not pipelines and not request.GET.get("pipeline"):
        return render(request, "sales/funnel.html", {"pipelines": []})
    pipeline = _pipeline_pick(request.GET.get("pipeline"), pipelines)
    today = timezone.localdate()
    export = request.GET.get("export", "")
    if export and export not in EXPORTS:
        raise ValidationFailed(fields={"export": _("Choose CSV or XLSX.")})
    context: dict[str, Any] = {
        "pipelines": pipelines,
        "pipeline": pipeline,
        "value_from": request.GET.get("from", ""),
        "value_to": request.GET.get("to", ""),
    }
    try:
        period = _period(request.GET, today)
    except ValidationFailed as error:
        context.update(
            error=error,
            errors=[str(detail) for detail in error.fields.values()] or [str(error.message)],
            period_links=_period_links(pipeline, quarter_of(today), today),
        )
        return render(request, "sales/funnel.html", context, status=error.status)
    report = funnel_report(user=user, pipeline=pipeline, period=period)
    if export:
        return _download(report, export)
    length = period.months
    earlier = Period(month_add(period.first, -length), month_add(period.first, -1))
    later = Period(month_add(period.last, 1), month_add(period.last, length))
    context.update(
        report=report,
        period=period,
        value_from=period.first.strftime("%Y-%m"),
        value_to=period.last.strftime("%Y-%m"),
        bars=_bars(report),
        bar_height=BAR_HEIGHT,
        period_links=_period_links(pipeline, period, today),
        earlier_url=_url(pipeline, earlier),
        later_url=_url(pipeline, later),
        csv_url=_url(pipeline, period, export="csv"),
        xlsx_url=_url(pipeline, period, export="xlsx"),
    )
    return render(request, "sales/funnel.html", context)
