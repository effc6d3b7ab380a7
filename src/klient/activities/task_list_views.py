"""The tasks page: my tasks, my teams' or every task, filtered and paged.

Managers see their teams' tasks and administrators and analysts every task
(`task_scopes`); agents only their own. Filters: status (open, overdue, done), the
assignee, the due days and the client (type-ahead pickers). A page holds TASK_PAGE
tasks, soonest due first (the latest completed first for done ones), by keyset cursor,
and costs the same number of queries whatever the number of tasks.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from klient.activities import selectors
from klient.activities.forms import TaskFilterForm, TaskForm
from klient.activities.models import Task
from klient.activities.rows import tasks_prepare
from klient.activities.task_scopes import (
    ALL,
    DONE,
    MINE,
    OPEN,
    TEAM,
    task_list_scoped,
    task_scope_assignees,
    task_scope_resolve,
    task_scopes,
)
from klient.core.models import User
from klient.core.pagination import paginate_nulls_last
from klient.core.params import param_count
from klient.core.pickers import pickers_fill
from klient.core.selectors import user_team_ids, workspace_users
from klient.core.views import LIST_COUNT_CAP, AuthedRequest, is_htmx

TASK_PAGE = 50
DONE_TASKS_LIMIT = 10
# The client pickers' plain lists (for a browser without scripts) stay short on a filter.
FILTER_PICKER_LIMIT = 20

TITLES = {MINE: _("My tasks"), TEAM: _("Team tasks"), ALL: _("All tasks")}
LEADS = {
    MINE: _("Tasks assigned to you."),
    TEAM: _("Tasks assigned to the members of your teams."),
    ALL: _("Every task of the workspace you may see."),
}


def _scope_label(user: User, scope: str) -> Any:
    if scope == TEAM:
        return _("My teams") if len(user_team_ids(user)) > 1 else _("My team")
    return {MINE: _("Mine"), ALL: _("Everyone")}[scope]


def _page_links(
    request: AuthedRequest, url: str, shown: int, next_cursor: str | None
) -> dict[str, Any]:
    """The pager of `core/_list_foot.html`, keeping the request's filters."""
    start = param_count(request.GET, "start")
    query = request.GET.copy()
    for key in ("cursor", "start"):
        query.pop(key, None)
    next_url = None
    if next_cursor:
        following = query.copy()
        following["cursor"] = next_cursor
        following["start"] = str(start + shown)
        next_url = f"{url}?{following.urlencode()}"
    return {
        "start": start + 1 if shown else 0,
        "end": start + shown,
        "first_url": f"{url}?{query.urlencode()}" if query else url,
        "next_url": next_url,
    }


def _capped(rows: Any) -> int:
    count: int = rows.order_by()[: LIST_COUNT_CAP + 1].count()
    return count


def task_list_page(request: AuthedRequest, *, form: TaskForm | None = None) -> HttpResponse:
    """The page, or (htmx, target #results) its results. `form`: the new task's form
    with its errors, after a refused post."""
    user = request.user
    now = timezone.now()
    url = reverse("activities:task_list")
    cursor = request.GET.get("cursor") or None
    scope = task_scope_resolve(user=user, scope=request.GET.get("scope"))
    scopes = task_scopes(user=user)
    colleagues = list(workspace_users(user=user))
    assignees = (
        list(task_scope_assignees(user=user, scope=scope))
        if scope == TEAM
        else colleagues
        if scope == ALL
        else []
    )
    filter_form = TaskFilterForm(
        request.GET,
        scopes=[(key, _scope_label(user, key)) for key in scopes],
        assignees=assignees,
    )
    pickers_fill(filter_form, user=user, limit=FILTER_PICKER_LIMIT)
    filters = filter_form.task_filters()
    status = filters["status"]
    rows = task_list_scoped(user=user, scope=scope, filters=filters, now=now)
    page = paginate_nulls_last(
        rows,
        field="completed_at" if status == DONE else "due_at",
        cursor=cursor,
        limit=TASK_PAGE,
        descending=status == DONE,
    )
    tasks = page.items
    total = _capped(rows)
    overdue_total = _capped(rows.filter(due_at__lt=now)) if status == OPEN else None
    # The page as it always was (my open tasks) also shows what I finished last.
    done: list[Task] = []
    if scope == MINE and set(filters) == {"status"} and status == OPEN and not cursor:
        done = list(
            selectors.task_list(
                user=user, filters={"assignee_id": user.pk, "status": Task.Status.DONE}
            ).order_by("-completed_at", "-id")[:DONE_TASKS_LIMIT]
        )
    tasks_prepare([*tasks, *done])
    dated = status != DONE
    context = {
        "now": now,
        "scope": scope,
        "status": status,
        "page_title": TITLES[scope],
        "page_lead": LEADS[scope],
        "scope_links": [
            {
                "label": _scope_label(user, key),
                "url": f"{url}?scope={key}",
                "current": key == scope,
            }
            for key in scopes
        ],
        "filter_form": filter_form,
        "filtered": set(filters) != {"status"} or status != OPEN,
        "tasks": tasks,
        "overdue": [t for t in tasks if dated and t.due_at is not None and t.due_at < now],
        "upcoming": [t for t in tasks if dated and t.due_at is not None and t.due_at >= now],
        "undated": [t for t in tasks if dated and t.due_at is None],
        "total": min(total, LIST_COUNT_CAP),
        "total_capped": total > LIST_COUNT_CAP,
        "overdue_total": overdue_total,
        "done": done,
        "list_url": url,
        **_page_links(request, url, len(tasks), page.next_cursor),
    }
    if is_htmx(request) and request.htmx.target == "results":
        return render(request, "activities/_task_results.html", context)
    context["task_form"] = form or TaskForm(assignees=colleagues, initial={"assignee": user.pk})
    context["task_url"] = reverse("activities:todo_create")
    return render(
        request, "activities/task_list.html", context, status=422 if form is not None else 200
    )
