"""My tasks and a timeline check each entry's owner by looking it up, not by listing every
client the viewer may see.

`person_id IN (every visible person)` made "My tasks" take 4 s on SQLite and over 160 s
on PostgreSQL for an agent at 1,000,000 people (ADR 0010).
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from klient.activities.models import Interaction
from klient.activities.selectors import interaction_list, tasks_my_open, timeline_page
from klient.activities.services import interaction_create, task_create
from klient.contacts.bulk import PersonRow, people_bulk_insert
from klient.contacts.models import Organization, Person
from klient.contacts.services import organization_create

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's query plan"),
]


@pytest.fixture
def many_people(admin, agent_a, team_a):
    org = organization_create(actor=admin, name="Ромашка", team_id=team_a.pk)
    # Enough organizations that the planner's statistics are those of a real workspace.
    Organization.objects.bulk_create(
        Organization(workspace_id=admin.workspace_id, name=f"ООО {n}", team_id=team_a.pk)
        for n in range(2000)
    )
    people_bulk_insert(
        workspace_id=admin.workspace_id,
        people=[
            PersonRow(last_name=f"Иванов{n}", owner_id=agent_a.pk, team_id=team_a.pk)
            for n in range(3000)
        ],
    )
    for person in Person.objects.order_by("pk")[:20]:
        task_create(actor=agent_a, title=f"call {person.pk}", person=person)
        interaction_create(actor=agent_a, kind="call", person=person, organization=org)
    others = list(Organization.objects.exclude(pk=org.pk).values_list("pk", flat=True)[:200])
    Interaction.objects.bulk_create(
        Interaction(
            workspace_id=admin.workspace_id,
            kind="call",
            occurred_at=timezone.now(),
            organization_id=other,
        )
        for other in others
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return org


def _walks(sql: str, table: str) -> list[str]:
    """The plan steps reading `table` other than by its primary key."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        plan = [row[3] for row in cursor.fetchall()]
    # Django names a subquery's table U0, U1...: `person_id IN (SELECT U0.id ...)` is a walk.
    steps = [step for step in plan if re.search(rf" ({table}|U\d+) ", f"{step} ")]
    return [step for step in steps if "INTEGER PRIMARY KEY (rowid=?)" not in step]


def _only_query(run) -> str:
    with CaptureQueriesContext(connection) as captured:
        run()
    [sql] = [q["sql"] for q in captured.captured_queries if "activities_" in q["sql"]]
    return sql


def test_my_tasks_look_up_each_tasks_client(agent_a, many_people):
    sql = _only_query(lambda: list(tasks_my_open(user=agent_a)[:200]))
    assert _walks(sql, "contacts_person") == []
    assert _walks(sql, "contacts_organization") == []


def test_an_organizations_timeline_reads_its_own_index(agent_a, many_people):
    page = None

    def run() -> None:
        nonlocal page
        page = timeline_page(user=agent_a, owner=("contacts.organization", many_people.pk))

    sql = _only_query(run)
    assert page is not None and len(page.items) == 20
    assert _walks(sql, "contacts_person") == []
    assert "inter_org_time_idx" in " ".join(_plan(sql))


def test_the_interaction_list_looks_up_each_client(agent_a, many_people):
    sql = _only_query(lambda: list(interaction_list(user=agent_a)[:50]))
    assert _walks(sql, "contacts_person") == []


def _plan(sql: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return [row[3] for row in cursor.fetchall()]
