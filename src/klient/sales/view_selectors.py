"""Reads the sales pages need beyond `selectors`: a deal's history and ticks, the stages
of every pipeline, and the deal list's totals per stage. Deals are read through
`selectors.deal_list`, so the one visibility rule applies; each read is a fixed number
of queries whatever the number of rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count

from klient.core.capabilities import can
from klient.core.models import User
from klient.core.selectors import scoped
from klient.money.amounts import Money
from klient.money.selectors import money_totals_by
from klient.sales.models import AutomationRun, ChecklistTick, Deal, Pipeline, Stage, StageTransition
from klient.sales.selectors import deal_list

HISTORY_LIMIT = 100


def deal_transitions(*, deal: Deal, limit: int = HISTORY_LIMIT) -> list[StageTransition]:
    """The deal's stage history, latest first (the deal was read through `deal_get`)."""
    return list(
        StageTransition.objects.filter(deal=deal)
        .select_related("from_stage", "to_stage", "actor", "lost_reason", "pipeline")
        .order_by("-at", "-id")[:limit]
    )


def deal_ticked_item_ids(*, deal: Deal) -> set[int]:
    return set(ChecklistTick.objects.filter(deal=deal).values_list("item_id", flat=True))


def stages_of_pipelines(*, user: User, include_archived: bool = False) -> list[Stage]:
    """Every live stage of the workspace's pipelines, with its pipeline, in pipeline
    order and board order (the sequence, then lost)."""
    rows = scoped(Stage, user=user).filter(archived=False).select_related("pipeline")
    if not include_archived:
        rows = rows.filter(pipeline__archived=False)
    stages = list(rows)
    return sorted(
        stages,
        key=lambda stage: (
            stage.pipeline.position,
            stage.pipeline_id,
            stage.kind == Stage.Kind.LOST,
            stage.position,
            stage.pk,
        ),
    )


@dataclass
class StageTotal:
    stage: Stage
    count: int = 0
    totals: list[Money] = field(default_factory=list)


def deal_totals_by_stage(
    *, user: User, filters: Mapping[str, Any] | None, stages: list[Stage]
) -> list[StageTotal]:
    """For the deal list: per stage (of `stages`, in their order) the matching deals'
    count and sums per currency. Two queries; the sums are exact on SQLite too (whole
    ten-thousandths summed as integers, as money.selectors.money_totals does)."""
    rows = deal_list(user=user, filters=filters).order_by()
    counts = dict(rows.values("stage_id").annotate(n=Count("id")).values_list("stage_id", "n"))
    totals = money_totals_by(rows, key="stage_id")
    return [
        StageTotal(stage=stage, count=counts[stage.pk], totals=list(totals.get(stage.pk, ())))
        for stage in stages
        if counts.get(stage.pk)
    ]


def deals_for_list(*, user: User, filters: Mapping[str, Any] | None) -> Any:
    """The deal list's rows with what a row shows."""
    return deal_list(user=user, filters=filters).select_related(
        "pipeline", "stage", "organization", "owner"
    )


def deal_counts_by_stage(*, user: User, pipeline: Pipeline) -> dict[int, int]:
    """How many deals (that the user sees) are in each stage of the pipeline."""
    rows = deal_list(user=user, filters={"pipeline": pipeline.pk}).order_by()
    return dict(rows.values("stage_id").annotate(n=Count("id")).values_list("stage_id", "n"))


def automation_runs_for(*, user: User, deal: Deal, limit: int = 20) -> list[AutomationRun]:
    """What the stage automations did for a deal, newest first; administrators only (they
    set automations up and retry failed jobs). The deal is already resolved for `user`."""
    if not can(user, "pipeline.manage"):
        return []
    rows = AutomationRun.objects.filter(deal=deal).select_related("automation")
    return list(rows.order_by("-updated_at", "-id")[:limit])
