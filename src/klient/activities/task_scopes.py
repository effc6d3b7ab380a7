"""Reads of the tasks page: my tasks, my teams' tasks, every task; and their filters.

A scope narrows what the visibility rule (`selectors.task_list`) already allows: a
manager's team view still leaves out a task on another team's client. Which scopes a
role has is in the capability map: `activities.tasks_team` (administrators and
managers, for the teams they are in) and `activities.tasks_all` (administrators and
analysts). A scope the user does not have reads as their own tasks: fail-closed.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from klient.activities.models import Task
from klient.activities.selectors import task_list
from klient.core.capabilities import can
from klient.core.models import User
from klient.core.selectors import user_team_ids, workspace_users

MINE, TEAM, ALL = "mine", "team", "all"
OPEN, OVERDUE, DONE = "open", "overdue", "done"


def task_scopes(*, user: User) -> list[str]:
    """The scopes the tasks page offers `user`, their own first."""
    scopes = [MINE]
    if can(user, "activities.tasks_team") and user_team_ids(user):
        scopes.append(TEAM)
    if can(user, "activities.tasks_all"):
        scopes.append(ALL)
    return scopes


def task_scope_resolve(*, user: User, scope: str | None) -> str:
    """`scope` when the user has it, else their own tasks."""
    return scope if scope in task_scopes(user=user) else MINE


def task_scope_assignees(*, user: User, scope: str) -> QuerySet[User]:
    """Whom the assignee filter offers: the members of my teams, or every colleague."""
    scope = task_scope_resolve(user=user, scope=scope)
    if scope == MINE:
        return User.objects.none()
    colleagues = workspace_users(user=user)
    if scope == TEAM:
        colleagues = colleagues.filter(teams__in=user_team_ids(user)).distinct()
    return colleagues


def _day_start(day: date) -> datetime:
    """Midnight of `day` in the current time zone (the user's)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def task_list_scoped(
    *, user: User, scope: str, filters: dict[str, Any] | None = None, now: datetime | None = None
) -> QuerySet[Task]:
    """The tasks of one scope that the user may see, filtered: `status` (open, the
    default; overdue; done), `assignee_id`, `person_id`, `organization_id`, and the due
    day range `due_from` .. `due_to` (dates, both included, in the current time zone)."""
    filters = filters or {}
    now = now or timezone.now()
    scope = task_scope_resolve(user=user, scope=scope)
    rows = task_list(user=user)
    if scope == MINE:
        rows = rows.filter(assignee_id=user.pk)
    elif scope == TEAM:
        members = User.objects.filter(teams__in=user_team_ids(user)).values("pk")
        rows = rows.filter(assignee_id__in=members)
    status = filters.get("status") or OPEN
    if status == DONE:
        rows = rows.filter(status=Task.Status.DONE)
    else:
        rows = rows.filter(status=Task.Status.OPEN)
        if status == OVERDUE:
            rows = rows.filter(due_at__lt=now)
    if filters.get("assignee_id") and scope != MINE:
        rows = rows.filter(assignee_id=filters["assignee_id"])
    for key in ("person_id", "organization_id"):
        if filters.get(key):
            rows = rows.filter(**{key: filters[key]})
    if filters.get("due_from"):
        rows = rows.filter(due_at__gte=_day_start(filters["due_from"]))
    if filters.get("due_to"):
        rows = rows.filter(due_at__lt=_day_start(filters["due_to"] + timedelta(days=1)))
    return rows
