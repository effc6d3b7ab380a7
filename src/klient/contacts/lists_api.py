"""REST endpoints of saved lists (a fixed set of people) and segments (a saved filter).

A list is private to its owner, shared with the owner's team, or shared with the
workspace (docs/adr/0006-saved-list-sharing.md); a list a user may not read is a 404, and
only its owner or an administrator may change or delete it (403 for other readers). Its
members are always read through the people selector, so each user sees only the members
they may see.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from klient.contacts.api import PERSON_PREFETCH, PersonFilters, PersonPageOut
from klient.contacts.list_selectors import (
    saved_list_counts,
    saved_list_get,
    saved_list_people,
    saved_lists,
)
from klient.contacts.list_services import (
    saved_list_add,
    saved_list_create,
    saved_list_delete,
    saved_list_remove,
    saved_list_update,
)
from klient.contacts.models import SavedList
from klient.contacts.selectors import person_get
from klient.core.api_support import (
    ERROR_CODES,
    ErrorOut,
    Id,
    InSchema,
    Limit,
    PatchSchema,
    api_user,
    omittable,
)
from klient.core.errors import NotFound
from klient.core.models import User
from klient.core.pagination import paginate_desc, paginate_id_desc

router = Router(tags=["lists"])

MAX_PEOPLE_PER_CALL = 500


# --- schemas ---------------------------------------------------------------------------


class SavedListIn(InSchema):
    name: str = Field(..., min_length=1, max_length=120)
    kind: str = Field(SavedList.Kind.STATIC, max_length=10)
    # private (the default), team (the owner's team) or workspace.
    visibility: str = Field(SavedList.Visibility.PRIVATE, max_length=10)
    # A segment's filter: the same keys as GET /people takes.
    filters: PersonFilters = omittable()
    # A static list's first members.
    person_ids: list[Id] = omittable(max_length=MAX_PEOPLE_PER_CALL)


class SavedListPatch(PatchSchema):
    name: str = omittable(min_length=1, max_length=120)
    filters: PersonFilters = omittable()
    visibility: str = omittable(max_length=10)


class SavedListOut(Schema):
    id: int
    name: str
    kind: str
    filters: dict[str, Any]
    owner_id: int | None
    visibility: str
    team_id: int | None
    person_count: int
    created_at: datetime


class SavedListPageOut(Schema):
    items: list[SavedListOut]
    next_cursor: str | None


class SavedListFilters(InSchema):
    kind: str = Field("", max_length=10)


class MembersIn(InSchema):
    person_ids: list[Id] = Field(..., min_length=1, max_length=MAX_PEOPLE_PER_CALL)


def _counted(user: User, rows: Iterable[SavedList]) -> list[SavedList]:
    """Attach `person_count` (members this user sees) to each list, in one query."""
    rows = list(rows)
    counts = saved_list_counts(user=user, saved_lists=rows)
    for saved in rows:
        saved.person_count = counts[saved.pk]  # type: ignore[attr-defined]
    return rows


# --- lists -----------------------------------------------------------------------------


@router.get("/lists", response={200: SavedListPageOut, ERROR_CODES: ErrorOut})
def list_index(
    request: HttpRequest,
    filters: Query[SavedListFilters],
    cursor: str | None = None,
    limit: Limit = 50,
) -> Any:
    user = api_user(request)
    page = paginate_id_desc(saved_lists(user=user, kind=filters.kind), cursor=cursor, limit=limit)
    page.items = _counted(user, page.items)
    return page


@router.post("/lists", response={201: SavedListOut, ERROR_CODES: ErrorOut})
def list_add(request: HttpRequest, payload: SavedListIn) -> Any:
    user = api_user(request)
    saved = saved_list_create(actor=user, **payload.model_dump(exclude_unset=True))
    return Status(201, _counted(user, [saved])[0])


@router.get("/lists/{list_id}", response={200: SavedListOut, ERROR_CODES: ErrorOut})
def list_detail(request: HttpRequest, list_id: Id) -> Any:
    user = api_user(request)
    return _counted(user, [saved_list_get(user=user, saved_list_id=list_id)])[0]


@router.patch("/lists/{list_id}", response={200: SavedListOut, ERROR_CODES: ErrorOut})
def list_change(request: HttpRequest, list_id: Id, payload: SavedListPatch) -> Any:
    user = api_user(request)
    saved = saved_list_get(user=user, saved_list_id=list_id)
    saved = saved_list_update(actor=user, saved_list=saved, data=payload.changes())
    return _counted(user, [saved])[0]


@router.delete("/lists/{list_id}", response={204: None, ERROR_CODES: ErrorOut})
def list_remove(request: HttpRequest, list_id: Id) -> Any:
    user = api_user(request)
    saved_list_delete(actor=user, saved_list=saved_list_get(user=user, saved_list_id=list_id))
    return Status(204, None)


# --- members ---------------------------------------------------------------------------


@router.get("/lists/{list_id}/people", response={200: PersonPageOut, ERROR_CODES: ErrorOut})
def list_people(
    request: HttpRequest, list_id: Id, cursor: str | None = None, limit: Limit = 50
) -> Any:
    """The members this user may see; a segment's filter is re-run, so it is always current."""
    user = api_user(request)
    rows = saved_list_people(user=user, saved_list=saved_list_get(user=user, saved_list_id=list_id))
    return paginate_desc(
        rows.prefetch_related(*PERSON_PREFETCH), field="updated_at", cursor=cursor, limit=limit
    )


@router.post("/lists/{list_id}/people", response={200: SavedListOut, ERROR_CODES: ErrorOut})
def list_people_add(request: HttpRequest, list_id: Id, payload: MembersIn) -> Any:
    """Add people to a static list; people already on it stay once."""
    user = api_user(request)
    saved = saved_list_get(user=user, saved_list_id=list_id)
    saved_list_add(actor=user, saved_list=saved, person_ids=payload.person_ids)
    return _counted(user, [saved])[0]


@router.delete("/lists/{list_id}/people/{person_id}", response={204: None, ERROR_CODES: ErrorOut})
def list_person_remove(request: HttpRequest, list_id: Id, person_id: Id) -> Any:
    user = api_user(request)
    saved = saved_list_get(user=user, saved_list_id=list_id)
    person = person_get(user=user, person_id=person_id)
    if not saved_list_remove(actor=user, saved_list=saved, person_ids=[person.pk]):
        raise NotFound(_("This person is not on the list."))
    return Status(204, None)
