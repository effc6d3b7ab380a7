"""Reads shared by every module: workspace scoping and record visibility.

Every selector starts from `scoped(...)`, which is fail-closed: a user with no
workspace, or an inactive one, sees nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from django.db.models import Count, Model, Q, QuerySet
from django.utils.translation import gettext as _

from klient.core.errors import NotFound
from klient.core.models import AuditEvent, OutboxJob, Role, Team, User
from klient.core.registry import SearchHit, search_sources

M = TypeVar("M", bound=Model)


def scoped(model: type[M], *, user: User) -> QuerySet[M]:
    """All rows of `model` in the user's workspace, or none."""
    if not user.is_active or user.workspace_id is None:
        return model._default_manager.none()
    return model._default_manager.filter(workspace_id=user.workspace_id)


def user_team_ids(user: User) -> list[int]:
    cached = getattr(user, "_klient_team_ids", None)
    if cached is None:
        cached = list(user.teams.values_list("pk", flat=True))
        user._klient_team_ids = cached  # type: ignore[attr-defined]
    return cached


def visibility_q(user: User, *, owner_field: str = "owner", team_field: str = "team") -> Q:
    """Which owned records a user may see.

    Admins and analysts: all of the workspace. Agents: their own records and their
    teams' records. Managers: their teams' records, including those owned by any
    member of their teams.
    """
    if user.role in (Role.ADMIN, Role.ANALYST):
        return Q()
    team_ids = user_team_ids(user)
    q = Q(**{f"{owner_field}_id": user.pk})
    if team_ids:
        q |= Q(**{f"{team_field}_id__in": team_ids})
        if user.role == Role.MANAGER:
            members = User.objects.filter(teams__in=team_ids).values("pk")
            q |= Q(**{f"{owner_field}_id__in": members})
    return q


def workspace_users(*, user: User) -> QuerySet[User]:
    if user.workspace_id is None:
        return User.objects.none()
    return User.objects.filter(workspace_id=user.workspace_id, is_active=True).order_by("username")


def user_list_for_admin(*, user: User) -> QuerySet[User]:
    """Every colleague, active or not, with their teams; administrators only."""
    if user.role != Role.ADMIN or user.workspace_id is None:
        return User.objects.none()
    return (
        User.objects.filter(workspace_id=user.workspace_id)
        .prefetch_related("teams")
        .order_by("-is_active", "username")
    )


def team_list(*, user: User) -> QuerySet[Team]:
    return scoped(Team, user=user).annotate(member_count=Count("members")).order_by("name")


def audit_list(
    *,
    user: User,
    object_type: str | None = None,
    object_id: int | None = None,
    actor_id: int | None = None,
    action: str | None = None,
    action_exact: bool = False,
    since: datetime | None = None,
    before: datetime | None = None,
) -> QuerySet[AuditEvent]:
    """The audit log, admins only; filtered by record, actor, action (a prefix such as
    "person.", or one action with `action_exact`) and time (`since` <= at < `before`)."""
    if user.role != Role.ADMIN:
        return AuditEvent.objects.none()
    # Clients' personal values live beside the events (core.audit_personal): joined.
    rows = scoped(AuditEvent, user=user).select_related("actor", "personal_values")
    if object_type:
        rows = rows.filter(object_type=object_type)
    if object_id is not None:
        rows = rows.filter(object_id=object_id)
    if actor_id is not None:
        rows = rows.filter(actor_id=actor_id)
    if action:
        rows = (
            rows.filter(action=action) if action_exact else rows.filter(action__startswith=action)
        )
    if since is not None:
        rows = rows.filter(at__gte=since)
    if before is not None:
        rows = rows.filter(at__lt=before)
    return rows.order_by("-at", "-id")


def workspace_user_get(*, user: User, user_id: int) -> User:
    """An active user of the caller's workspace, or NotFound."""
    found = workspace_users(user=user).filter(pk=user_id).first()
    if found is None:
        raise NotFound(_("User not found."))
    return found


def outbox_job_list_failed(*, user: User) -> QuerySet[OutboxJob]:
    """The workspace's failed background jobs, admins only."""
    if user.role != Role.ADMIN:
        return OutboxJob.objects.none()
    return scoped(OutboxJob, user=user).filter(status=OutboxJob.Status.FAILED)


def outbox_job_counts(*, user: User) -> list[dict[str, object]]:
    """Per job name, how many of the workspace's jobs wait (pending) and failed."""
    if user.role != Role.ADMIN:
        return []
    counts: dict[str, dict[str, object]] = {}
    rows = (
        scoped(OutboxJob, user=user)
        .filter(status__in=[OutboxJob.Status.PENDING, OutboxJob.Status.FAILED])
        .values_list("name", "status")
        .annotate(count=Count("pk"))
        .order_by("name")
    )
    for name, status, count in rows:
        counts.setdefault(name, {"name": name, "pending": 0, "failed": 0})[status] = count
    return list(counts.values())


def global_search(*, user: User, query: str, limit: int = 10) -> list[SearchHit]:
    """What every registered search source finds for the user, at most `limit` a source,
    in the sources' order (people, organizations, later deals and requests)."""
    if not query.strip():
        return []
    hits: list[SearchHit] = []
    for source in search_sources:
        hits.extend(source.search(user, query, limit))
    return hits


def escalation_recipients(*, workspace_id: int, team_id: int | None) -> list[User]:
    """Who a team's escalations and follow-up cases go to: its lead while active, else
    the workspace's active administrators (also for a record on no team)."""
    if team_id is not None:
        team = (
            Team.objects.filter(pk=team_id, workspace_id=workspace_id)
            .select_related("lead")
            .first()
        )
        if team is not None and team.lead is not None and team.lead.is_active:
            return [team.lead]
    admins = User.objects.filter(workspace_id=workspace_id, role=Role.ADMIN, is_active=True)
    return list(admins.order_by("pk"))
