"""What the timeline registers with the platform (klient.core.registry)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from klient.activities.capabilities import capabilities_register
from klient.activities.demo import demo_activities_create
from klient.activities.home import my_chart_context, my_tasks_context, recent_activity_context
from klient.activities.kinds import interaction_kind_label, own_kinds_register
from klient.activities.list_plug import list_entries_register
from klient.activities.models import Comment, Interaction, Task
from klient.activities.personal_data import (
    personal_audit_kinds_register,
    timeline_erase,
    timeline_export,
)
from klient.activities.selectors import ROLLUP_FIELDS, person_timeline_rows, tasks_open_rows
from klient.activities.views import card_activity_context
from klient.core.audit_words import DATETIME, AuditField, AuditSubject, audit_words_register
from klient.core.models import Role, User
from klient.core.registry import (
    CardPanel,
    Client360Section,
    ClientRecordsHandler,
    DemoStep,
    HomeWidget,
    NavItem,
    card_panels,
    client_360_sections,
    client_records,
    demo_steps,
    home_widgets,
    nav_items,
)


def _card_activity(user: User, record: Any) -> dict[str, Any]:
    return card_activity_context(user, record)


def _history_count(subject: str, record_id: int) -> int:
    field = ROLLUP_FIELDS[subject]
    return (
        Interaction.objects.filter(**{field: record_id}).count()
        + Task.objects.filter(**{field: record_id}).count()
    )


def plug() -> None:
    capabilities_register()
    own_kinds_register()
    nav_items.register(
        NavItem(
            key="activities.tasks",
            label=_("My tasks"),
            url=lambda user: reverse("activities:task_list"),
            icon="i-tasks",
            section="activities",
            order=20,
        )
    )
    for subject in ("contacts.person", "contacts.organization"):
        card_panels.register(
            CardPanel(
                key=f"activities.{subject}",
                subject=subject,
                template="activities/_card_activity.html",
                context=_card_activity,
                column="main",
                order=10,
            )
        )
    client_360_sections.register(
        Client360Section(
            key="timeline",
            rows=lambda user, person_id, limit: person_timeline_rows(
                user=user, person_id=person_id, limit=limit
            ),
            order=10,
        )
    )
    client_360_sections.register(
        Client360Section(
            key="open_tasks",
            rows=lambda user, person_id, limit: tasks_open_rows(user=user, person_id=person_id),
            order=20,
        )
    )
    # The timeline is the client's own history: it goes with a deleted client, as before.
    # Erasure keeps the entries and takes their words out (activities.personal_data).
    client_records.register(
        ClientRecordsHandler(
            key="activities.history",
            label=_("Interactions and tasks"),
            count=_history_count,
            protects=False,
            erase=timeline_erase,
            export=timeline_export,
        )
    )
    personal_audit_kinds_register()  # the timeline's audit values are its client's
    demo_steps.register(DemoStep(key="activities", run=demo_activities_create, order=30))
    # The home page ("my day"): the chart is of what one logs, which readers never do.
    home_widgets.register(
        HomeWidget(
            key="activities.my_tasks",
            template="activities/_home_tasks.html",
            context=my_tasks_context,
            order=10,
        )
    )
    home_widgets.register(
        HomeWidget(
            key="activities.chart",
            template="activities/_home_chart.html",
            context=my_chart_context,
            order=30,
            roles=frozenset({Role.ADMIN, Role.MANAGER, Role.AGENT}),
        )
    )
    home_widgets.register(
        HomeWidget(
            key="activities.recent",
            template="activities/_home_recent.html",
            context=recent_activity_context,
            order=40,
        )
    )
    _audit_log_words()
    list_entries_register()  # the people list's last contact and open tasks


# How the timeline's audit events read on the audit log (klient.core.audit_words) -------------


def _entry_clients(
    model: type[Interaction] | type[Task],
) -> Callable[[Sequence[int]], dict[int, tuple[str, int]]]:
    def clients(ids: Sequence[int]) -> dict[int, tuple[str, int]]:
        rows = model.objects.filter(pk__in=list(ids))
        return _client_refs(rows.values_list("pk", "person_id", "organization_id"))

    return clients


def _comment_clients(ids: Sequence[int]) -> dict[int, tuple[str, int]]:
    rows = Comment.objects.filter(pk__in=list(ids)).values_list(
        "pk", "interaction__person_id", "interaction__organization_id"
    )
    return _client_refs(rows)


def _client_refs(rows: Iterable[tuple[int, int | None, int | None]]) -> dict[int, tuple[str, int]]:
    refs: dict[int, tuple[str, int]] = {}
    for pk, person_id, organization_id in rows:
        if person_id is not None:
            refs[pk] = ("contacts.person", person_id)
        elif organization_id is not None:
            refs[pk] = ("contacts.organization", organization_id)
    return refs


def _task_status(value: Any) -> str:
    return str(dict(Task.Status.choices).get(value, value))


def _audit_log_words() -> None:
    audit_words_register(
        subject=AuditSubject(
            key="activities.interaction",
            label=_("Interaction"),
            fields={"kind": AuditField(_("kind"), lambda key: interaction_kind_label(str(key)))},
            clients=_entry_clients(Interaction),
        ),
        actions=[
            (
                "interaction.create",
                _("Interaction logged"),
                _("%(actor)s logged interaction “%(kind)s” %(record)s"),
            ),
            (
                "interaction.update",
                _("Interaction changed"),
                _("%(actor)s changed %(fields)s of interaction %(record)s"),
            ),
            (
                "interaction.delete",
                _("Interaction deleted"),
                _("%(actor)s deleted interaction %(record)s"),
            ),
        ],
    )
    audit_words_register(
        subject=AuditSubject(
            key="activities.comment", label=_("Comment"), clients=_comment_clients
        ),
        actions=[
            (
                "comment.create",
                _("Comment added"),
                _("%(actor)s added comment %(record)s: “%(body)s”"),
            ),
        ],
    )
    audit_words_register(
        subject=AuditSubject(
            key="activities.task",
            label=_("Task"),
            fields={
                "status": AuditField(_("status"), _task_status),
                "remind_before_minutes": AuditField(_("reminder, minutes before")),
                "completed_at": AuditField(_("completed at"), DATETIME),
            },
            clients=_entry_clients(Task),
        ),
        actions=[
            (
                "task.create",
                _("Task created"),
                _("%(actor)s created task %(record)s “%(title)s” for %(assignee_id)s"),
            ),
            (
                "task.update",
                _("Task changed"),
                _("%(actor)s changed %(fields)s of task %(record)s"),
            ),
            (
                "task.delete",
                _("Task deleted"),
                _("%(actor)s deleted task %(record)s “%(title)s”"),
            ),
        ],
    )
