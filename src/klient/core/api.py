"""REST endpoints of the platform: health, the caller, the audit log, global search."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from klient.core.api_support import (
    ERROR_CODES,
    ErrorOut,
    Id,
    InSchema,
    Limit,
    api_user,
    json_response,
)
from klient.core.errors import PermissionDenied
from klient.core.models import Role, User
from klient.core.pagination import paginate_id_desc
from klient.core.selectors import audit_list, global_search, user_team_ids

router = Router(tags=["platform"])


class HealthOut(Schema):
    status: str
    database: str


class MeOut(Schema):
    id: int
    username: str
    first_name: str
    last_name: str
    email: str
    role: str
    language: str
    workspace_id: int
    team_ids: list[int]

    @staticmethod
    def resolve_team_ids(obj: User) -> list[int]:
        return user_team_ids(obj)


class AuditEventOut(Schema):
    id: int
    action: str
    object_type: str
    object_id: int
    actor_id: int | None
    changes: dict[str, Any]
    at: datetime


class AuditPageOut(Schema):
    items: list[AuditEventOut]
    next_cursor: str | None


class AuditFilters(InSchema):
    object_type: str = Field("", max_length=64)
    object_id: Id | None = None
    actor_id: Id | None = None
    action: str = Field("", max_length=64)


@router.get("/health", auth=None, response={200: HealthOut, 503: HealthOut})
def health(request: HttpRequest) -> HttpResponse:
    """Liveness and database reachability, for load balancers and monitoring (no token)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return json_response({"status": "error", "database": "error"}, status=503)
    return json_response({"status": "ok", "database": "ok"})


@router.get("/me", response={200: MeOut, ERROR_CODES: ErrorOut})
def me(request: HttpRequest) -> User:
    return api_user(request)


@router.get("/audit", response={200: AuditPageOut, ERROR_CODES: ErrorOut})
def audit_index(
    request: HttpRequest,
    filters: Query[AuditFilters],
    cursor: str | None = None,
    limit: Limit = 50,
) -> Any:
    user = api_user(request)
    if user.role != Role.ADMIN:
        raise PermissionDenied(_("Only administrators can read the audit log."))
    rows = audit_list(
        user=user,
        object_type=filters.object_type or None,
        object_id=filters.object_id,
        actor_id=filters.actor_id,
        action=filters.action or None,
    )
    return paginate_id_desc(rows, cursor=cursor, limit=limit)


class GlobalSearchIn(Schema):
    q: str = Field(..., min_length=1, max_length=200)
    limit: int = Field(10, ge=1, le=50)


class SearchHitOut(Schema):
    kind: str
    id: int
    name: str
    url: str
    detail: str


class GlobalSearchOut(Schema):
    results: list[SearchHitOut]


@router.get("/search/all", response={200: GlobalSearchOut, ERROR_CODES: ErrorOut})
def search_all(request: HttpRequest, query: Query[GlobalSearchIn]) -> dict[str, Any]:
    """Records of every kind the apps register (people, organizations, ...) matching `q`,
    at most `limit` of each kind, each with its kind, name and page URL."""
    return {"results": global_search(user=api_user(request), query=query.q, limit=query.limit)}
