"""REST endpoints of the timeline: interactions, their comments, and tasks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import AwareDatetime

from klient.activities.kinds import KIND_MAX_LENGTH
from klient.activities.selectors import (
    comment_list,
    interaction_get,
    interaction_list,
    owner_resolve,
    task_get,
    task_list,
)
from klient.activities.services import (
    MAX_REMIND_BEFORE_MINUTES,
    comment_create,
    interaction_create,
    interaction_delete,
    interaction_update,
    task_complete,
    task_create,
    task_delete,
    task_update,
)
from klient.contacts.selectors import organization_get, person_get
from klient.core.api_support import (
    ERROR_CODES,
    ErrorOut,
    Id,
    InSchema,
    Limit,
    PatchSchema,
    api_user,
    omittable,
    reference_get,
)
from klient.core.models import User
from klient.core.pagination import paginate_desc, paginate_id_desc
from klient.core.selectors import workspace_user_get

router = Router(tags=["activities"])

OWNER_FIELDS = {"subject_kind", "subject_id", "person_id", "organization_id"}
# PositiveIntegerField: PostgreSQL's integer.
MAX_DURATION = 2**31 - 1
MAX_TEXT = 100_000


# --- schemas ---------------------------------------------------------------------------


class InteractionFields(InSchema):
    direction: str = omittable(max_length=10)
    channel: str = omittable(max_length=32)
    occurred_at: AwareDatetime = omittable()
    duration_seconds: int | None = Field(None, ge=0, le=MAX_DURATION)
    subject: str = omittable(max_length=300)
    body: str = omittable(max_length=MAX_TEXT)


class OwnerIn(InSchema):
    """An entry on another record than a client: its kind ("sales.deal") and id. The
    person and organization then name the clients it rolls up to."""

    subject_kind: str | None = Field(None, max_length=KIND_MAX_LENGTH)
    subject_id: Id | None = None


class InteractionIn(InteractionFields, OwnerIn):
    kind: str = Field(..., max_length=KIND_MAX_LENGTH)
    person_id: Id | None = None
    organization_id: Id | None = None
    idempotency_key: str | None = Field(None, max_length=200)


class InteractionPatch(InteractionFields, PatchSchema):
    kind: str = omittable(max_length=KIND_MAX_LENGTH)


class InteractionOut(Schema):
    id: int
    kind: str
    direction: str
    channel: str
    occurred_at: datetime
    duration_seconds: int | None
    subject: str
    body: str
    author_id: int | None
    subject_kind: str
    subject_id: int | None
    person_id: int | None
    organization_id: int | None
    created_at: datetime


class InteractionPageOut(Schema):
    items: list[InteractionOut]
    next_cursor: str | None


class InteractionFilters(InSchema):
    person_id: Id | None = None
    organization_id: Id | None = None
    subject_kind: str = Field("", max_length=KIND_MAX_LENGTH)
    subject_id: Id | None = None
    kind: str = Field("", max_length=KIND_MAX_LENGTH)


class CommentIn(InSchema):
    body: str = Field(..., min_length=1, max_length=MAX_TEXT)


class CommentOut(Schema):
    id: int
    interaction_id: int
    author_id: int | None
    body: str
    created_at: datetime


class TaskFields(InSchema):
    description: str = omittable(max_length=MAX_TEXT)
    assignee_id: Id | None = None
    due_at: AwareDatetime | None = None
    remind_before_minutes: int | None = Field(None, ge=0, le=MAX_REMIND_BEFORE_MINUTES)


class TaskIn(TaskFields, OwnerIn):
    title: str = Field(..., min_length=1, max_length=300)
    person_id: Id | None = None
    organization_id: Id | None = None
    interaction_id: Id | None = None


class TaskPatch(TaskFields, PatchSchema):
    title: str = omittable(min_length=1, max_length=300)
    status: str = omittable(max_length=10)


class TaskOut(Schema):
    id: int
    title: str
    description: str
    status: str
    assignee_id: int | None
    created_by_id: int | None
    team_id: int | None
    due_at: datetime | None
    completed_at: datetime | None
    remind_before_minutes: int | None
    remind_at: datetime | None
    subject_kind: str
    subject_id: int | None
    person_id: int | None
    organization_id: int | None
    interaction_id: int | None
    created_at: datetime


class TaskPageOut(Schema):
    items: list[TaskOut]
    next_cursor: str | None


class TaskFilters(InSchema):
    assignee_id: Id | None = None
    status: str = Field("", max_length=10)
    overdue: bool = False
    person_id: Id | None = None
    organization_id: Id | None = None
    subject_kind: str = Field("", max_length=KIND_MAX_LENGTH)
    subject_id: Id | None = None


def _subjects(user: User, payload: InteractionIn | TaskIn) -> dict[str, Any]:
    """The owning record (a deal), person and organization a body names, each checked for
    visibility (422 if not)."""
    found: dict[str, Any] = {}
    if payload.subject_kind or payload.subject_id is not None:
        kind, record_id = payload.subject_kind or "", payload.subject_id or 0
        found["owner"] = reference_get(
            "subject_id", lambda: owner_resolve(user=user, kind=kind, record_id=record_id)
        )
    if payload.person_id is not None:
        person_id = payload.person_id
        found["person"] = reference_get(
            "person_id", lambda: person_get(user=user, person_id=person_id)
        )
    if payload.organization_id is not None:
        organization_id = payload.organization_id
        found["organization"] = reference_get(
            "organization_id", lambda: organization_get(user=user, organization_id=organization_id)
        )
    return found


# --- interactions ----------------------------------------------------------------------


@router.get("/interactions", response={200: InteractionPageOut, ERROR_CODES: ErrorOut})
def interaction_index(
    request: HttpRequest,
    filters: Query[InteractionFilters],
    cursor: str | None = None,
    limit: Limit = 50,
) -> Any:
    rows = interaction_list(user=api_user(request), filters=filters.model_dump())
    return paginate_desc(rows, field="occurred_at", cursor=cursor, limit=limit)


@router.post("/interactions", response={201: InteractionOut, ERROR_CODES: ErrorOut})
def interaction_add(request: HttpRequest, payload: InteractionIn) -> Any:
    user = api_user(request)
    fields = payload.model_dump(exclude_unset=True, exclude=OWNER_FIELDS)
    interaction = interaction_create(actor=user, **_subjects(user, payload), **fields)
    return Status(201, interaction)


@router.get("/interactions/{interaction_id}", response={200: InteractionOut, ERROR_CODES: ErrorOut})
def interaction_detail(request: HttpRequest, interaction_id: Id) -> Any:
    return interaction_get(user=api_user(request), interaction_id=interaction_id)


@router.patch(
    "/interactions/{interaction_id}", response={200: InteractionOut, ERROR_CODES: ErrorOut}
)
def interaction_change(request: HttpRequest, interaction_id: Id, payload: InteractionPatch) -> Any:
    user = api_user(request)
    interaction = interaction_get(user=user, interaction_id=interaction_id)
    return interaction_update(actor=user, interaction=interaction, data=payload.changes())


@router.delete("/interactions/{interaction_id}", response={204: None, ERROR_CODES: ErrorOut})
def interaction_remove(request: HttpRequest, interaction_id: Id) -> Any:
    user = api_user(request)
    interaction_delete(
        actor=user, interaction=interaction_get(user=user, interaction_id=interaction_id)
    )
    return Status(204, None)


@router.get(
    "/interactions/{interaction_id}/comments",
    response={200: list[CommentOut], ERROR_CODES: ErrorOut},
)
def comment_index(request: HttpRequest, interaction_id: Id) -> Any:
    """The comment thread of an interaction, oldest first."""
    user = api_user(request)
    interaction = interaction_get(user=user, interaction_id=interaction_id)
    return comment_list(user=user, interaction=interaction)


@router.post(
    "/interactions/{interaction_id}/comments", response={201: CommentOut, ERROR_CODES: ErrorOut}
)
def comment_add(request: HttpRequest, interaction_id: Id, payload: CommentIn) -> Any:
    """Comment; each @username mentioned gets an in-app notification."""
    user = api_user(request)
    interaction = interaction_get(user=user, interaction_id=interaction_id)
    return Status(201, comment_create(actor=user, interaction=interaction, body=payload.body))


# --- tasks -----------------------------------------------------------------------------


@router.get("/tasks", response={200: TaskPageOut, ERROR_CODES: ErrorOut})
def task_index(
    request: HttpRequest,
    filters: Query[TaskFilters],
    cursor: str | None = None,
    limit: Limit = 50,
) -> Any:
    rows = task_list(user=api_user(request), filters=filters.model_dump())
    return paginate_id_desc(rows, cursor=cursor, limit=limit)


@router.post("/tasks", response={201: TaskOut, ERROR_CODES: ErrorOut})
def task_add(request: HttpRequest, payload: TaskIn) -> Any:
    user = api_user(request)
    refs = _subjects(user, payload)
    if payload.interaction_id is not None:
        interaction_id = payload.interaction_id
        refs["interaction"] = reference_get(
            "interaction_id", lambda: interaction_get(user=user, interaction_id=interaction_id)
        )
    if payload.assignee_id is not None:
        assignee_id = payload.assignee_id
        refs["assignee"] = reference_get(
            "assignee_id", lambda: workspace_user_get(user=user, user_id=assignee_id)
        )
    fields = payload.model_dump(
        exclude_unset=True, exclude={*OWNER_FIELDS, "interaction_id", "assignee_id"}
    )
    return Status(201, task_create(actor=user, **refs, **fields))


@router.get("/tasks/{task_id}", response={200: TaskOut, ERROR_CODES: ErrorOut})
def task_detail(request: HttpRequest, task_id: Id) -> Any:
    return task_get(user=api_user(request), task_id=task_id)


@router.patch("/tasks/{task_id}", response={200: TaskOut, ERROR_CODES: ErrorOut})
def task_change(request: HttpRequest, task_id: Id, payload: TaskPatch) -> Any:
    user = api_user(request)
    return task_update(
        actor=user, task=task_get(user=user, task_id=task_id), data=payload.changes()
    )


@router.post("/tasks/{task_id}/complete", response={200: TaskOut, ERROR_CODES: ErrorOut})
def task_done(request: HttpRequest, task_id: Id) -> Any:
    user = api_user(request)
    return task_complete(actor=user, task=task_get(user=user, task_id=task_id))


@router.delete("/tasks/{task_id}", response={204: None, ERROR_CODES: ErrorOut})
def task_remove(request: HttpRequest, task_id: Id) -> Any:
    user = api_user(request)
    task_delete(actor=user, task=task_get(user=user, task_id=task_id))
    return Status(204, None)
