"""Reads of the timeline and tasks, scoped to the user's workspace and visibility."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from klient.activities.models import Comment, Interaction, Task
from klient.contacts.models import Organization, Person
from klient.core.errors import NotFound
from klient.core.models import Role, User
from klient.core.pagination import Page, paginate_desc
from klient.core.prepared import PreparedQuery
from klient.core.selectors import scoped, user_team_ids, visibility_q

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


def subject_visibility_q(user: User) -> Q:
    """The one rule for what hangs on a client's timeline (interactions, their comments,
    tasks): it is visible when the subject it is on is -- its person, or, when it is on no
    person, its organization. An interaction on a hidden person stays hidden even when
    it also names an organization the viewer sees: its subject, body and author are about
    that person. Pages, the API, exports and the calendar all read through this."""
    if user.role in (Role.ADMIN, Role.ANALYST):
        return Q()
    people = scoped(Person, user=user).filter(visibility_q(user)).values("pk")
    orgs = scoped(Organization, user=user).filter(visibility_q(user)).values("pk")
    return Q(person_id__in=people) | Q(person__isnull=True, organization_id__in=orgs)


def interaction_list(*, user: User, filters: dict[str, Any] | None = None) -> QuerySet[Interaction]:
    rows = scoped(Interaction, user=user).filter(subject_visibility_q(user))
    filters = filters or {}
    for key in ("person_id", "organization_id", "kind", "direction", "author_id"):
        if filters.get(key):
            rows = rows.filter(**{key: filters[key]})
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


def timeline_page(
    *,
    user: User,
    person: Person | None = None,
    organization: Organization | None = None,
    cursor: str | None = None,
    limit: int = 20,
) -> Page[Interaction]:
    """A client's timeline, newest first, with comment counts. An organization's gathers
    what its people went through too, so each row still passes the visibility rule: a
    colleague's hidden client linked to a shared organization stays hidden."""
    rows = scoped(Interaction, user=user).filter(subject_visibility_q(user))
    if person is not None:
        rows = rows.filter(person_id=person.pk)
    elif organization is not None:
        people = organization.affiliations.values("person_id")
        rows = rows.filter(Q(organization_id=organization.pk) | Q(person_id__in=people))
    else:
        return Page(items=[], next_cursor=None)
    rows = rows.select_related("author", "person").annotate(comment_count=Count("comments"))
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


_TIMELINE_ROWS: dict[int, PreparedQuery] = {}
_OPEN_TASK_ROWS = PreparedQuery(
    lambda p: (
        Task.objects.filter(person_id=p["person_id"], status=Task.Status.OPEN)
        .order_by("due_at", "id")
        .values("id", "title", "due_at", "assignee_id", "status")[:50]
    ),
    person_id=int,
)


def person_timeline_rows(*, person_id: int, limit: int = 20) -> list[dict[str, Any]]:
    """Latest interactions of a person as dicts (the client-360 read path). The caller has
    checked the person is visible, and so, by `subject_visibility_q`, is every row here."""
    prepared = _TIMELINE_ROWS.get(limit)
    if prepared is None and len(_TIMELINE_ROWS) >= 8:  # an odd page size: compile as usual
        return list(
            Interaction.objects.filter(person_id=person_id)
            .order_by("-occurred_at", "-id")
            .values(*TIMELINE_VALUES)[:limit]
        )
    if prepared is None:  # LIMIT is part of the SQL: one compiled query per page size
        prepared = _TIMELINE_ROWS[limit] = PreparedQuery(
            lambda p: (
                Interaction.objects.filter(person_id=p["person_id"])
                .order_by("-occurred_at", "-id")
                .values(*TIMELINE_VALUES)[:limit]
            ),
            person_id=int,
        )
    return prepared.dicts(person_id=person_id)


def tasks_open_rows(*, person_id: int) -> list[dict[str, Any]]:
    """Open tasks on a visible person: visible too, by the same rule as its timeline."""
    return _OPEN_TASK_ROWS.dicts(person_id=person_id)


def task_visibility_q(user: User) -> Q:
    """A task on a client follows the client (`subject_visibility_q`); a to-do on no client
    is seen by its assignee, its creator and their team."""
    if user.role in (Role.ADMIN, Role.ANALYST):
        return Q()
    own = Q(assignee_id=user.pk) | Q(created_by_id=user.pk)
    team_ids = user_team_ids(user)
    if team_ids:
        own |= Q(team_id__in=team_ids)
    return subject_visibility_q(user) | (Q(person__isnull=True, organization__isnull=True) & own)


def subject_visible_to(
    *, user: User, person: Person | None = None, organization: Organization | None = None
) -> bool:
    """Whether `user` may see this subject (a person, else an organization): the check a
    write makes for the actor, an assignee or a mentioned colleague."""
    if person is not None:
        model: type[Person | Organization] = Person
        pk = person.pk
    elif organization is not None:
        model, pk = Organization, organization.pk
    else:
        return True
    return scoped(model, user=user).filter(visibility_q(user), pk=pk).exists()


def task_list(*, user: User, filters: dict[str, Any] | None = None) -> QuerySet[Task]:
    rows = scoped(Task, user=user).filter(task_visibility_q(user))
    filters = filters or {}
    for key in ("assignee_id", "person_id", "organization_id", "status"):
        if filters.get(key):
            rows = rows.filter(**{key: filters[key]})
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
