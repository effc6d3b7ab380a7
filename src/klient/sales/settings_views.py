"""Pipeline settings (administrators): pipelines, their stages (name, probability, time
limit, required fields, checklist, order, removal) and the lost reasons. Every change
goes through pipeline_services; a refusal comes back as a message on the page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from klient.core.capabilities import require
from klient.core.errors import KlientError, NotFound
from klient.core.models import User
from klient.core.params import param_id
from klient.core.views import AuthedRequest, klient_view
from klient.sales import pipeline_services as setup
from klient.sales.forms import (
    LabelForm,
    LostReasonForm,
    PipelineCreateForm,
    PipelineForm,
    StageCreateForm,
    StageForm,
)
from klient.sales.models import Pipeline, Stage
from klient.sales.selectors import (
    checklist_for,
    lost_reason_list,
    pipeline_get,
    pipeline_list,
    stage_get,
    stage_list,
)
from klient.sales.view_selectors import deal_counts_by_stage


def _admin(user: User) -> None:
    require(user, "pipeline.manage")


def _back(pipeline_id: int | None) -> HttpResponse:
    url = reverse("sales:settings")
    return redirect(f"{url}?pipeline={pipeline_id}" if pipeline_id else url)


def _refused(request: AuthedRequest, error: KlientError) -> None:
    details = [str(detail) for detail in error.fields.values()]
    text = str(error.message)
    if details and text == str(error.default_message):
        text = " ".join(details)
    elif details:
        text = f"{text} {' '.join(details)}"
    messages.error(request, text)


def _invalid(request: AuthedRequest, form: forms.Form) -> None:
    texts = [
        f"{form.fields[name].label}: {error}" if name in form.fields else str(error)
        for name, errors in form.errors.items()
        for error in errors
    ]
    messages.error(request, " ".join(texts))


def _attempt(request: AuthedRequest, action: Callable[[], object], done: str) -> bool:
    """Run a change: `done` or the refusal goes to the page (a record that is not there,
    or another workspace's, is a 404 as everywhere)."""
    try:
        action()
    except NotFound:
        raise
    except KlientError as error:
        _refused(request, error)
        return False
    messages.success(request, done)
    return True


@klient_view
def sales_settings(request: AuthedRequest) -> HttpResponse:
    user = request.user
    _admin(user)
    pipelines = list(pipeline_list(user=user, include_archived=True))
    chosen = param_id(request.GET, "pipeline")
    pipeline: Pipeline | None = None
    if chosen is not None:
        pipeline = pipeline_get(user=user, pipeline_id=chosen)
    elif pipelines:
        pipeline = pipelines[0]
    context: dict[str, Any] = {
        "pipelines": pipelines,
        "pipeline": pipeline,
        "create_form": PipelineCreateForm(),
        "reason_form": LostReasonForm(),
        "lost_reasons": list(lost_reason_list(user=user)),
    }
    if pipeline is not None:
        stages = stage_list(pipeline=pipeline)
        items = checklist_for(stage_ids=[stage.pk for stage in stages])
        counts = deal_counts_by_stage(user=user, pipeline=pipeline)
        context.update(
            {
                "rename_form": PipelineForm(initial={"name": pipeline.name}),
                "stage_rows": [
                    {
                        "stage": stage,
                        "form": StageForm(
                            prefix=f"s{stage.pk}",
                            initial={
                                "name": stage.name,
                                "probability": stage.probability,
                                "time_limit_days": stage.time_limit_days,
                                "required_fields": stage.required_fields,
                            },
                        ),
                        "items": items.get(stage.pk, []),
                        "deals": counts.get(stage.pk, 0),
                        "first": index == 0,
                        "last": index == len(stages) - 1,
                    }
                    for index, stage in enumerate(stages)
                ],
                "new_stage_form": StageCreateForm(initial={"probability": 0}),
                "item_form": LabelForm(),
            }
        )
    return render(request, "sales/settings.html", context)


@klient_view(write=True)
@require_POST
def pipeline_create(request: AuthedRequest) -> HttpResponse:
    user = request.user
    _admin(user)
    form = PipelineCreateForm(request.POST)
    if not form.is_valid():
        _invalid(request, form)
        return _back(None)
    specs = [setup.StageSpec(name) for name in form.stage_names()]
    specs.append(setup.StageSpec(form.cleaned_data["won"], kind=Stage.Kind.WON, probability=100))
    if form.cleaned_data["lost"].strip():
        specs.append(setup.StageSpec(form.cleaned_data["lost"], kind=Stage.Kind.LOST))
    name = form.cleaned_data["name"]
    created: list[Pipeline] = []
    _attempt(
        request,
        lambda: created.append(setup.pipeline_create(actor=user, name=name, stages=specs)),
        _("Pipeline “%(name)s” created.") % {"name": " ".join(name.split())},
    )
    return _back(created[0].pk if created else None)


@klient_view(write=True)
@require_POST
def pipeline_update(request: AuthedRequest, pipeline_id: int) -> HttpResponse:
    user = request.user
    _admin(user)
    data: dict[str, Any] = {}
    if "archived" in request.POST:
        data["archived"] = request.POST.get("archived") == "1"
    else:
        form = PipelineForm(request.POST)
        if not form.is_valid():
            _invalid(request, form)
            return _back(pipeline_id)
        data["name"] = form.cleaned_data["name"]
    _attempt(
        request,
        lambda: setup.pipeline_update(actor=user, pipeline_id=pipeline_id, data=data),
        _("Pipeline saved."),
    )
    return _back(pipeline_id)


@klient_view(write=True)
@require_POST
def stage_create(request: AuthedRequest, pipeline_id: int) -> HttpResponse:
    user = request.user
    _admin(user)
    form = StageCreateForm(request.POST)
    if not form.is_valid():
        _invalid(request, form)
        return _back(pipeline_id)
    data = form.cleaned_data
    spec = setup.StageSpec(
        name=data["name"],
        kind=data["kind"],
        probability=data["probability"],
        time_limit_days=data.get("time_limit_days"),
    )
    _attempt(
        request,
        lambda: setup.stage_create(actor=user, pipeline_id=pipeline_id, spec=spec),
        _("Stage added."),
    )
    return _back(pipeline_id)


@klient_view(write=True)
@require_POST
def stage_update(request: AuthedRequest, stage_id: int) -> HttpResponse:
    user = request.user
    _admin(user)
    stage = stage_get(user=user, stage_id=stage_id)
    form = StageForm(request.POST, prefix=f"s{stage.pk}")
    if not form.is_valid():
        _invalid(request, form)
        return _back(stage.pipeline_id)
    _attempt(
        request,
        lambda: setup.stage_update(actor=user, stage_id=stage.pk, data=form.stage_data()),
        _("Stage saved."),
    )
    return _back(stage.pipeline_id)


@klient_view(write=True)
@require_POST
def stage_move(request: AuthedRequest, stage_id: int) -> HttpResponse:
    """One place up or down (open stages stay before won, won before lost)."""
    user = request.user
    _admin(user)
    stage = stage_get(user=user, stage_id=stage_id)
    order = [item.pk for item in stage_list(pipeline=stage.pipeline)]
    index = order.index(stage.pk) if stage.pk in order else -1
    other = index + (-1 if request.POST.get("direction") == "up" else 1)
    if index >= 0 and 0 <= other < len(order):
        order[index], order[other] = order[other], order[index]
        _attempt(
            request,
            lambda: setup.stage_reorder(actor=user, pipeline_id=stage.pipeline_id, stage_ids=order),
            _("Stage order saved."),
        )
    return _back(stage.pipeline_id)


@klient_view(write=True)
@require_POST
def stage_delete(request: AuthedRequest, stage_id: int) -> HttpResponse:
    user = request.user
    _admin(user)
    stage = stage_get(user=user, stage_id=stage_id)

    try:
        deleted = setup.stage_delete(actor=user, stage_id=stage.pk)
    except NotFound:
        raise
    except KlientError as error:
        _refused(request, error)
    else:
        done = (
            _("Stage “%(name)s” deleted.")
            if deleted
            else _("Stage “%(name)s” removed; its history stays in the reports.")
        )
        messages.success(request, done % {"name": stage.name})
    return _back(stage.pipeline_id)


@klient_view(write=True)
@require_POST
def checklist_add(request: AuthedRequest, stage_id: int) -> HttpResponse:
    user = request.user
    _admin(user)
    stage = stage_get(user=user, stage_id=stage_id)
    form = LabelForm(request.POST)
    if not form.is_valid():
        _invalid(request, form)
        return _back(stage.pipeline_id)
    _attempt(
        request,
        lambda: setup.checklist_item_add(
            actor=user, stage_id=stage.pk, label=form.cleaned_data["label"]
        ),
        _("Checklist item added."),
    )
    return _back(stage.pipeline_id)


@klient_view(write=True)
@require_POST
def checklist_delete(request: AuthedRequest, item_id: int) -> HttpResponse:
    user = request.user
    _admin(user)
    _attempt(
        request,
        lambda: setup.checklist_item_delete(actor=user, item_id=item_id),
        _("Checklist item deleted."),
    )
    return _back(param_id(request.POST, "pipeline"))


@klient_view(write=True)
@require_POST
def lost_reason_create(request: AuthedRequest) -> HttpResponse:
    user = request.user
    _admin(user)
    form = LostReasonForm(request.POST)
    if not form.is_valid():
        _invalid(request, form)
    else:
        _attempt(
            request,
            lambda: setup.lost_reason_create(actor=user, name=form.cleaned_data["name"]),
            _("Lost reason added."),
        )
    return _back(param_id(request.POST, "pipeline"))


@klient_view(write=True)
@require_POST
def lost_reason_archive(request: AuthedRequest, reason_id: int) -> HttpResponse:
    user = request.user
    _admin(user)
    _attempt(
        request,
        lambda: setup.lost_reason_archive(actor=user, reason_id=reason_id),
        _("Lost reason archived."),
    )
    return _back(param_id(request.POST, "pipeline"))
