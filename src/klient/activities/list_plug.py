"""What the timeline adds to the people list (klient.contacts.list_registry): a "last
contact" column and filters, and "has open tasks".

Each is an EXISTS (or a one-row subquery) per person on an index that starts with the
person: interactions on inter_person_time_idx (person, -occurred_at, -id), tasks on the
task's person foreign key index. The list walks its own index and asks each candidate
person, so a page costs the same at 1,000,000 people (tests/contacts/test_list_plan.py).
Entries are counted by the timeline's visibility rule for a client the user sees: a
deal's call hidden from the user does not move that client's last contact.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django import forms
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy

from klient.activities.models import Interaction, Task
from klient.activities.selectors import rollup_visibility_q
from klient.contacts.list_registry import ListColumn, ListFilter, list_columns, list_filters
from klient.contacts.models import Person
from klient.core.models import User


def _day_start(day: date) -> datetime:
    """The first instant of the day in the user's time zone (the request's current one)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _interactions(user: User) -> QuerySet[Interaction]:
    return Interaction.objects.filter(rollup_visibility_q(user), person_id=OuterRef("pk"))


def _with_last_contact(user: User, rows: QuerySet[Any]) -> QuerySet[Any]:
    latest = _interactions(user).order_by("-occurred_at", "-id").values("occurred_at")[:1]
    annotated: QuerySet[Any] = rows.annotate(last_contact_at=Subquery(latest))
    return annotated


def _contacted_since(user: User, rows: QuerySet[Person], value: Any) -> QuerySet[Person]:
    return rows.filter(Exists(_interactions(user).filter(occurred_at__gte=_day_start(value))))


def _last_contact_before(user: User, rows: QuerySet[Person], value: Any) -> QuerySet[Person]:
    """Contacted, but not since that day: the clients who went quiet."""
    start = _day_start(value)
    earlier = Exists(_interactions(user).filter(occurred_at__lt=start))
    later = Exists(_interactions(user).filter(occurred_at__gte=start))
    return rows.filter(earlier, ~later)


def _open_tasks(user: User, rows: QuerySet[Person], value: Any) -> QuerySet[Person]:
    tasks = Task.objects.filter(
        rollup_visibility_q(user), person_id=OuterRef("pk"), status=Task.Status.OPEN
    )
    return rows.filter(Exists(tasks))


def list_entries_register() -> None:
    list_columns.register(
        ListColumn(
            "last_contact",
            gettext_lazy("Last contact"),
            value=lambda row: getattr(row, "last_contact_at", None),
            annotate=_with_last_contact,
            width=18,
            order=150,
        )
    )
    list_filters.register(
        ListFilter(
            "contact_after",
            gettext_lazy("Last contact from"),
            field=lambda: forms.DateField(required=False),
            apply=_contacted_since,
            order=50,
        )
    )
    list_filters.register(
        ListFilter(
            "contact_before",
            gettext_lazy("Last contact before"),
            field=lambda: forms.DateField(required=False),
            apply=_last_contact_before,
            order=60,
        )
    )
    list_filters.register(
        ListFilter(
            "open_tasks",
            gettext_lazy("Has open tasks"),
            field=lambda: forms.BooleanField(required=False),
            apply=_open_tasks,
            order=70,
        )
    )
