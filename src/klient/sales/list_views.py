"""The deal list: every visible deal, filtered (pipeline, stage, state, owner, search),
sorted, a page at a time, with the matching deals' totals per stage and currency."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from klient.core.pagination import Page, paginate_desc, paginate_nulls_last
from klient.core.params import param_count
from klient.core.views import LIST_COUNT_CAP, AuthedRequest, is_htmx, klient_view
from klient.sales.forms import DealListFilterForm
from klient.sales.models import Deal
from klient.sales.selectors import pipeline_list
from klient.sales.view_selectors import deal_totals_by_stage, deals_for_list, stages_of_pipelines
from klient.sales.view_support import cards_prepare, colleagues

PAGE_SIZE = 25
RESULTS_TARGET = "results"


def _page(rows: QuerySet[Deal], sort: str, cursor: str | None) -> Page[Deal]:
    if sort == "created":
        return paginate_desc(rows, field="created_at", cursor=cursor, limit=PAGE_SIZE)
    if sort == "close":
        return paginate_nulls_last(rows, field="expected_close_on", cursor=cursor, limit=PAGE_SIZE)
    if sort == "amount":
        return paginate_nulls_last(
            rows, field="amount", cursor=cursor, limit=PAGE_SIZE, descending=True
        )
    if sort == "in_stage":
        return paginate_nulls_last(rows, field="stage_entered_at", cursor=cursor, limit=PAGE_SIZE)
    return paginate_desc(rows, field="updated_at", cursor=cursor, limit=PAGE_SIZE)


@klient_view
def deal_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    pipelines = list(pipeline_list(user=user, include_archived=True))
    stages = stages_of_pipelines(user=user, include_archived=True)
    form = DealListFilterForm(
        request.GET, users=colleagues(user), pipelines=pipelines, stages=stages
    )
    filters = form.selector_filters(user)
    rows = deals_for_list(user=user, filters=filters)
    page = _page(rows, form.sort_key, request.GET.get("cursor") or None)
    cards_prepare(page.items, user=user, now=timezone.now())
    total = rows.order_by()[: LIST_COUNT_CAP + 1].count()
    start = param_count(request.GET, "start")
    url = reverse("sales:deal_list")
    query = request.GET.copy()
    for key in ("cursor", "start"):
        query.pop(key, None)
    next_url = None
    if page.next_cursor:
        following = query.copy()
        following["cursor"] = page.next_cursor
        following["start"] = str(start + len(page.items))
        next_url = f"{url}?{following.urlencode()}"
    sort_query = query.copy()
    sort_query.pop("sort", None)
    context: dict[str, Any] = {
        "form": form,
        "page": page,
        "total": min(total, LIST_COUNT_CAP),
        "total_capped": total > LIST_COUNT_CAP,
        "start": start + 1 if page.items else 0,
        "end": start + len(page.items),
        "first_url": f"{url}?{query.urlencode()}" if query else url,
        "next_url": next_url,
        "list_url": url,
        "stage_totals": deal_totals_by_stage(user=user, filters=filters, stages=stages),
        "pipelines": pipelines,
    }
    if is_htmx(request) and request.htmx.target == RESULTS_TARGET:
        return render(request, "sales/_deal_results.html", context)
    return render(request, "sales/deal_list.html", context)
