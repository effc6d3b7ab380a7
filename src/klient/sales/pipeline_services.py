"""Setting up pipelines: stages (order, probability, time limit, gates), checklist items
and lost reasons. Administrators only; nothing here loses history: a stage with deals in
it cannot go, and a stage with past transitions is archived rather than deleted."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from klient.calendars.models import BusinessCalendar
from klient.core.capabilities import require
from klient.core.errors import Conflict, NotFound, ValidationFailed
from klient.core.models import User
from klient.core.services import actor_workspace_id, audit_record
from klient.sales.jobs import funnel_rebuild
from klient.sales.models import ChecklistItem, Deal, LostReason, Pipeline, Stage, StageTransition
from klient.sales.services import REQUIRED_FIELD_CHOICES


@dataclass(frozen=True)
class StageSpec:
    name: str
    kind: str = Stage.Kind.OPEN
    probability: int = 0
    time_limit_days: int | None = None
    required_fields: tuple[str, ...] = ()
    checklist: tuple[str, ...] = ()


def _name(value: str, field: str = "name", limit: int = 120) -> str:
    name = " ".join((value or "").split())
    if not name:
        raise ValidationFailed(fields={field: _("This field is required.")})
    return name[:limit]


def _stage_values(data: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if "name" in data:
        values["name"] = _name(data["name"])
    if "kind" in data:
        if data["kind"] not in Stage.Kind.values:
            raise ValidationFailed(
                fields={"kind": _("Unknown value “%(value)s”.") % {"value": data["kind"]}}
            )
        values["kind"] = data["kind"]
    if "probability" in data:
        probability = data["probability"]
        if (
            not isinstance(probability, int)
            or isinstance(probability, bool)
            or not 0 <= probability <= 100
        ):
            raise ValidationFailed(
                fields={"probability": _("A probability is a percentage from 0 to 100.")}
            )
        values["probability"] = probability
    if "time_limit_days" in data:
        limit = data["time_limit_days"]
        if limit is not None and (not isinstance(limit, int) or not 1 <= limit <= 365):
            raise ValidationFailed(
                fields={"time_limit_days": _("Enter a number of days from 1 to 365.")}
            )
        values["time_limit_days"] = limit
    if "required_fields" in data:
        fields = list(dict.fromkeys(data["required_fields"] or []))
        unknown = [key for key in fields if key not in REQUIRED_FIELD_CHOICES]
        if unknown:
            raise ValidationFailed(
                fields={"required_fields": _("Unknown value “%(value)s”.") % {"value": unknown[0]}}
            )
        values["required_fields"] = fields
    return values


def _renumber(pipeline: Pipeline, order: Sequence[int] | None = None) -> None:
    """Positions 0..n-1: open stages, then won, then lost, each group in `order` (or as
    they stand)."""
    stages = list(
        Stage.objects.filter(pipeline=pipeline, archived=False).order_by("position", "id")
    )
    if order is not None:
        rank = {stage_id: index for index, stage_id in enumerate(order)}
        stages.sort(key=lambda stage: rank.get(stage.pk, len(rank)))
    group = {Stage.Kind.OPEN: 0, Stage.Kind.WON: 1, Stage.Kind.LOST: 2}
    stages.sort(key=lambda stage: group[Stage.Kind(stage.kind)])
    for position, stage in enumerate(stages):
        if stage.position != position:
            Stage.objects.filter(pk=stage.pk).update(position=position)


def _pipeline_for_admin(actor: User, pipeline_id: int) -> Pipeline:
    require(actor, "pipeline.manage")
    pipeline = Pipeline.objects.filter(
        pk=pipeline_id, workspace_id=actor_workspace_id(actor)
    ).first()
    if pipeline is None:
        raise NotFound(_("Pipeline not found."))
    return pipeline


def _stage_for_admin(actor: User, stage_id: int) -> Stage:
    require(actor, "pipeline.manage")
    stage = (
        Stage.objects.filter(pk=stage_id, workspace_id=actor_workspace_id(actor), archived=False)
        .select_related("pipeline")
        .first()
    )
    if stage is None:
        raise NotFound(_("Stage not found."))
    return stage


def _rebuild_later(workspace_id: int) -> None:
    """Stage order decides what "reached" means: recompute the funnel in the background."""
    funnel_rebuild.enqueue_in(workspace_id, workspace_id=workspace_id)


@transaction.atomic
def pipeline_create(
    *, actor: User, name: str, stages: Sequence[StageSpec], calendar_id: int | None = None
) -> Pipeline:
    require(actor, "pipeline.manage")
    workspace_id = actor_workspace_id(actor)
    if not any(spec.kind == Stage.Kind.OPEN for spec in stages):
        raise ValidationFailed(
            fields={"stages": _("A pipeline needs at least one stage in progress.")}
        )
    if not any(spec.kind == Stage.Kind.WON for spec in stages):
        raise ValidationFailed(fields={"stages": _("A pipeline needs a won stage.")})
    calendar = None
    if calendar_id is not None:
        calendar = BusinessCalendar.objects.filter(
            pk=calendar_id, workspace_id=workspace_id
        ).first()
        if calendar is None:
            raise ValidationFailed(fields={"calendar_id": _("Unknown calendar.")})
    position = Pipeline.objects.filter(workspace_id=workspace_id).count()
    try:
        with transaction.atomic():
            pipeline = Pipeline.objects.create(
                workspace_id=workspace_id, name=_name(name), position=position, calendar=calendar
            )
    except IntegrityError:
        raise ValidationFailed(
            fields={"name": _("A pipeline with this name already exists.")}
        ) from None
    for index, spec in enumerate(stages):
        _stage_insert(pipeline, spec, position=index)
    _renumber(pipeline)
    audit_record(
        workspace=workspace_id,
        actor=actor,
        action="pipeline.create",
        instance=pipeline,
        changes={"name": (None, pipeline.name)},
    )
    return pipeline


def _stage_insert(pipeline: Pipeline, spec: StageSpec, *, position: int) -> Stage:
    values = _stage_values(
        {
            "name": spec.name,
            "kind": spec.kind,
            "probability": spec.probability,
            "time_limit_days": spec.time_limit_days,
            "required_fields": list(spec.required_fields),
        }
    )
    if Stage.objects.filter(pipeline=pipeline, name=values["name"]).exists():
        raise ValidationFailed(fields={"name": _("A stage with this name already exists.")})
    stage = Stage.objects.create(
        workspace_id=pipeline.workspace_id, pipeline=pipeline, position=position, **values
    )
    ChecklistItem.objects.bulk_create(
        ChecklistItem(
            workspace_id=pipeline.workspace_id,
            stage=stage,
            label=_name(label, "checklist", 200),
            position=index,
        )
        for index, label in enumerate(spec.checklist)
    )
    return stage


@transaction.atomic
def pipeline_update(*, actor: User, pipeline_id: int, data: Mapping[str, Any]) -> Pipeline:
    pipeline = _pipeline_for_admin(actor, pipeline_id)
    changes: dict[str, tuple[Any, Any]] = {}
    if "name" in data:
        name = _name(data["name"])
        if (
            Pipeline.objects.filter(workspace_id=pipeline.workspace_id, name=name)
            .exclude(pk=pipeline.pk)
            .exists()
        ):
            raise ValidationFailed(fields={"name": _("A pipeline with this name already exists.")})
        if name != pipeline.name:
            changes["name"] = (pipeline.name, name)
            pipeline.name = name
    if "archived" in data and bool(data["archived"]) != pipeline.archived:
        changes["archived"] = (pipeline.archived, bool(data["archived"]))
        pipeline.archived = bool(data["archived"])
    if changes:
        pipeline.save()
        audit_record(
            workspace=pipeline.workspace_id,
            actor=actor,
            action="pipeline.update",
            instance=pipeline,
            changes=changes,
        )
    return pipeline


@transaction.atomic
def stage_create(*, actor: User, pipeline_id: int, spec: StageSpec) -> Stage:
    pipeline = _pipeline_for_admin(actor, pipeline_id)
    stage = _stage_insert(pipeline, spec, position=10_000)
    _renumber(pipeline)
    stage.refresh_from_db()
    audit_record(
        workspace=pipeline.workspace_id,
        actor=actor,
        action="stage.create",
        instance=stage,
        changes={"name": (None, stage.name)},
    )
    _rebuild_later(pipeline.workspace_id)
    return stage


@transaction.atomic
def stage_update(*, actor: User, stage_id: int, data: Mapping[str, Any]) -> Stage:
    """Rename a stage or change its probability, time limit or gates. Its kind changes
    only while no deal is in it."""
    stage = _stage_for_admin(actor, stage_id)
    values = _stage_values(data)
    if (
        "name" in values
        and Stage.objects.filter(pipeline=stage.pipeline, name=values["name"])
        .exclude(pk=stage.pk)
        .exists()
    ):
        raise ValidationFailed(fields={"name": _("A stage with this name already exists.")})
    if values.get("kind", stage.kind) != stage.kind and Deal.objects.filter(stage=stage).exists():
        raise Conflict(_("Move the deals out of this stage before changing its kind."))
    changes = {
        key: (getattr(stage, key), value)
        for key, value in values.items()
        if getattr(stage, key) != value
    }
    if not changes:
        return stage
    for key, value in values.items():
        setattr(stage, key, value)
    stage.save()
    if "kind" in changes:
        _renumber(stage.pipeline)
        _rebuild_later(stage.workspace_id)
    audit_record(
        workspace=stage.workspace_id,
        actor=actor,
        action="stage.update",
        instance=stage,
        changes=changes,
    )
    return stage


@transaction.atomic
def stage_reorder(*, actor: User, pipeline_id: int, stage_ids: Sequence[int]) -> list[int]:
    """Put the pipeline's stages in this order (open ones stay before won, won before
    lost); the funnel is recomputed in the background. The new order of ids."""
    pipeline = _pipeline_for_admin(actor, pipeline_id)
    current = list(
        Stage.objects.filter(pipeline=pipeline, archived=False).values_list("pk", flat=True)
    )
    if sorted(current) != sorted(stage_ids):
        raise ValidationFailed(fields={"stage_ids": _("List every stage of the pipeline once.")})
    _renumber(pipeline, stage_ids)
    order = list(
        Stage.objects.filter(pipeline=pipeline, archived=False)
        .order_by("position")
        .values_list("pk", flat=True)
    )
    audit_record(
        workspace=pipeline.workspace_id,
        actor=actor,
        action="pipeline.reorder",
        instance=pipeline,
        changes={"stages": (current, order)},
    )
    _rebuild_later(pipeline.workspace_id)
    return order


@transaction.atomic
def stage_delete(*, actor: User, stage_id: int) -> bool:
    """Remove a stage no deal is in: deleted if it has no history, else archived (its
    transitions and their reports stay). True when it was deleted outright."""
    stage = _stage_for_admin(actor, stage_id)
    in_stage = Deal.objects.filter(stage=stage).count()
    if in_stage:
        raise Conflict(
            _("%(count)s deals are in this stage: move them to another stage first.")
            % {"count": in_stage}
        )
    remaining = Stage.objects.filter(pipeline=stage.pipeline, archived=False).exclude(pk=stage.pk)
    if stage.kind != Stage.Kind.LOST and not remaining.filter(kind=stage.kind).exists():
        raise Conflict(_("A pipeline needs at least one stage in progress and one won stage."))
    used = (
        StageTransition.objects.filter(to_stage=stage).exists()
        or StageTransition.objects.filter(from_stage=stage).exists()
    )
    audit_record(
        workspace=stage.workspace_id,
        actor=actor,
        action="stage.delete",
        instance=stage,
        changes={"name": (stage.name, None)},
    )
    if used:
        Stage.objects.filter(pk=stage.pk).update(archived=True)
    else:
        stage.delete()
    _renumber(stage.pipeline)
    _rebuild_later(stage.workspace_id)
    return not used


@transaction.atomic
def checklist_item_add(*, actor: User, stage_id: int, label: str) -> ChecklistItem:
    stage = _stage_for_admin(actor, stage_id)
    position = ChecklistItem.objects.filter(stage=stage).count()
    item = ChecklistItem.objects.create(
        workspace_id=stage.workspace_id,
        stage=stage,
        label=_name(label, "label", 200),
        position=position,
    )
    audit_record(
        workspace=stage.workspace_id,
        actor=actor,
        action="stage.update",
        instance=stage,
        changes={"checklist": (None, item.label)},
    )
    return item


@transaction.atomic
def checklist_item_delete(*, actor: User, item_id: int) -> None:
    require(actor, "pipeline.manage")
    item = (
        ChecklistItem.objects.filter(pk=item_id, workspace_id=actor_workspace_id(actor))
        .select_related("stage")
        .first()
    )
    if item is None:
        raise NotFound(_("Checklist item not found."))
    audit_record(
        workspace=item.workspace_id,
        actor=actor,
        action="stage.update",
        instance=item.stage,
        changes={"checklist": (item.label, None)},
    )
    item.delete()


@transaction.atomic
def lost_reason_create(*, actor: User, name: str) -> LostReason:
    require(actor, "pipeline.manage")
    workspace_id = actor_workspace_id(actor)
    name = _name(name)
    if LostReason.objects.filter(workspace_id=workspace_id, name=name).exists():
        raise ValidationFailed(fields={"name": _("This reason already exists.")})
    position = LostReason.objects.filter(workspace_id=workspace_id).count()
    reason = LostReason.objects.create(workspace_id=workspace_id, name=name, position=position)
    audit_record(
        workspace=workspace_id,
        actor=actor,
        action="lost_reason.create",
        instance=reason,
        changes={"name": (None, name)},
    )
    return reason


@transaction.atomic
def lost_reason_archive(*, actor: User, reason_id: int) -> None:
    require(actor, "pipeline.manage")
    reason = LostReason.objects.filter(pk=reason_id, workspace_id=actor_workspace_id(actor)).first()
    if reason is None:
        raise NotFound(_("Lost reason not found."))
    if not reason.archived:
        reason.archived = True
        reason.save(update_fields=["archived"])
        audit_record(
            workspace=reason.workspace_id,
            actor=actor,
            action="lost_reason.archive",
            instance=reason,
            changes={"archived": (False, True)},
        )
