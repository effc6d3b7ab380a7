"""Moving a deal to another stage, from the board (htmx: the columns are redrawn, or the
card shows why it did not move) or from the deal page (a plain form post).

A refusal is never a bare error: a gate says what is still missing, a concurrent change
says to reload, and a move into a lost stage without a reason asks for one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import reswap, retarget

from klient.core.errors import ValidationFailed
from klient.core.params import param_id, param_required_id
from klient.core.views import AuthedRequest, is_htmx, klient_view, safe_next_url
from klient.sales import services
from klient.sales.board_views import FILTER_KEYS, board_context
from klient.sales.deal_views import deal_page
from klient.sales.forms import BoardFilterForm
from klient.sales.models import Deal, Stage
from klient.sales.selectors import deal_get, lost_reason_list, pipeline_get, stage_get
from klient.sales.view_support import colleagues


@dataclass
class MoveProblem:
    """Why a move did not happen, as the page shows it."""

    kind: str  # gate, changed, lost_reason, invalid
    message: str
    status: int
    missing: list[str] = field(default_factory=list)


def _problem(error: Exception, target: Stage) -> MoveProblem:
    if isinstance(error, services.GateBlocked):
        return MoveProblem(
            kind="gate",
            message=_("Not moved to “%(stage)s”. Still to do:") % {"stage": target.name},
            status=error.status,
            missing=list(error.missing),
        )
    if isinstance(error, services.DealChanged):
        return MoveProblem(kind="changed", message=str(error.message), status=error.status)
    assert isinstance(error, ValidationFailed)
    details = [str(detail) for detail in error.fields.values()]
    if "lost_reason_id" in error.fields:
        return MoveProblem(kind="lost_reason", message=details[0], status=error.status, missing=[])
    return MoveProblem(
        kind="invalid",
        message=details[0] if details else str(error.message),
        status=error.status,
    )


@klient_view(write=True)
@require_POST
def deal_move(request: AuthedRequest, deal_id: int) -> HttpResponse:
    user = request.user
    post = request.POST
    stage_id = param_required_id(post, "stage_id")
    lost_reason_id = param_id(post, "lost_reason_id")
    version = param_id(post, "version")
    on_board = post.get("from") == "board"
    target = stage_get(user=user, stage_id=stage_id)
    try:
        services.deal_move(
            actor=user,
            deal_id=deal_id,
            stage_id=stage_id,
            version=version,
            lost_reason_id=lost_reason_id,
            lost_note=str(post.get("lost_note") or "")[:500],
        )
    except (services.GateBlocked, services.DealChanged, ValidationFailed) as error:
        problem = _problem(error, target)
    else:
        moved = _("“%(deal)s” moved to “%(stage)s”.")
        if on_board and is_htmx(request):
            return _board_redrawn(request, deal_id, target, moved)
        deal = deal_get(user=user, deal_id=deal_id)
        messages.success(request, moved % {"deal": deal.title, "stage": target.name})
        if on_board:
            return redirect(safe_next_url(request, post.get("next"), reverse("sales:board")))
        return redirect("sales:deal_detail", deal_id=deal_id)
    deal = deal_get(user=user, deal_id=deal_id)
    if on_board:
        return _board_problem(request, deal, target, problem, version)
    return deal_page(request, deal, move_problem=problem, move_target=target)


def _board_redrawn(request: AuthedRequest, deal_id: int, target: Stage, moved: str) -> HttpResponse:
    user = request.user
    deal = deal_get(user=user, deal_id=deal_id)
    pipeline = pipeline_get(user=user, pipeline_id=deal.pipeline_id)
    form = BoardFilterForm(request.POST, users=colleagues(user))
    url = safe_next_url(request, request.POST.get("next"), reverse("sales:board")).split("?")[0]
    context = board_context(user, pipeline=pipeline, form=form, url=url)
    context["moved_deal"] = deal.pk
    context["announcement"] = moved % {"deal": deal.title, "stage": target.name}
    return render(request, "sales/_board_columns.html", context)


def _board_problem(
    request: AuthedRequest,
    deal: Deal,
    target: Stage,
    problem: MoveProblem,
    version: int | None,
) -> HttpResponse:
    """The refusal next to the card (htmx), or on a page of its own without scripts.
    Nothing moved, so the board stays as it is."""
    context: dict[str, Any] = {
        "deal": deal,
        "target": target,
        "problem": problem,
        "version": version if version is not None else deal.version,
        "next_url": safe_next_url(request, request.POST.get("next"), reverse("sales:board")),
        "filters": {key: request.POST[key] for key in FILTER_KEYS if request.POST.get(key)},
    }
    if problem.kind == "lost_reason":
        context["lost_reasons"] = list(lost_reason_list(user=request.user))
    if not is_htmx(request):
        return render(request, "sales/move_problem.html", context, status=problem.status)
    response = render(request, "sales/_move_problem.html", context, status=problem.status)
    return reswap(retarget(response, f"#deal-{deal.pk}-problem"), "innerHTML")
