"""Pipelines, their stages and checklists, and lost reasons. Everyone in the workspace
reads them; only administrators change them (capability pipeline.manage)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from klient.core.api_support import ERROR_CODES, ErrorOut, Id, api_user
from klient.sales.api.schemas import (
    ChecklistItemIn,
    ChecklistItemOut,
    LostReasonIn,
    LostReasonOut,
    PipelineIn,
    PipelineOut,
    PipelinePatch,
    StageDeletedOut,
    StageIn,
    StageOrderIn,
    StageOut,
    StagePatch,
)
from klient.sales.api_selectors import lost_reasons, pipeline_with_stages, pipelines_with_stages
from klient.sales.pipeline_services import (
    StageSpec,
    checklist_item_add,
    checklist_item_delete,
    lost_reason_archive,
    lost_reason_create,
    pipeline_create,
    pipeline_update,
    stage_create,
    stage_delete,
    stage_reorder,
    stage_update,
)

router = Router(tags=["pipelines"])


def _spec(stage: StageIn) -> StageSpec:
    return StageSpec(
        name=stage.name,
        kind=stage.kind,
        probability=stage.probability,
        time_limit_days=stage.time_limit_days,
        required_fields=tuple(stage.required_fields),
        checklist=tuple(stage.checklist),
    )


# --- pipelines -------------------------------------------------------------------------


@router.get(
    "/pipelines",
    response={200: list[PipelineOut], ERROR_CODES: ErrorOut},
    summary="List pipelines with their stages",
)
def pipeline_index(request: HttpRequest, include_archived: bool = False) -> Any:
    """Every pipeline of the workspace in its order, each with its stages in board order
    (the sequence, open then won, then the lost stages), their probability, time limit,
    required fields and checklist items."""
    return pipelines_with_stages(user=api_user(request), include_archived=include_archived)


@router.post(
    "/pipelines",
    response={201: PipelineOut, ERROR_CODES: ErrorOut},
    summary="Create a pipeline",
)
def pipeline_add(request: HttpRequest, payload: PipelineIn) -> Any:
    """Administrators only. The stages need at least one in progress and one won."""
    user = api_user(request)
    pipeline = pipeline_create(
        actor=user,
        name=payload.name,
        stages=[_spec(stage) for stage in payload.stages],
        calendar_id=payload.calendar_id,
    )
    return Status(201, pipeline_with_stages(user=user, pipeline_id=pipeline.pk))


@router.get(
    "/pipelines/{pipeline_id}",
    response={200: PipelineOut, ERROR_CODES: ErrorOut},
    summary="Get a pipeline with its stages",
)
def pipeline_detail(request: HttpRequest, pipeline_id: Id) -> Any:
    return pipeline_with_stages(user=api_user(request), pipeline_id=pipeline_id)


@router.patch(
    "/pipelines/{pipeline_id}",
    response={200: PipelineOut, ERROR_CODES: ErrorOut},
    summary="Rename or archive a pipeline",
)
def pipeline_change(request: HttpRequest, pipeline_id: Id, payload: PipelinePatch) -> Any:
    """Administrators only. An archived pipeline takes no new deals; its deals stay."""
    user = api_user(request)
    pipeline_update(actor=user, pipeline_id=pipeline_id, data=payload.changes())
    return pipeline_with_stages(user=user, pipeline_id=pipeline_id)


# --- stages ----------------------------------------------------------------------------


@router.post(
    "/pipelines/{pipeline_id}/stages",
    response={201: StageOut, ERROR_CODES: ErrorOut},
    summary="Add a stage to a pipeline",
)
def stage_add(request: HttpRequest, pipeline_id: Id, payload: StageIn) -> Any:
    """Administrators only. A new stage goes last in its group (open, won, lost); reorder
    the stages to place it."""
    stage = stage_create(actor=api_user(request), pipeline_id=pipeline_id, spec=_spec(payload))
    return Status(201, stage)


@router.put(
    "/pipelines/{pipeline_id}/stage-order",
    response={200: PipelineOut, ERROR_CODES: ErrorOut},
    summary="Reorder a pipeline's stages",
)
def stage_order_set(request: HttpRequest, pipeline_id: Id, payload: StageOrderIn) -> Any:
    """Administrators only. `stage_ids` lists every live stage of the pipeline once; open
    stages stay before won ones, won before lost. The funnel is recomputed in the
    background."""
    user = api_user(request)
    stage_reorder(actor=user, pipeline_id=pipeline_id, stage_ids=payload.stage_ids)
    return pipeline_with_stages(user=user, pipeline_id=pipeline_id)


@router.patch(
    "/stages/{stage_id}",
    response={200: StageOut, ERROR_CODES: ErrorOut},
    summary="Change a stage",
)
def stage_change(request: HttpRequest, stage_id: Id, payload: StagePatch) -> Any:
    """Administrators only: name, probability, time limit, required fields, and the kind
    while no deal is in the stage (409 otherwise)."""
    return stage_update(actor=api_user(request), stage_id=stage_id, data=payload.changes())


@router.delete(
    "/stages/{stage_id}",
    response={200: StageDeletedOut, ERROR_CODES: ErrorOut},
    summary="Delete a stage",
)
def stage_remove(request: HttpRequest, stage_id: Id) -> Any:
    """Administrators only. Refused (409) while deals are in the stage; a stage with
    history is archived rather than deleted, so its transitions and reports stay."""
    deleted = stage_delete(actor=api_user(request), stage_id=stage_id)
    return {"id": stage_id, "outcome": "deleted" if deleted else "archived"}


@router.post(
    "/stages/{stage_id}/checklist",
    response={201: ChecklistItemOut, ERROR_CODES: ErrorOut},
    summary="Add a checklist item to a stage",
)
def checklist_item_create(request: HttpRequest, stage_id: Id, payload: ChecklistItemIn) -> Any:
    """Administrators only. A deal leaves the stage forward only once every item is done."""
    return Status(
        201, checklist_item_add(actor=api_user(request), stage_id=stage_id, label=payload.label)
    )


@router.delete(
    "/checklist-items/{item_id}",
    response={204: None, ERROR_CODES: ErrorOut},
    summary="Delete a checklist item",
)
def checklist_item_remove(request: HttpRequest, item_id: Id) -> Any:
    checklist_item_delete(actor=api_user(request), item_id=item_id)
    return Status(204, None)


# --- lost reasons ----------------------------------------------------------------------


@router.get(
    "/lost-reasons",
    response={200: list[LostReasonOut], ERROR_CODES: ErrorOut},
    summary="List lost reasons",
)
def lost_reason_index(request: HttpRequest, include_archived: bool = False) -> Any:
    """The reasons a deal may be lost for, in their order; archived ones on request."""
    return lost_reasons(user=api_user(request), include_archived=include_archived)


@router.post(
    "/lost-reasons",
    response={201: LostReasonOut, ERROR_CODES: ErrorOut},
    summary="Create a lost reason",
)
def lost_reason_add(request: HttpRequest, payload: LostReasonIn) -> Any:
    """Administrators only. Once a workspace has reasons, losing a deal needs one."""
    return Status(201, lost_reason_create(actor=api_user(request), name=payload.name))


@router.post(
    "/lost-reasons/{reason_id}/archive",
    response={200: LostReasonOut, ERROR_CODES: ErrorOut},
    summary="Archive a lost reason",
)
def lost_reason_archive_one(request: HttpRequest, reason_id: Id) -> Any:
    """Administrators only. The reason stays on the deals lost for it and in reports."""
    user = api_user(request)
    lost_reason_archive(actor=user, reason_id=reason_id)
    return lost_reasons(user=user, include_archived=True).get(pk=reason_id)
