"""The deal page (its fields, contacts, where it stands in the pipeline, the current
stage's checklist and what is missing to move on, its history, the timeline and tasks),
ticking the checklist and moving the deal to another pipeline."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from klient.activities.views import card_activity_context
from klient.attachments.views import attachments_context
from klient.core.errors import KlientError, PermissionDenied
from klient.core.models import User
from klient.core.params import param_id, param_required_id
from klient.core.views import AuthedRequest, is_htmx, klient_view
from klient.sales import services
from klient.sales.models import Deal, Stage
from klient.sales.quotes.views import deal_quotes_context
from klient.sales.selectors import (
    checklist_for,
    deal_contacts,
    deal_get,
    lost_reason_list,
    pipeline_get,
    pipeline_list,
    stage_list,
)
from klient.sales.view_selectors import automation_runs_for, deal_ticked_item_ids, deal_transitions
from klient.sales.view_support import cards_prepare, may_change

STAGE_TARGET = "deal-stage"


def stage_panel_context(user: User, deal: Deal) -> dict[str, Any]:
    """Where the deal stands: the pipeline's steps, the current stage's checklist, what is
    missing before it moves on, and the moves this user may make."""
    stages = stage_list(pipeline=deal.pipeline)
    current = next((stage for stage in stages if stage.pk == deal.stage_id), deal.stage)
    sequence = [stage for stage in stages if stage.kind != Stage.Kind.LOST]
    lost_stages = [stage for stage in stages if stage.kind == Stage.Kind.LOST]
    is_lost = current.kind == Stage.Kind.LOST
    reached = deal.furthest_position if is_lost else current.position
    steps = [
        {
            "stage": stage,
            "state": "current"
            if stage.pk == current.pk
            else "done"
            if stage.position < reached or (is_lost and stage.position == reached)
            else "todo",
        }
        for stage in sequence
    ]
    next_stage = None
    if current.kind == Stage.Kind.OPEN:
        next_stage = next((stage for stage in sequence if stage.position > current.position), None)
    missing = services.gate_missing(deal=deal, leaving=[current]) if next_stage else []
    items = checklist_for(stage_ids=[current.pk]).get(current.pk, [])
    ticked = deal_ticked_item_ids(deal=deal) if items else set()
    can_move = may_change(user, deal, "deal.move")
    return {
        "deal": deal,
        "stages": stages,
        "current": current,
        "steps": steps,
        "is_lost": is_lost,
        "next_stage": next_stage,
        "lost_stages": lost_stages,
        "missing": missing,
        "checklist": [(item, item.pk in ticked) for item in items],
        "can_move": can_move,
        "lost_reasons": list(lost_reason_list(user=user)) if can_move and lost_stages else [],
    }


def deal_page(
    request: AuthedRequest,
    deal: Deal,
    *,
    move_problem: Any = None,
    move_target: Stage | None = None,
) -> HttpResponse:
    user = request.user
    cards_prepare([deal], user=user, now=timezone.now())
    context: dict[str, Any] = {
        **card_activity_context(user, deal),
        **stage_panel_context(user, deal),
        "contacts": deal_contacts(deal=deal),
        "transitions": deal_transitions(deal=deal),
        "can_edit": may_change(user, deal, "deal.create"),
        "other_pipelines": [p for p in pipeline_list(user=user) if p.pk != deal.pipeline_id],
        "move_problem": move_problem,
        "move_target": move_target,
        **deal_quotes_context(user, deal),
        **attachments_context(user, deal),
        "automation_runs": automation_runs_for(user=user, deal=deal),
    }
    status = move_problem.status if move_problem is not None else 200
    return render(request, "sales/deal_detail.html", context, status=status)


@klient_view
def deal_detail(request: AuthedRequest, deal_id: int) -> HttpResponse:
    return deal_page(request, deal_get(user=request.user, deal_id=deal_id))


@klient_view(write=True)
@require_POST
def checklist_tick(request: AuthedRequest, deal_id: int, item_id: int) -> HttpResponse:
    """Tick or untick an item of the current stage's checklist (`done` = 1 or 0)."""
    user = request.user
    done = request.POST.get("done") == "1"
    services.checklist_tick(actor=user, deal_id=deal_id, item_id=item_id, done=done)
    deal = deal_get(user=user, deal_id=deal_id)
    if not is_htmx(request):
        return redirect("sales:deal_detail", deal_id=deal_id)
    context = stage_panel_context(user, deal)
    ticked = next(((i, d) for i, d in context["checklist"] if i.pk == item_id), None)
    if ticked is None:  # an item of another stage (the deal moved meanwhile): the whole panel
        response = render(request, "sales/_deal_stage.html", context)
        return reswap(retarget(response, f"#{STAGE_TARGET}"), "outerHTML")
    context["item"], context["done"] = ticked
    return render(request, "sales/_tick_response.html", context)


@klient_view(write=True)
@require_http_methods(["GET", "POST"])
def deal_pipeline_change(request: AuthedRequest, deal_id: int) -> HttpResponse:
    """GET `?pipeline_id=`: the stage of that pipeline proposed for the deal, which the
    user may change; POST `stage_id` and `version`: move it there."""
    user = request.user
    deal = deal_get(user=user, deal_id=deal_id)
    if not may_change(user, deal, "deal.move"):
        raise PermissionDenied(_("You can change only your own deals."))
    source = request.POST if request.method == "POST" else request.GET
    pipeline = pipeline_get(user=user, pipeline_id=param_required_id(source, "pipeline_id"))
    stages = [stage for stage in stage_list(pipeline=pipeline) if stage.kind != Stage.Kind.LOST]
    error: KlientError | None = None
    chosen = None
    if request.method == "POST":
        chosen = param_required_id(request.POST, "stage_id")
        try:
            services.deal_pipeline_change(
                actor=user,
                deal_id=deal.pk,
                stage_id=chosen,
                version=param_id(request.POST, "version"),
            )
        except KlientError as refused:
            if isinstance(refused, PermissionDenied):
                raise
            error = refused
        else:
            messages.success(
                request,
                _("“%(deal)s” moved to the pipeline “%(pipeline)s”.")
                % {"deal": deal.title, "pipeline": pipeline.name},
            )
            return redirect("sales:deal_detail", deal_id=deal.pk)
    proposed = services.pipeline_stage_map(current=deal.stage, stages=stages)
    context = {
        "deal": deal,
        "pipeline": pipeline,
        "stages": stages,
        "chosen": chosen or (proposed.pk if proposed is not None else None),
        "proposed": proposed,
        "error": error,
        "error_details": [str(detail) for detail in error.fields.values()] if error else [],
    }
    status = error.status if error is not None else 200
    template = "sales/_pipeline_change.html" if is_htmx(request) else "sales/pipeline_change.html"
    return render(request, template, context, status=status)
