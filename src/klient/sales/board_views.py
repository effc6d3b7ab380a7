"""The board: one pipeline's stages as columns of deal cards, with filters; a card moves
by drag and drop or by its "move to" select (sales/static sales-board.js posts the same
form), and the columns are redrawn from the server after each move."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from klient.core.models import User
from klient.core.views import AuthedRequest, is_htmx, klient_view
from klient.sales.forms import BoardFilterForm
from klient.sales.models import Pipeline
from klient.sales.selectors import board_columns, pipeline_get, pipeline_list
from klient.sales.view_support import cards_prepare, colleagues

BOARD_TARGET = "board-columns"
# The query parameters of the board that a move posts along and the board keeps.
FILTER_KEYS = ("q", "owner", "mine")


def board_url(pipeline: Pipeline, first: Pipeline | None) -> str:
    if first is not None and first.pk == pipeline.pk:
        return reverse("sales:board")
    return reverse("sales:pipeline_board", kwargs={"pipeline_id": pipeline.pk})


def board_context(
    user: User, *, pipeline: Pipeline, form: BoardFilterForm, url: str
) -> dict[str, Any]:
    """The columns of `pipeline` as the filters of `form` select them: a fixed number of
    queries (board_columns: two, and one per stage)."""
    columns = board_columns(user=user, pipeline=pipeline, filters=form.selector_filters(user))
    now = timezone.now()
    for column in columns:
        cards_prepare(column.deals, user=user, now=now)
    kept = {key: form.data.get(key) for key in FILTER_KEYS if form.data.get(key)}
    encoded = urlencode(kept)
    return {
        "pipeline": pipeline,
        "columns": columns,
        "stages": [column.stage for column in columns],
        "form": form,
        "board_url": url,
        "next_url": f"{url}?{encoded}" if encoded else url,
    }


@klient_view
def board(request: AuthedRequest, pipeline_id: int | None = None) -> HttpResponse:
    user = request.user
    pipelines = list(pipeline_list(user=user))
    first = pipelines[0] if pipelines else None
    if pipeline_id is not None:
        pipeline: Pipeline | None = pipeline_get(user=user, pipeline_id=pipeline_id)
    else:
        pipeline = first
    if pipeline is None:
        return render(request, "sales/board.html", {"pipelines": [], "pipeline": None})
    form = BoardFilterForm(request.GET, users=colleagues(user))
    context = board_context(user, pipeline=pipeline, form=form, url=board_url(pipeline, first))
    context["pipelines"] = pipelines
    if is_htmx(request) and request.htmx.target == BOARD_TARGET:
        return render(request, "sales/_board_columns.html", context)
    return render(request, "sales/board.html", context)
