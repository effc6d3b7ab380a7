"""Deals: list, read, create, change, delete, move between stages and pipelines, tick
checklist items, read the stage history. Everyone reads the deals they may see;
writers change them (agents only their own), analysts only read."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from klient.core.api_support import ERROR_CODES, ErrorOut, Id, Limit, api_user, reference_get
from klient.core.pagination import paginate_desc, paginate_id_desc, paginate_nulls_last
from klient.sales.api.schemas import (
    ChecklistTickIn,
    ChecklistTickOut,
    ConflictOut,
    ContactIn,
    DealDetailOut,
    DealFilters,
    DealIn,
    DealOrdering,
    DealOut,
    DealPageOut,
    DealPatch,
    MovedOut,
    MoveIn,
    PipelineChangeIn,
    TransitionOut,
)
from klient.sales.api_selectors import (
    DealDetail,
    deal_checklist,
    deal_detail,
    deal_detail_of,
    deal_filters,
    deal_transitions,
)
from klient.sales.selectors import deal_get, deal_list, pipeline_get
from klient.sales.services import (
    DealChanged,
    GateBlocked,
    checklist_tick,
    deal_create,
    deal_delete,
    deal_move,
    deal_pipeline_change,
    deal_update,
)

router = Router(tags=["deals"])

# Every status but 409, which the moves answer with ConflictOut (a gate's `missing` list).
MOVE_ERRORS = frozenset(ERROR_CODES - {409})


def _detail(detail: DealDetail) -> dict[str, Any]:
    return {
        **DealOut.model_validate(detail.deal).model_dump(),
        "contacts": [asdict(contact) for contact in detail.contacts],
        "checklist": [asdict(item) for item in detail.checklist],
        "next_stage_id": detail.next_stage_id,
        "missing": detail.missing,
    }


def _contacts(rows: list[ContactIn] | None) -> list[tuple[int, str]]:
    return [(row.person_id, row.role) for row in rows or []]


def _conflict(exc: GateBlocked | DealChanged) -> Status[dict[str, Any]]:
    missing = exc.missing if isinstance(exc, GateBlocked) else []
    return Status(409, {**exc.as_dict(), "missing": missing})


@router.get("/deals", response={200: DealPageOut, ERROR_CODES: ErrorOut}, summary="List deals")
def deal_index(
    request: HttpRequest,
    filters: Query[DealFilters],
    ordering: DealOrdering = "newest",
    cursor: str | None = None,
    limit: Limit = 50,
) -> Any:
    """The deals you may see, filtered. `ordering`: `newest` (created last first),
    `updated` (changed last first), `close_date` (expected close date, soonest first,
    undated last), `amount` (largest first, without an amount last; currencies are not
    converted), `longest_in_stage` (in their stage the longest first). Pages follow
    `next_cursor`."""
    rows = deal_list(
        user=api_user(request), filters=deal_filters(filters.model_dump(exclude_none=True))
    )
    if ordering == "updated":
        return paginate_desc(rows, field="updated_at", cursor=cursor, limit=limit)
    if ordering == "close_date":
        return paginate_nulls_last(rows, field="expected_close_on", cursor=cursor, limit=limit)
    if ordering == "amount":
        return paginate_nulls_last(
            rows, field="amount", cursor=cursor, limit=limit, descending=True
        )
    if ordering == "longest_in_stage":
        return paginate_nulls_last(rows, field="stage_entered_at", cursor=cursor, limit=limit)
    return paginate_id_desc(rows, cursor=cursor, limit=limit)


@router.post(
    "/deals", response={201: DealDetailOut, ERROR_CODES: ErrorOut}, summary="Create a deal"
)
def deal_add(request: HttpRequest, payload: DealIn) -> Any:
    """In the first stage of the pipeline unless `stage_id` names another (not a lost
    one). The owner is you unless `owner_id` names a colleague (agents: only
    themselves); the currency is the workspace's unless given."""
    user = api_user(request)
    pipeline_id = payload.pipeline_id
    reference_get("pipeline_id", lambda: pipeline_get(user=user, pipeline_id=pipeline_id))
    fields = payload.model_dump(exclude_unset=True, exclude={"pipeline_id", "contacts"})
    if payload.contacts is not None:
        fields["contacts"] = _contacts(payload.contacts)
    deal = deal_create(actor=user, pipeline_id=pipeline_id, **fields)
    return Status(201, _detail(deal_detail_of(user=user, deal=deal)))


@router.get(
    "/deals/{deal_id}",
    response={200: DealDetailOut, ERROR_CODES: ErrorOut},
    summary="Get a deal",
)
def deal_detail_get(request: HttpRequest, deal_id: Id) -> Any:
    """With its contacts, the checklist of its stage and `missing`: what must be done
    before it can move on to `next_stage_id`."""
    user = api_user(request)
    return _detail(deal_detail(user=user, deal_id=deal_id))


@router.patch(
    "/deals/{deal_id}",
    response={200: DealDetailOut, ERROR_CODES: ErrorOut},
    summary="Change a deal",
)
def deal_change(request: HttpRequest, deal_id: Id, payload: DealPatch) -> Any:
    """Only the fields sent change (`contacts` replaces the list). Send the `version`
    you read: if the deal changed since, nothing is written and the answer is a 409
    `deal_changed`. The stage changes through `/move`."""
    user = api_user(request)
    data = payload.changes()
    data.pop("version", None)
    if "contacts" in data:
        data["contacts"] = _contacts(payload.contacts)
    deal = deal_update(actor=user, deal_id=deal_id, data=data, version=payload.version)
    deal.refresh_from_db()
    return _detail(deal_detail_of(user=user, deal=deal))


@router.delete(
    "/deals/{deal_id}", response={204: None, ERROR_CODES: ErrorOut}, summary="Delete a deal"
)
def deal_remove(request: HttpRequest, deal_id: Id) -> Any:
    """Managers and administrators; the deal's history leaves the funnel with it."""
    deal_delete(actor=api_user(request), deal_id=deal_id)
    return Status(204, None)


@router.post(
    "/deals/{deal_id}/move",
    response={200: MovedOut, 409: ConflictOut, MOVE_ERRORS: ErrorOut},
    summary="Move a deal to another stage",
)
def deal_move_to(request: HttpRequest, deal_id: Id, payload: MoveIn) -> Any:
    """To a stage of the deal's own pipeline. Moving forward needs the gates of the
    stages left behind (required fields, checklist items): otherwise a 409 `stage_gate`
    whose `missing` lists what is not done. A lost stage needs `lost_reason_id` once the
    workspace has lost reasons. With `version`, or when someone moves the deal at the
    same moment, a change made meanwhile is a 409 `deal_changed`."""
    try:
        transition = deal_move(
            actor=api_user(request),
            deal_id=deal_id,
            stage_id=payload.stage_id,
            version=payload.version,
            lost_reason_id=payload.lost_reason_id,
            lost_note=payload.lost_note,
        )
    except (GateBlocked, DealChanged) as exc:
        return _conflict(exc)
    return transition


@router.post(
    "/deals/{deal_id}/pipeline",
    response={200: MovedOut, 409: ConflictOut, MOVE_ERRORS: ErrorOut},
    summary="Move a deal to another pipeline",
)
def deal_pipeline_move(request: HttpRequest, deal_id: Id, payload: PipelineChangeIn) -> Any:
    """To `stage_id` of another pipeline (not a lost stage): the deal enters that
    pipeline's funnel as a new cohort; its history in the old one stays."""
    try:
        transition = deal_pipeline_change(
            actor=api_user(request),
            deal_id=deal_id,
            stage_id=payload.stage_id,
            version=payload.version,
        )
    except DealChanged as exc:
        return _conflict(exc)
    return transition


@router.get(
    "/deals/{deal_id}/transitions",
    response={200: list[TransitionOut], ERROR_CODES: ErrorOut},
    summary="A deal's stage history",
)
def deal_transition_index(request: HttpRequest, deal_id: Id) -> Any:
    """Every stage the deal entered, oldest first: from, to, who, when, and the seconds
    it spent in the stage it left."""
    deal = deal_get(user=api_user(request), deal_id=deal_id)
    return deal_transitions(deal=deal)


@router.put(
    "/deals/{deal_id}/checklist/{item_id}",
    response={200: ChecklistTickOut, ERROR_CODES: ErrorOut},
    summary="Tick or untick a checklist item of a deal",
)
def deal_checklist_tick(
    request: HttpRequest, deal_id: Id, item_id: Id, payload: ChecklistTickIn
) -> Any:
    """An item of any stage of the deal's pipeline; `changed` is false when it already
    was as asked."""
    user = api_user(request)
    changed = checklist_tick(actor=user, deal_id=deal_id, item_id=item_id, done=payload.done)
    [state] = deal_checklist(deal=deal_get(user=user, deal_id=deal_id), item_id=item_id)
    return {**asdict(state), "changed": changed}
