"""Reads the sales API needs beyond selectors.py, built on its scoped selectors so the
workspace and the deal visibility rule apply: pipelines with their stages and checklists
in a fixed number of queries, a deal's checklist and gates, its history, and its
contacts as the reader may see them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Prefetch, QuerySet

from klient.contacts import selectors as contacts
from klient.core.models import User
from klient.core.selectors import scoped
from klient.sales.models import (
    ChecklistItem,
    ChecklistTick,
    Deal,
    LostReason,
    Pipeline,
    Stage,
    StageTransition,
)
from klient.sales.selectors import deal_contacts, deal_get, pipeline_get, pipeline_list
from klient.sales.services import gate_missing


def _board_order(stages: list[Stage]) -> list[Stage]:
    """The order of selectors.stage_list: the sequence (open, then won), then lost."""
    return sorted(
        stages, key=lambda stage: (stage.kind == Stage.Kind.LOST, stage.position, stage.pk)
    )


def _with_stages(rows: QuerySet[Pipeline]) -> QuerySet[Pipeline]:
    checklist = ChecklistItem.objects.order_by("position", "id")
    stages = (
        Stage.objects.filter(archived=False)
        .order_by("position", "id")
        .prefetch_related(Prefetch("checklist", queryset=checklist))
    )
    return rows.prefetch_related(Prefetch("stages", queryset=stages, to_attr="live_stages"))


def pipeline_stages(pipeline: Pipeline) -> list[Stage]:
    """The live stages of a pipeline read by `pipelines_with_stages`, in board order."""
    return _board_order(list(getattr(pipeline, "live_stages", [])))


def pipelines_with_stages(*, user: User, include_archived: bool = False) -> list[Pipeline]:
    """The workspace's pipelines, each with its live stages and their checklist items:
    three queries whatever the number of pipelines and stages."""
    return list(_with_stages(pipeline_list(user=user, include_archived=include_archived)))


def pipeline_with_stages(*, user: User, pipeline_id: int) -> Pipeline:
    """One pipeline of the user's workspace (NotFound otherwise), with its stages."""
    pipeline = pipeline_get(user=user, pipeline_id=pipeline_id)
    return _with_stages(Pipeline.objects.filter(pk=pipeline.pk))[0]


def lost_reasons(*, user: User, include_archived: bool = False) -> QuerySet[LostReason]:
    rows = scoped(LostReason, user=user)
    return rows if include_archived else rows.filter(archived=False)


@dataclass(frozen=True)
class ChecklistState:
    item_id: int
    label: str
    done: bool
    done_at: datetime | None
    done_by_id: int | None


@dataclass(frozen=True)
class ContactView:
    person_id: int
    # Empty when the reader may not see the person (a contact of another team's client).
    full_name: str | None
    role: str


@dataclass(frozen=True)
class DealDetail:
    deal: Deal
    contacts: list[ContactView]
    checklist: list[ChecklistState]
    next_stage_id: int | None
    missing: list[str]


def deal_checklist(*, deal: Deal, item_id: int | None = None) -> list[ChecklistState]:
    """The checklist of the deal's current stage (or the one item of its pipeline),
    each item with whether it is done."""
    items_q = ChecklistItem.objects.filter(stage__pipeline_id=deal.pipeline_id)
    if item_id is None:
        items_q = items_q.filter(stage_id=deal.stage_id)
    else:
        items_q = items_q.filter(pk=item_id)
    items = list(items_q.order_by("position", "id"))
    ticks = {
        tick.item_id: tick
        for tick in ChecklistTick.objects.filter(deal=deal, item__in=[item.pk for item in items])
    }
    return [
        ChecklistState(
            item_id=item.pk,
            label=item.label,
            done=item.pk in ticks,
            done_at=ticks[item.pk].done_at if item.pk in ticks else None,
            done_by_id=ticks[item.pk].done_by_id if item.pk in ticks else None,
        )
        for item in items
    ]


def deal_next_stage(*, deal: Deal) -> Stage | None:
    """The stage after the deal's own in its pipeline's sequence; None once it is closed."""
    if deal.stage.kind != Stage.Kind.OPEN:
        return None
    later = (
        Stage.objects.filter(
            pipeline_id=deal.pipeline_id, archived=False, position__gt=deal.stage.position
        )
        .exclude(kind=Stage.Kind.LOST)
        .order_by("position", "id")
    )
    return later.first()


def deal_contact_views(*, user: User, deal: Deal) -> list[ContactView]:
    links = deal_contacts(deal=deal)
    ids = [link.person_id for link in links]
    visible = set(contacts.person_list(user=user).filter(pk__in=ids).values_list("pk", flat=True))
    return [
        ContactView(
            person_id=link.person_id,
            full_name=link.person.full_name if link.person_id in visible else None,
            role=link.role,
        )
        for link in links
    ]


def deal_detail(*, user: User, deal_id: int) -> DealDetail:
    """A visible deal (NotFound otherwise) with its contacts, the checklist of its stage
    and what stops it from moving on to the next stage (services.gate_missing)."""
    return deal_detail_of(user=user, deal=deal_get(user=user, deal_id=deal_id))


def deal_detail_of(*, user: User, deal: Deal) -> DealDetail:
    """The detail of a deal already read or just written by `user` (after a change of
    owner it may no longer be visible to them, but they wrote it)."""
    following = deal_next_stage(deal=deal)
    return DealDetail(
        deal=deal,
        contacts=deal_contact_views(user=user, deal=deal),
        checklist=deal_checklist(deal=deal),
        next_stage_id=following.pk if following is not None else None,
        missing=gate_missing(deal=deal, leaving=[deal.stage]) if following is not None else [],
    )


def deal_transitions(*, deal: Deal) -> QuerySet[StageTransition]:
    """A deal's stage history, oldest first, with the stages and people named."""
    return (
        StageTransition.objects.filter(deal=deal)
        .select_related("from_stage", "to_stage", "actor")
        .order_by("at", "id")
    )


def deal_filters(values: Mapping[str, Any]) -> dict[str, Any]:
    """API filter names (`pipeline_id`) as deal_list's (`pipeline`)."""
    return {key.removesuffix("_id"): value for key, value in values.items()}
