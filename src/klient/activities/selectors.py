"""Reads of the timeline and tasks, scoped to the user's workspace and visibility."""

from __future__ import annotations

import operator
from datetime import date, datetime
from functools import reduce
from typing import Any

from django.db.models import Count, Exists, Model, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from klient.activities.models import Comment, Interaction, Task
from klient.core.errors import NotFound
from klient.core.models import Role, User
from klient.core.pagination import Page, paginate_desc
from klient.core.prepared import PreparedQuery
from klient.core.registry import record_kinds
from klient.core.selectors import scoped, user_team_ids

TIMELINE_VALUES = (
    "id",
    "kind",
    "direction",
    "channel",
    "occurred_at",
    "duration_seconds",
    "subject",
    "body",
    "author_id",
    "author__username",
    "person_id",
    "organization_id",
)


PERSON = "contacts.person"
ORGANIZATION = "contacts.organization"
CLIENT_KINDS = (PERSON, ORGANIZATION)
# The column of an entry that names each client it rolls up to.
ROLLUP_FIELDS = {PERSON: "person_id", ORGANIZATION: "organization_id"}


def _sees_everything(user: User) -> bool:
    return user.role in (Role.ADMIN, Role.ANALYST)


def _owned_elsewhere_q(user: User) -> Q | None:
    """Entries owned by another app's record (a deal, a request) that `user` may see, by
    that kind's own visibility hook; None when no such kind is registered."""
    rules = []
    for kind in record_kinds:
        if kind.key in CLIENT_KINDS:
            continue
        rule = kind.visibility(user, "")
        owned = Q(subject_kind=kind.key)
        if rule:
            visible = kind.model._default_manager.filter(rule, pk=OuterRef("subject_id"))
            owned &= Q(Exists(visible))
        rules.append(owned)
    return reduce(operator.or_, rules) if rules else None


def entry_visibility_q(user: User) -> Q:
    """The one rule for what shows on any timeline or task list (interactions, their
    comments, tasks): an entry is visible when its owning record is (ADR 0010).

    An entry on a client is owned by its person, or, when it is on no person, by its
    organization: an interaction on a hidden person stays hidden even when it also
    names an organization the viewer sees, as its subject, body and author are about that
    person. An entry owned by a deal or a request follows that record's visibility hook,
    on every timeline it rolls up to. The rule joins the owning record rather than
    listing every visible one: it costs the same at a thousand clients as at a million.
    Pages, the API, exports and the calendar all read through this."""
    if _sees_everything(user):
        return Q()
    person_rule = record_kinds.get(PERSON).visibility(user, "person__")
    organization_rule = record_kinds.get(ORGANIZATION).visibility(user, "organization__")
    rule = Q(subject_kind="") & (
        (Q(person__isnull=False) & person_rule) | (Q(person__isnull=True) & organization_rule)
    )
    elsewhere = _owned_elsewhere_q(user)
    return rule | elsewhere if elsewhere is not None else rule


def rollup_visibility_q(user: User) -> Q:
    """The rule for the entries of one client the caller has checked is visible: its own
    entries are, so only those owned by other records need their owner's hook."""
    if _sees_everything(user):
        return Q()
    elsewhere = _owned_elsewhere_q(user)
    return Q(subject_kind="") | elsewhere if elsewhere is not None else Q(subject_kind="")


def owner_visible(*, user: User, kind: str, record_id: int) -> bool:
    """Whether `user` may see the record of this kind: the check a write makes for the
    actor, an assignee or a mentioned colleague. An unregistered kind is not visible."""
    if kind not in record_kinds:
        return False
    return record_id in record_kinds.get(kind).visible_ids(user, [record_id])


def owner_resolve(*, user: User, kind: str, record_id: int) -> Model:
    """The owning record, if `user` may see it; else NotFound (unknown kinds too)."""
    if kind not in record_kinds:
        raise NotFound(_("Record not found."))
    return record_kinds.get(kind).resolve(user, record_id)


def entry_owner_filter(kind: str, record_id: int) -> Q:
    """The entries on one record's timeline: a client's through its roll-up column (its
    own entries and those of deals and requests involving it), another record's by owner."""
    if kind in ROLLUP_FIELDS:
        return Q(**{ROLLUP_FIELDS[kind]: record_id})
    return Q(subject_kind=kind, subject_id=record_id)


def interaction_list(*, user: User, filters: dict[str, Any] | None = None) -> QuerySet[Interaction]:
    rows = scoped(Interaction, user=user).filter(entry_visibility_q(user))
    filters = filters or {}
    for key in ("person_id", "organization_id", "kind", "direction", "author_id"):
        if filters.get(key):
            rows = rows.filter(**{key: filters[key]})
    if filters.get("subject_kind") and filters.get("subject_id"):
        rows = rows.filter(subject_kind=filters["subject_kind"], subject_id=filters["subject_id"])
    if filters.get("since"):
        rows = rows.filter(occurred_at__gte=filters["since"])
    if filters.get("until"):
        rows = rows.filter(occurred_at__lt=filters["until"])
    return rows.select_related("author", "person", "organization")


def interaction_get(*, user: User, interaction_id: int) -> Interaction:
    interaction = interaction_list(user=user).filter(pk=interaction_id).first()
    if interaction is None:
        raise NotFound(_("Interaction not found."))
    return interaction


def _timeline_rule(user: User, kind: str) -> Q:
    if kind == PERSON:  # resolved: its own entries are visible, others' follow their owner
        return rollup_visibility_q(user)
    if kind == ORGANIZATION:  # its people's entries follow each person
        return entry_visibility_q(user)
    return Q()  # entries owned by the resolved record itself


def timeline_page(
    *,
    user: User,
    owner: tuple[str, int],
    cursor: str | None = None,
    limit: int = 20,
) -> Page[Interaction]:
    """One record's timeline, newest first (its comments: `comments_for`): `owner` is (record kind,
    id) of a record the caller has resolved for `user`. A client's gathers what rolled
    up to it (an organization's: what was logged on it and on its people while they
    worked there; a person's: the deals and requests they are in); each row still passes
    the visibility rule, so another team's deal on a shared client stays hidden."""
    rows = (
        scoped(Interaction, user=user)
        .filter(entry_owner_filter(*owner))
        .filter(_timeline_rule(user, owner[0]))
        .select_related("author", "person")
    )
    return paginate_desc(rows, field="occurred_at", cursor=cursor, limit=limit)


def comments_for(*, interactions: list[Interaction]) -> dict[int, list[Comment]]:
    """Comments of a page of interactions in one query."""
    grouped: dict[int, list[Comment]] = {item.pk: [] for item in interactions}
    for comment in (
        Comment.objects.filter(interaction_id__in=list(grouped))
        .select_related("author")
        .order_by("created_at", "id")
    ):
        grouped[comment.interaction_id].append(comment)
    return grouped


def comment_list(*, user: User, interaction: Interaction) -> QuerySet[Comment]:
    return (
        scoped(Comment, user=user)
        .filter(interaction=interaction)
        .select_related("author")
        .order_by("created_at", "id")
    )


# The two rules that do not depend on the viewer: everything (admins and analysts) and a
# client's own entries (everyone else, while no other owner kind is registered).
_CONSTANT_RULES = (Q(), Q(subject_kind=""))
_TIMELINE_ROWS: dict[tuple[int, bool], PreparedQuery] = {}
OPEN_TASK_VALUES = ("id", "title", "due_at", "assignee_id", "status")


def _person_timeline(person_id: int, rule: Q, limit: int) -> QuerySet[Any]:
    rows = Interaction.objects.filter(rule, person_id=person_id).order_by("-occurred_at", "-id")
    values: QuerySet[Any] = rows.values(*TIMELINE_VALUES)
    return values[:limit]


def _person_open_tasks(person_id: int, rule: Q) -> QuerySet[Any]:
    rows = Task.objects.filter(rule, person_id=person_id, status=Task.Status.OPEN)
    values: QuerySet[Any] = rows.order_by("due_at", "id").values(*OPEN_TASK_VALUES)
    return values[:50]


def _open_tasks_prepared(rule: Q) -> PreparedQuery:
    return PreparedQuery(lambda p: _person_open_tasks(p["person_id"], rule), person_id=int)


_OPEN_TASK_ROWS = {bool(rule): _open_tasks_prepared(rule) for rule in _CONSTANT_RULES}


def person_timeline_rows(*, user: User, person_id: int, limit: int = 20) -> list[dict[str, Any]]:
    """Latest interactions of a person as dicts (the client-360 read path). The caller has
    checked the person is visible, and so its own entries are; entries of other records
    rolled up to the person follow their owner (`rollup_visibility_q`). While no other
    kind of owner is registered the rule is a constant and the query stays prepared."""
    rule = rollup_visibility_q(user)
    if rule not in _CONSTANT_RULES:
        return [dict(row) for row in _person_timeline(person_id, rule, limit)]
    key = (limit, bool(rule))
    prepared = _TIMELINE_ROWS.get(key)
    if prepared is None:
        if len(_TIMELINE_ROWS) >= 8:  # an odd page size: compile as usual
            return [dict(row) for row in _person_timeline(person_id, rule, limit)]
        # LIMIT is part of the SQL: one compiled query per page size and rule.
        prepared = _TIMELINE_ROWS[key] = PreparedQuery(
            lambda p: _person_timeline(p["person_id"], rule, limit), person_id=int
        )
    return prepared.dicts(person_id=person_id)


def tasks_open_rows(*, user: User, person_id: int) -> list[dict[str, Any]]:
    """Open tasks on a visible person, by the same rule as its timeline."""
    rule = rollup_visibility_q(user)
    if rule not in _CONSTANT_RULES:
        return [dict(row) for row in _person_open_tasks(person_id, rule)]
    return _OPEN_TASK_ROWS[bool(rule)].dicts(person_id=person_id)


def task_visibility_q(user: User) -> Q:
    """A task on a record follows that record (`entry_visibility_q`); a to-do on no record
    is seen by its assignee, its creator and their team."""
    if _sees_everything(user):
        return Q()
    own = Q(assignee_id=user.pk) | Q(created_by_id=user.pk)
    team_ids = user_team_ids(user)
    if team_ids:
        own |= Q(team_id__in=team_ids)
    on_nothing = Q(person__isnull=True, organization__isnull=True, subject_kind="")
    return entry_visibility_q(user) | (on_nothing & own)


def task_list(*, user: User, filters: dict[str, Any] | None = None) -> QuerySet[Task]:
    rows = scoped(Task, user=user).filter(task_visibility_q(user))
    filters = filters or {}
    for key in ("assignee_id", "person_id", "organization_id", "status"):
        if filters.get(key):
            rows = rows.filter(**{key: filters[key]})
    if filters.get("subject_kind") and filters.get("subject_id"):
        rows = rows.filter(subject_kind=filters["subject_kind"], subject_id=filters["subject_id"])
    if filters.get("overdue"):
        rows = rows.filter(status=Task.Status.OPEN, due_at__lt=timezone.now())
    return rows.select_related("assignee", "person", "organization")


def task_get(*, user: User, task_id: int) -> Task:
    task = task_list(user=user).filter(pk=task_id).first()
    if task is None:
        raise NotFound(_("Task not found."))
    return task


def tasks_my_open(*, user: User) -> QuerySet[Task]:
    """My open tasks, overdue first then by due time."""
    return task_list(
        user=user, filters={"assignee_id": user.pk, "status": Task.Status.OPEN}
    ).order_by("due_at", "id")


def tasks_my_overdue(*, user: User) -> QuerySet[Task]:
    return task_list(user=user, filters={"assignee_id": user.pk, "overdue": True}).order_by(
        "due_at"
    )


# The home page ("my day") ------------------------------------------------------------------


def tasks_my_due(*, user: User, before: datetime, after: datetime | None = None) -> QuerySet[Task]:
    """My open tasks due before `before` (and at or after `after`), by due time: the home
    page asks with one `now` for the overdue ones and for the rest of today's."""
    rows = tasks_my_open(user=user).filter(due_at__lt=before)
    return rows.filter(due_at__gte=after) if after is not None else rows


def tasks_my_counts(*, user: User, now: datetime, day_end: datetime) -> dict[str, int]:
    """How many of my open tasks there are, how many are overdue and how many are due in
    the rest of today (until `day_end`): one query."""
    counts: dict[str, int] = tasks_my_open(user=user).aggregate(
        open=Count("id"),
        overdue=Count("id", filter=Q(due_at__lt=now)),
        today=Count("id", filter=Q(due_at__gte=now, due_at__lt=day_end)),
    )
    return counts


def interactions_on_my_clients(*, user: User) -> QuerySet[Interaction]:
    """Interactions on "my" clients, newest first. An agent's are the clients they own (the
    entry's person, or its organization when it names no person); a manager's are those
    of their teams and everyone else's are all they may see, which is what the visibility
    rule already leaves them."""
    rows = interaction_list(user=user)
    if user.role == Role.AGENT:
        rows = rows.filter(
            Q(person__owner_id=user.pk) | Q(person__isnull=True, organization__owner_id=user.pk)
        )
    return rows.order_by("-occurred_at", "-id")


def interactions_my_per_day(*, user: User, since: datetime) -> dict[date, int]:
    """How many interactions I logged on each day (in the current time zone) from `since`,
    days without any left out: one query."""
    rows = (
        interaction_list(user=user, filters={"author_id": user.pk, "since": since})
        .select_related(None)
        .order_by()
        .annotate(day=TruncDate("occurred_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(count=Count("id"))
    )
    return {row["day"]: row["count"] for row in rows}
