"""Reads of sales, scoped to the workspace and to the one visibility rule of deals."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from klient.contacts.normalize import search_fold
from klient.core.errors import NotFound, ValidationFailed
from klient.core.models import User
from klient.core.selectors import scoped, visibility_q
from klient.money.amounts import Money
from klient.money.selectors import money_totals_by
from klient.sales.models import ChecklistItem, Deal, DealContact, LostReason, Pipeline, Stage


def deal_visibility_q(user: User, path: str = "") -> Q:
    """Who may see a deal: its owner and team, the owner's managers, admins and analysts
    (the rule of people and organizations, core.selectors.visibility_q)."""
    return visibility_q(user, owner_field=f"{path}owner", team_field=f"{path}team")


def deal_list(*, user: User, filters: Mapping[str, Any] | None = None) -> QuerySet[Deal]:
    """Visible deals, filtered: pipeline, stage, state, owner, organization, person, q."""
    rows = scoped(Deal, user=user).filter(deal_visibility_q(user))
    filters = filters or {}
    for key in ("pipeline", "stage", "owner", "organization", "team"):
        value = filters.get(key)
        if value not in (None, ""):
            rows = rows.filter(**{f"{key}_id": _int(value, key)})
    state = filters.get("state")
    if state:
        if state not in Deal.State.values:
            raise ValidationFailed(
                fields={"state": _("Unknown value “%(value)s”.") % {"value": state}}
            )
        rows = rows.filter(state=state)
    person = filters.get("person")
    if person not in (None, ""):
        rows = rows.filter(
            pk__in=DealContact.objects.filter(person_id=_int(person, "person")).values("deal_id")
        )
    query = str(filters.get("q") or "").strip()
    if query:
        for term in search_fold(query).split(" "):
            rows = rows.filter(title_folded__contains=term)
    return rows


def _int(value: Any, key: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if not 0 < number < 2**63:
        raise ValidationFailed(fields={key: _("Enter a whole number.")})
    return number


def deal_get(*, user: User, deal_id: int) -> Deal:
    deal = (
        deal_list(user=user)
        .filter(pk=deal_id)
        .select_related("pipeline", "stage", "organization", "owner", "team", "lost_reason")
        .first()
    )
    if deal is None:
        raise NotFound(_("Deal not found."))
    return deal


def deals_visible_ids(*, user: User, ids: Sequence[int]) -> set[int]:
    return set(deal_list(user=user).filter(pk__in=list(ids)).values_list("pk", flat=True))


def pipeline_list(*, user: User, include_archived: bool = False) -> QuerySet[Pipeline]:
    rows = scoped(Pipeline, user=user)
    return rows if include_archived else rows.filter(archived=False)


def pipeline_get(*, user: User, pipeline_id: int) -> Pipeline:
    pipeline = scoped(Pipeline, user=user).filter(pk=pipeline_id).first()
    if pipeline is None:
        raise NotFound(_("Pipeline not found."))
    return pipeline


def stage_list(*, pipeline: Pipeline) -> list[Stage]:
    """The pipeline's stages in board order: the sequence (open, then won), then lost."""
    stages = list(
        Stage.objects.filter(pipeline=pipeline, archived=False).order_by("position", "id")
    )
    return sorted(
        stages, key=lambda stage: (stage.kind == Stage.Kind.LOST, stage.position, stage.pk)
    )


def stage_get(*, user: User, stage_id: int) -> Stage:
    stage = scoped(Stage, user=user).filter(pk=stage_id).select_related("pipeline").first()
    if stage is None:
        raise NotFound(_("Stage not found."))
    return stage


def lost_reason_list(*, user: User) -> QuerySet[LostReason]:
    return scoped(LostReason, user=user).filter(archived=False)


def checklist_for(*, stage_ids: Sequence[int]) -> dict[int, list[ChecklistItem]]:
    by_stage: dict[int, list[ChecklistItem]] = {}
    for item in ChecklistItem.objects.filter(stage_id__in=list(stage_ids)):
        by_stage.setdefault(item.stage_id, []).append(item)
    return by_stage


def deal_contacts(*, deal: Deal) -> list[DealContact]:
    return list(DealContact.objects.filter(deal=deal).select_related("person"))


@dataclass
class BoardColumn:
    stage: Stage
    deals: list[Deal]
    count: int
    totals: list[Money] = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.count - len(self.deals)


BOARD_CARDS_PER_STAGE = 50


def board_columns(
    *, user: User, pipeline: Pipeline, filters: Mapping[str, Any] | None = None
) -> list[BoardColumn]:
    """The board of a pipeline: per stage, the first cards (oldest in stage first, so
    what waits longest is on top), the deal count and the sums per currency. Lost and
    won columns show recent deals only. A fixed number of queries: two for the counts
    and sums, one per stage for the cards."""
    stages = stage_list(pipeline=pipeline)
    rows = deal_list(user=user, filters=filters).filter(pipeline=pipeline)
    counts: dict[int, int] = dict(
        rows.values("stage_id").annotate(n=Count("id")).values_list("stage_id", "n")
    )
    # Exact sums (SQLite keeps decimals as floats): the money app's per-group totals.
    totals = money_totals_by(rows, key="stage_id")
    columns = []
    for stage in stages:
        cards = rows.filter(stage=stage).select_related("organization", "owner")
        order = ("-stage_entered_at", "-id") if stage.is_closed else ("stage_entered_at", "id")
        columns.append(
            BoardColumn(
                stage=stage,
                deals=list(cards.order_by(*order)[:BOARD_CARDS_PER_STAGE]),
                count=counts.get(stage.pk, 0),
                totals=list(totals.get(stage.pk, ())),
            )
        )
    return columns


def open_deals_for_client(
    *, user: User, subject: str, record_id: int, limit: int = 10
) -> list[Deal]:
    """Open deals of an organization, or of a person (as a contact), that the user sees."""
    rows = deal_list(user=user).filter(state=Deal.State.OPEN)
    if subject == "contacts.organization":
        rows = rows.filter(organization_id=record_id)
    else:
        rows = rows.filter(pk__in=DealContact.objects.filter(person_id=record_id).values("deal_id"))
    return list(
        rows.select_related("stage", "pipeline").order_by("expected_close_on", "id")[:limit]
    )


def month_start(day: date) -> date:
    return day.replace(day=1)
